"""The checks of ``pybuild verify``; each one passes or fails with evidence.

Offline (before boot, on the image itself): ``format``, ``clean``.
Booted like Nova (config drive with uuid, hostname, admin_pass, public key):
``console``, ``ssh_key``, ``hostname``, ``admin_pass``, ``growpart``, ``qga_ping``,
``set_password``; optional ``root_login`` (sshd's ``PermitRootLogin yes``, the CentOS 7 recipe).
"""

from __future__ import annotations

import json
import re
import secrets as pysecrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from builder import run, secrets
from builder.communicator.keys import generate_keypair
from builder.communicator.ssh import connect
from builder.errors import PybuildError
from builder.ui import BuildUI
from builder.verify.vm import VM, Instance, image_info

# name -> (what it proves, required by default)
CHECKS: dict[str, tuple[str, bool]] = {
    "format": ("qcow2, compressed, virtual size", True),
    "clean": ("no SSH host keys, machine-id, persistent-net rules, shell history or cloud-init instance data", True),
    "console": ("nova console-log shows the kernel and a login prompt", True),
    "ssh_key": ("SSH key login for the image's user (public_keys from metadata)", True),
    "hostname": ("hostname set from metadata", True),
    "admin_pass": ("nova boot --admin-pass: root logs in with admin_pass", True),
    "growpart": ("root filesystem grown to the flavor disk", True),
    "qga_ping": ("qemu-guest-agent answers guest-ping", True),
    "set_password": ("nova set-password: guest-set-user-password, then the new password logs in", True),
    "root_login": ("sshd allows root login (PermitRootLogin yes)", False),
}


@dataclass
class CheckResult:
    name: str
    ok: bool
    evidence: str
    required: bool = True
    seconds: float = 0.0


@dataclass
class VerifyOptions:
    disk_size: int = 0  # bytes; 0 = 2x the image's virtual size
    datasource: str = "configdrive"  # or "nocloud"
    user: str = "debian"
    expect: list[str] = field(default_factory=list)  # required checks; empty = defaults
    boot_timeout: float = 420.0
    memory: int = 1024
    evidence_dir: Path | None = None


@dataclass
class VerifyReport:
    image: str
    results: list[CheckResult]
    started: str
    seconds: float
    evidence_dir: str = ""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results if r.required)

    def failed(self) -> list[str]:
        return [r.name for r in self.results if r.required and not r.ok]

    def to_json(self) -> str:
        d = asdict(self)
        d["ok"] = self.ok
        return json.dumps(secrets.mask_obj(d), indent=2)

    def table(self) -> str:
        w = max(len(r.name) for r in self.results)
        lines = [f"{'CHECK':<{w}}  RESULT    EVIDENCE"]
        for r in self.results:
            res = "pass" if r.ok else ("FAIL" if r.required else "fail (optional)")
            ev = r.evidence.splitlines()[0] if r.evidence else ""
            lines.append(f"{r.name:<{w}}  {res:<8}  {ev}")
        lines.append(f"{'verdict':<{w}}  {'PASS' if self.ok else 'FAIL'}  ({self.seconds:.0f}s)")
        return secrets.mask("\n".join(lines))


def _required(name: str, opts: VerifyOptions) -> bool:
    if opts.expect:
        return name in opts.expect
    return CHECKS[name][1]


def check_format(image: Path) -> tuple[bool, str]:
    info = image_info(image)
    fmt = info.get("format")
    vsize = int(info.get("virtual-size", 0))
    compressed = False
    if fmt == "qcow2":
        out = run.run(["qemu-img", "map", "--output=json", "-U", str(image)]).stdout
        compressed = any(e.get("compressed") for e in json.loads(out))
    ok = fmt == "qcow2" and compressed and not info.get("backing-filename")
    ev = (f"format={fmt} compressed={compressed} virtual_size={vsize / 2**30:.2f}GiB "
          f"file={int(info.get('actual-size', 0)) / 2**20:.0f}MiB"
          + (f" backing={info['backing-filename']}" if info.get("backing-filename") else ""))
    return ok, ev


_GUESTFISH = """\
echo @KEYS
glob-expand /etc/ssh/ssh_host_*
echo @MACHINEID
-cat /etc/machine-id
echo @NETRULES
glob-expand /etc/udev/rules.d/70-persistent-net.rules
echo @HISTORY
glob-expand /root/.bash_history
glob-expand /home/*/.bash_history
echo @CLOUD
glob-expand /var/lib/cloud/instances/*
echo @END
"""


