"""Part 1 — orchestration overhead, pybuild against Packer 1.6.6 on the same template.

``bench/templates/orchestration.pkr.hcl`` (accepted unchanged by both) boots an overlay
of the cached Debian 12 base image with a NoCloud seed, types an 18-key boot command,
runs one shell provisioner and powers off. Both tools run as a user runs them (a fresh
process, under TCG), interleaved run by run. Every instant is taken from outside, the
same way for both tools:

- start: just before the tool's process is spawned;
- QEMU running: a 10 ms poll of ``/proc`` for a process whose command line holds the
  run's unique ``vm_name``;
- boot_wait end: when the tool prints ``Waiting 2s for boot...`` + 2 s;
  last key typed: pybuild's last ``boot_command_text``/``_key`` event (``--log-json``),
  Packer's last ``PACKER_LOG`` key line, timestamped on arrival;
- guest sshd up: a 100 ms poll of the forwarded SSH port (from QEMU's command line)
  until the guest's ``SSH-2.0`` banner arrives, then password logins (paramiko) one
  after another until one is accepted (cloud-init sets the password after sshd starts):
  the start of the first accepted login is "sshd up";
- first provisioner command runs: the arrival of its output line
  (``BENCH-PROVISIONER-RUNS``);
- guest power-off: the QEMU process ends; build done: the tool's process ends.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.common import ROOT, Goal, Part, Stat, Table, load1, now

TEMPLATE = ROOT / "bench" / "templates" / "orchestration.pkr.hcl"
PASSWORD = "bench-Build-Pass-1"
BOOT_WAIT = 2.0
BOOT_COMMAND_KEYS = len("pybuildbenchtyping")  # lower-case letters: 2 key events each
KEY_INTERVAL = 0.1
PHASES = ["start → QEMU running", "boot_wait end → last key typed", "guest sshd up → first provisioner command",
          "guest power-off → build done"]


def base_image() -> Path:
    from images import BASE_CONFIG, cached_image  # tests/fixtures

    return cached_image(BASE_CONFIG)


def write_seed(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "meta-data").write_text("instance-id: bench\nlocal-hostname: bench\n")
    (d / "user-data").write_text("#cloud-config\nssh_pwauth: true\n"
                                 f"password: {PASSWORD}\nchpasswd: {{expire: false}}\n"
                                 "ssh_genkeytypes: [ed25519]\n")
    return d


@dataclass
class Trace:
    tool: str
    start: float = 0.0
    qemu_start: float | None = None
    qemu_exit: float | None = None
    sshd_up: float | None = None
    login_ok: float | None = None
    exit: float | None = None
    rc: int | None = None
    lines: list[tuple[float, str, str]] = field(default_factory=list)  # (time, stream, text)
    events: list[dict] = field(default_factory=list)

    def first(self, needle: str, stream: str = "") -> float | None:
        for t, s, text in self.lines:
            if (not stream or s == stream) and needle in text:
                return t
        return None

    def phases(self) -> dict[str, float | None]:
        def d(a: float | None, b: float | None) -> float | None:
            return b - a if a is not None and b is not None else None

        waiting = self.first("for boot...")
        boot_wait_end = waiting + BOOT_WAIT if waiting is not None else None
        last_key = self.last_key()
        prov = self.first("BENCH-PROVISIONER-RUNS", "out")
        return {
            PHASES[0]: d(self.start, self.qemu_start),
            PHASES[1]: d(boot_wait_end, last_key),
            PHASES[2]: d(self.login_ok, prov),
            "(guest) sshd banner → password login accepted": d(self.sshd_up, self.login_ok),
            PHASES[3]: d(self.qemu_exit, self.exit),
            "total": d(self.start, self.exit),
        }

    def last_key(self) -> float | None:
        if self.tool == "pybuild":
            # text runs are reported when they end (boot_command_text), special keys one by one
            keys = [e for e in self.events if e.get("event") in ("boot_command_key", "boot_command_text")]
            if keys:
                return datetime.fromisoformat(keys[-1]["time"]).timestamp()
            return None
        logged = [t for t, s, text in self.lines if s == "err" and re.search(r"Sending char|Special code", text)]
        if logged:
            return logged[-1]
        # no per-key log lines: the UI line after typing
        typing = self.first("Typing the boot command", "out")
        after = [t for t, s, _ in self.lines if s == "out" and typing is not None and t > typing]
        return after[0] if after else None


def _pump(stream, trace: Trace, name: str) -> None:
    for raw in iter(stream.readline, b""):
        trace.lines.append((time.time(), name, raw.decode("utf-8", "replace").rstrip("\n")))


def _find_qemu(marker: str) -> tuple[int, str] | None:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmd and b"qemu-system" in cmd:
            return int(pid), cmd.replace(b"\0", b" ").decode("utf-8", "replace")
    return None


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _ssh_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.settimeout(1.5)
            return s.recv(64).startswith(b"SSH-")
    except OSError:
        return False


def _ssh_login(port: int) -> bool:
    import logging

    import paramiko

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # refused attempts are expected

    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        c.connect("127.0.0.1", port, username="debian", password=PASSWORD, timeout=5, banner_timeout=15,
                  auth_timeout=15, look_for_keys=False, allow_agent=False)
        return True
    except Exception:
        return False
    finally:
        c.close()


def _monitor(trace: Trace, marker: str, proc: subprocess.Popen, stop: threading.Event) -> None:
    found = None
    while found is None and not stop.is_set() and proc.poll() is None:
        found = _find_qemu(marker)
        if found is None:
            time.sleep(0.01)
    if found is None:
        return
    trace.qemu_start = time.time()
    pid, cmd = found
    m = re.search(r"hostfwd=tcp:[^:]*:(\d+)-:22", cmd)
    port = int(m.group(1)) if m else None
    while not stop.is_set() and _alive(pid):
        if trace.sshd_up is None and port is not None:
            if _ssh_banner(port):
                trace.sshd_up = time.time()
            else:
                time.sleep(0.1)
        elif trace.login_ok is None and port is not None:
            t = time.time()
            if _ssh_login(port):
                trace.login_ok = t
            else:
                time.sleep(0.1)
        else:
            time.sleep(0.01)
    trace.qemu_exit = time.time()


def run_tool(tool: str, work: Path, image: Path, seed: Path, timeout: float = 1800) -> Trace:
    work.mkdir(parents=True, exist_ok=True)
    vm_name = f"bench-{uuid.uuid4().hex[:12]}.qcow2"
    variables = [f"base_image={image}", f"seed_dir={seed}", f"vm_name={vm_name}", "output_dir=output"]
    env = dict(os.environ, PYBUILD_ACCELERATOR="tcg", CHECKPOINT_DISABLE="1", PYTHONUNBUFFERED="1",
               PACKER_CACHE_DIR=str(work / "packer_cache"), PYBUILD_LOG_DIR=str(work / "logs"),
               PYBUILD_FAILURE_DIR=str(work / "failures"))
    if tool == "packer":
        env["PACKER_LOG"] = "1"
        argv = ["packer", "build", *[f"-var={v}" for v in variables], str(TEMPLATE)]
    else:
        argv = [sys.executable, "-m", "builder.cli", "build", "--log-json", str(work / "events.jsonl"),
                *[x for v in variables for x in ("-var", v)], str(TEMPLATE)]
    trace = Trace(tool)
    stop = threading.Event()
    trace.start = time.time()
    proc = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, trace, "out"), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, trace, "err"), daemon=True)]
    mon = threading.Thread(target=_monitor, args=(trace, vm_name, proc, stop), daemon=True)
    for t in (*pumps, mon):
        t.start()
    try:
        proc.wait(timeout)
        trace.exit = time.time()
        trace.rc = proc.returncode
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait(10)
        for t in pumps:
            t.join(10)
        mon.join(30)
        stop.set()
        left = _find_qemu(vm_name)
        if left:
            os.kill(left[0], 9)
    ev = work / "events.jsonl"
    if ev.exists():
        trace.events = [json.loads(x) for x in ev.read_text().splitlines() if x.strip()]
    if trace.rc != 0:
        tail = "\n".join(f"{s}: {x}" for _, s, x in trace.lines[-40:])
        raise RuntimeError(f"{tool} build failed (rc {trace.rc}):\n{tail}")
    return trace


def run(runs: int, quick: bool) -> Part:
    part = Part("orchestration", "1. Orchestration overhead: pybuild vs Packer 1.6.6 on the same template",
                runs, quick, started=now(), load=[load1()])
    t0 = time.perf_counter()
    image = base_image()
    tools = ["pybuild", "packer"] if shutil.which("packer") else ["pybuild"]
    res: dict[str, dict[str, list[float]]] = {t: {} for t in tools}
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="pybuild-bench-orch-") as td:
        seed = write_seed(Path(td) / "seed")
        for i in range(runs):
            for tool in tools:  # interleaved: drifting load hits both alike
                tr = run_tool(tool, Path(td) / f"{tool}-{i}", image, seed)
                ph = tr.phases()
                print(f"  run {i + 1}/{runs} {tool}: " + ", ".join(
                    f"{k.split(' →')[0]} {v:.2f}s" if v is not None else f"{k} ?" for k, v in ph.items()),
                      flush=True)
                for k, v in ph.items():
                    if v is not None:
                        res[tool].setdefault(k, []).append(v)
                for e in tr.events:
                    if e.get("event") == "step_end" and e.get("step") not in ("connect", "provision"):
                        steps.setdefault(e["step"], []).append(float(e.get("duration", 0)))
                shutil.rmtree(Path(td) / f"{tool}-{i}", ignore_errors=True)
    typing_floor = BOOT_COMMAND_KEYS * 2 * KEY_INTERVAL
    rows = []
    for k in [*PHASES, "(guest) sshd banner → password login accepted", "total"]:
        def cell(st: Stat) -> str:
            return st.fmt(2, " s") + (f" [n={st.n}]" if 0 < st.n < runs else "")

        p = Stat(res["pybuild"].get(k, []))
        row = [k, cell(p)]
        if "packer" in res:
            q = Stat(res["packer"].get(k, []))
            row += [cell(q), f"{p.median / q.median:.2f}" if p.values and q.values else "–"]
        rows.append(row)
    headers = ["phase", "pybuild", "Packer 1.6.6", "pybuild / Packer"] if "packer" in res else ["phase", "pybuild"]
    part.tables.append(Table("Phase durations (wall clock, observed from outside both tools)", headers, rows))
    if steps:
        part.tables.append(Table("pybuild's own step durations (--log-json step_end), for the phases above",
                                 ["step", "duration"], [[k, Stat(v).fmt(2, " s")] for k, v in steps.items()]))
    for k in PHASES:
        p = Stat(res["pybuild"].get(k, []))
        q = Stat(res.get("packer", {}).get(k, []))
        if not p.values:
            part.goals.append(Goal(f"{k}: pybuild < 1 s and ≤ ½ Packer", None, "not observed"))
            continue
        under1 = p.median < 1.0
        half = bool(q.values) and p.median <= q.median / 2
        why = f"pybuild {p.median:.2f} s, Packer {q.median:.2f} s" if q.values else f"pybuild {p.median:.2f} s"
        if k == PHASES[1]:
            why += (f"; both type {BOOT_COMMAND_KEYS * 2} key events with the template's 100 ms pause "
                    f"after each = {typing_floor:.1f} s by design (Packer's timing, kept for compatibility); "
                    f"pybuild's overhead above that floor is {p.median - typing_floor:.2f} s. Faster typing "
                    "is a template setting (boot_key_interval, boot_keyboard: see part 2)")
        part.goals.append(Goal(f"{k}: pybuild < 1 s and ≤ ½ Packer", under1 and half, why))
    part.notes += [
        "Template: bench/templates/orchestration.pkr.hcl, unchanged for both tools (skip_compaction: no "
        "convert after power-off). Both copy the 480 MiB base image before starting QEMU (Packer 1.6.6's "
        "use_backing_file does not work with QEMU 7.2), so 'start → QEMU running' includes that copy.",
        "'sshd up' is the start of the bench's first accepted password login; the tool's own login, "
        "script upload and exec are inside 'sshd up → first provisioner command' for both tools.",
        f"The boot command is {BOOT_COMMAND_KEYS} lower-case letters = {BOOT_COMMAND_KEYS * 2} key events; at "
        f"the default 100 ms per event the typing itself takes {typing_floor:.1f} s in both tools.",
        "pybuild's SSH wait opens a new connection every second while up to five earlier ones stay open "
        "(the first that shows a banner wins) and retries a refused login after 1, 2, 3, 4, then 5 s. What "
        "remains in 'sshd up → first command' is guest work under TCG: the rest of pybuild's own SSH login "
        "(key exchange and PAM in the emulated guest take about 1.5–2.5 s; a login that began before the "
        "bench's succeeded finishes sooner), the script upload over SFTP (~0.45 s) and the exec (~0.2 s), "
        "plus at most one retry pause when cloud-init sets the password just after a refused attempt.",
        "A run where the bench's own login probe lost the race to the tool (the tool was already done) "
        "has no 'sshd up' figure; medians are over the runs that have one (n is shown).",
    ]
    part.seconds = time.perf_counter() - t0
    part.load.append(load1())
    return part