def check_clean(image: Path) -> tuple[bool, str]:
    res = run.run(["guestfish", "--ro", "-a", str(image), "-i"], input=_GUESTFISH.encode(),
                  env=run.libguestfs_env(), check=False, timeout=600)
    sections: dict[str, list[str]] = {}
    cur = ""
    for line in res.stdout.splitlines():
        if line.startswith("@"):
            cur = line[1:]
            sections[cur] = []
        elif cur:
            sections[cur].append(line.strip())
    if "END" not in sections:
        return False, f"guestfish could not inspect the image: {res.stderr.strip()[-300:]}"
    problems = []
    if sections.get("KEYS"):
        problems.append(f"SSH host keys present: {', '.join(sections['KEYS'])}")
    mid = "".join(sections.get("MACHINEID", [])).strip()
    if mid and mid != "uninitialized":
        problems.append(f"/etc/machine-id is set ({mid[:8]}…)")
    if sections.get("NETRULES"):
        problems.append("persistent-net rules present")
    if sections.get("HISTORY"):
        problems.append(f"shell history present: {', '.join(sections['HISTORY'])}")
    if sections.get("CLOUD"):
        problems.append(f"cloud-init instance data present: {', '.join(sections['CLOUD'])}")
    return (not problems), ("; ".join(problems) if problems else
                            "no host keys, empty machine-id, no persistent-net rules, no history, no cloud-init instances")


def verify_image(image: Path, opts: VerifyOptions, ui: BuildUI | None = None) -> VerifyReport:
    image = Path(image)
    if not image.is_file():
        raise PybuildError(f"verify: image {image} does not exist")
    t_start = time.monotonic()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[CheckResult] = []

    def record(name: str, fn: Callable[[], tuple[bool, str]]) -> bool:
        t0 = time.monotonic()
        try:
            ok, ev = fn()
        except Exception as e:  # a check that crashes is a failed check with its error as evidence
            ok, ev = False, f"{type(e).__name__}: {e}"
        r = CheckResult(name, ok, secrets.mask(ev), _required(name, opts), round(time.monotonic() - t0, 1))
        results.append(r)
        if ui is not None:
            ui.message(f"{'pass' if ok else 'FAIL'} {name}: {r.evidence.splitlines()[0] if r.evidence else ''}")
            ui.event("verify_check", check=name, ok=ok, evidence=r.evidence)
        return ok

    say = ui.say if ui is not None else (lambda s: None)
    say(f"Verifying {image}")
    record("format", lambda: check_format(image))
    record("clean", lambda: check_clean(image))

    vsize = int(image_info(image).get("virtual-size", 0))
    disk = opts.disk_size or 2 * vsize
    kp = generate_keypair("ed25519")
    admin_pass = "Adm1n-" + pysecrets.token_urlsafe(12)
    secrets.add(admin_pass)
    inst = Instance(hostname="pybuild-verify", admin_pass=admin_pass, public_key=kp.public_openssh)
    vm = VM(image, disk_size=disk, instance=inst, datasource=opts.datasource, memory=opts.memory)
    evidence_dir = ""
    try:
        say(f"Booting a {disk / 2**30:.1f} GiB overlay with a {opts.datasource} datasource "
            f"(SSH on 127.0.0.1:{0})")
        vm.start()
        say(f"VM started; SSH forward 127.0.0.1:{vm.ssh_port}")
        comm = None

        def ssh_key() -> tuple[bool, str]:
            nonlocal comm
            comm = connect("127.0.0.1", vm.ssh_port, username=opts.user, private_key_pem=kp.private_pem,
                           timeout=opts.boot_timeout, handshake_attempts=30, retry_interval=2.0)
            return True, f"{opts.user}@ logged in with the metadata key after {time.monotonic() - vm.started:.0f}s"

        key_ok = record("ssh_key", ssh_key)

        def run_cmd(cmd: str) -> str:
            assert comm is not None
            out: list[str] = []
            rc = comm.run(cmd, on_stdout=out.append)
            if rc != 0:
                raise PybuildError(f"`{cmd}` exited {rc}")
            return "\n".join(out)

        def console() -> tuple[bool, str]:
            deadline = time.monotonic() + 60
            while True:
                text = vm.serial_text()
                has_kernel = "Linux version" in text
                has_login = re.search(r"login:", text) is not None
                if (has_kernel and has_login) or time.monotonic() > deadline:
                    break
                time.sleep(1)
            return has_kernel and has_login, f"kernel banner={'yes' if has_kernel else 'no'} login prompt={'yes' if has_login else 'no'} ({len(text)} bytes)"

        record("console", console)
        if key_ok:
            record("hostname", lambda: _eq(run_cmd("hostname").strip(), inst.hostname, "hostname"))

            def growpart() -> tuple[bool, str]:
                # cloud-init may still be growing: give it a little time
                deadline = time.monotonic() + 90
                while True:
                    size = int(run_cmd("df -B1 --output=size / | tail -1").strip())
                    if size >= 0.85 * disk or time.monotonic() > deadline:
                        break
                    time.sleep(3)
                return size >= 0.85 * disk, f"/ is {size / 2**30:.2f} GiB on a {disk / 2**30:.2f} GiB disk"

            record("growpart", growpart)
            record("root_login", lambda: _grep(run_cmd("sudo sshd -T 2>/dev/null || sshd -T"),
                                               r"^permitrootlogin yes$", "sshd -T"))
        else:
            for n in ("hostname", "growpart", "root_login"):
                record(n, lambda: (False, "no SSH session (ssh_key failed)"))

        def password_works(user: str, password: str, wait: float) -> tuple[bool, str]:
            """SSH password login; when sshd refuses it, check the shadow hash through the
            key session (libc crypt via perl), which is what a console login checks."""
            deadline = time.monotonic() + wait
            last = ""
            while True:
                try:
                    c = connect("127.0.0.1", vm.ssh_port, username=user, password=password, timeout=20,
                                handshake_attempts=1)
                    c.close()
                    return True, f"{user} logged in over SSH with the password"
                except Exception as e:
                    last = str(e).splitlines()[0]
                if comm is not None:
                    ok = _shadow_matches(run_cmd, user, password)
                    if ok:
                        return True, (f"{user}'s password hash matches (sshd refused the password login: "
                                      f"{last[:80]})")
                if time.monotonic() >= deadline:
                    return False, f"{user}'s password does not match; SSH login refused: {last}"
                time.sleep(5)

        def admin() -> tuple[bool, str]:
            ok, ev = password_works("root", admin_pass, 120)
            return ok, ev.replace("the password", "the config drive's admin_pass")

        record("admin_pass", admin)

        def qga_ping() -> tuple[bool, str]:
            deadline = time.monotonic() + 60
            while True:
                try:
                    vm.qga("guest-ping")
                    info = vm.qga("guest-info")
                    return True, f"guest-ping answered (agent {info.get('version', '?')})"
                except Exception as e:
                    if time.monotonic() > deadline:
                        return False, f"no answer on org.qemu.guest_agent.0: {e}"
                    time.sleep(2)

        qga_ok = record("qga_ping", qga_ping)

        def set_password() -> tuple[bool, str]:
            if not qga_ok:
                return False, "qemu-guest-agent not answering"
            new = "Nw-" + pysecrets.token_urlsafe(12)
            vm.set_password("root", new)
            ok, ev = password_works("root", new, 10)
            return ok, "guest-set-user-password root; " + ev.replace("the password", "the new password")

        record("set_password", set_password)
        if comm is not None:
            comm.close()
    finally:
        report_ok = all(r.ok for r in results if r.required)
        if not report_ok:
            evidence_dir = str(_keep_evidence(vm, opts))
        vm.stop()
        vm.remove()
    rep = VerifyReport(str(image), results, started, round(time.monotonic() - t_start, 1), evidence_dir)
    return rep


def _keep_evidence(vm: VM, opts: VerifyOptions) -> Path:
    import shutil

    d = opts.evidence_dir or Path("pybuild-failures") / f"verify-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    d.mkdir(parents=True, exist_ok=True)
    vm.screenshot(d / "screenshot.png")
    if vm.serial_log.exists():
        shutil.copy2(vm.serial_log, d / "serial.log")
    return d


_CRYPT = "perl -e 'my ($p, $h) = @ARGV; print crypt($p, $h) eq $h ? \"match\" : \"differ\"'"


def _shadow_matches(run_cmd: Callable[[str], str], user: str, password: str) -> bool:
    try:
        entry = run_cmd(f"sudo -n getent shadow {user}")
        hashed = entry.split(":")[1]
        if not hashed.startswith("$"):
            return False
        import shlex

        return run_cmd(f"{_CRYPT} {shlex.quote(password)} {shlex.quote(hashed)}").strip() == "match"
    except Exception:
        return False


def _eq(got: str, want: str, what: str) -> tuple[bool, str]:
    return got == want, f"{what} is {got!r} (metadata says {want!r})"


def _grep(text: str, pattern: str, what: str) -> tuple[bool, str]:
    m = re.search(pattern, text, re.MULTILINE | re.IGNORECASE)
    return m is not None, f"{what}: {m.group(0) if m else 'no match for ' + pattern}"


__all__ = [
    "CHECKS",
    "Any",
    "CheckResult",
    "VerifyOptions",
    "VerifyReport",
    "check_clean",
    "check_format",
    "verify_image",
]
