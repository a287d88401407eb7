"""Unattended nightly operation with real QEMU (TCG; tiny.pkr.hcl boots nothing, so each
build takes seconds): secrets never leak, concurrent runs never collide, a killed run's
leftovers are swept by the next run, and two runs never share an output directory."""

from __future__ import annotations

import re
import signal
import socket
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from nightly_util import TINY, Pybuild, all_text_under, cmdline, process_alive, ps_lines, wait_gone

pytestmark = pytest.mark.slow
CANARY = "Nightly-Canary-5521"  # tiny.pkr.hcl's sensitive default


class _PsSampler:
    """Records what ``ps`` shows (every process's command line) while a build runs."""

    def __init__(self) -> None:
        self.samples: list[str] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.3):
            self.samples.append(ps_lines())

    def __enter__(self) -> _PsSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join(5)


def test_sensitive_variable_appears_in_no_output(tmp_path: Path, blank_iso: Path, pybuilds: list[Pybuild]):
    """The sensitive value is used in the boot command, the HTTP content, the SSH password,
    a provisioner, two post-processors (shell-local, manifest) and an error message."""
    debug_log = tmp_path / "debug.log"
    env = {"PYBUILD_LOG": "1", "PYBUILD_LOG_PATH": str(debug_log)}
    typing = ["-var", "type_secret=true", "-var", "reboot_timeout=15000"]
    ok = Pybuild(tmp_path / "ok", ["-var", f"iso_url={blank_iso}", *typing, str(TINY)], env=env)
    bad = Pybuild(tmp_path / "bad", ["-var", f"iso_url={blank_iso}", *typing, "-var", "fail_provision=true",
                                     "-machine-readable", str(TINY)], env=env)
    pybuilds += [ok, bad]
    with _PsSampler() as ps:
        ok.start()
        bad.start()
        r_ok = ok.finish(timeout=600)
        r_bad = bad.finish(timeout=600)
    assert r_ok.rc == 0, r_ok.out[-3000:]
    assert r_bad.rc == 1, r_bad.out[-3000:]
    # the value really was used (masked where shown)...
    assert "PROVISIONING-STARTED secret=<sensitive>" in r_ok.out
    assert "POST-PROCESSING-STARTED <sensitive>" in r_ok.out
    assert any(e["event"] == "boot_command_text" and e["text"] == "login <sensitive>" for e in r_ok.events)
    assert '"token": "<sensitive>"' in (ok.workdir / "manifest.json").read_text()
    assert "failing with <sensitive>" in r_bad.out
    # ...QEMU ran while we watched ps...
    qemu_pids = ok.qemu_pids() + bad.qemu_pids()
    assert len(qemu_pids) == 4
    assert any(f"{pid} qemu-system" in s for s in ps.samples for pid in qemu_pids), "ps never saw QEMU"
    # ...and the value is in none of the outputs
    fdirs = list((bad.workdir / "failures").iterdir())
    assert {f.name.split("-")[0] for f in fdirs} == {"qemu.a", "qemu.b"}
    assert all((f / "build.log").stat().st_size > 0 for f in fdirs)
    places = {
        "UI (ok)": r_ok.out,
        "UI (failed, machine-readable)": r_bad.out,
        "debug log": debug_log.read_text(errors="replace"),
        # QEMU's command line as any local user sees it (the shell-local case is below)
        "ps (QEMU)": "\n".join(ln for smp in ps.samples for ln in smp.splitlines() if "qemu-system" in ln),
    }
    for w in (ok.workdir, bad.workdir):  # events, per-build logs, junit, manifest, evidence, outputs
        places[str(w)] = all_text_under(w)
    leaks = [where for where, text in places.items() if CANARY in text]
    assert leaks == [], f"the sensitive value leaked into: {leaks}"
    assert 'failures="2"' in (bad.workdir / "junit.xml").read_text()


def _ports(out: str) -> dict[str, dict[str, int]]:
    """{build: {"http": port, "vnc": port, "ssh": port}} from the UI output."""
    found: dict[str, dict[str, int]] = {}
    pats = {"http": r"==> (qemu\.\w+): Starting HTTP server on port (\d+)",
            "vnc": r"==> (qemu\.\w+): VNC: vnc://127\.0\.0\.1:(\d+)",
            "ssh": r"==> (qemu\.\w+): Forwarding SSH: host 127\.0\.0\.1:(\d+)"}
    for kind, pat in pats.items():
        for build, port in re.findall(pat, out):
            found.setdefault(build, {})[kind] = int(port)
    return found


def _vnc_banner(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        return s.recv(12)


def test_two_processes_with_two_builds_each_use_distinct_ports(tmp_path: Path, blank_iso: Path,
                                                               pybuilds: list[Pybuild]):
    # 1. four builds waiting for SSH at once: every HTTP server, VNC server and SSH forward
    #    is live at the same time, each on its own port
    # one user's processes share one cache dir, and with it the port lock files (a private
    # cache per process would leave only the bind check, which cannot see a port whose
    # lease closed its socket for QEMU a moment before QEMU listens)
    shared = {"PYBUILD_CACHE_DIR": str(tmp_path / "cache")}
    runs = [Pybuild(tmp_path / f"ssh{i}", ["-var", f"iso_url={blank_iso}", "-var", "communicator=ssh",
                                           "-var", "reboot_timeout=-1", str(TINY)], env=shared) for i in (1, 2)]
    pybuilds += runs
    for r in runs:
        r.start()
    for r in runs:
        r.wait_for("qemu.a: Waiting for SSH", timeout=300)
        r.wait_for("qemu.b: Waiting for SSH", timeout=300)
    ports = [_ports(r.buf) for r in runs]
    assert all(set(p) == {"qemu.a", "qemu.b"} and all(len(v) == 3 for v in p.values()) for p in ports), ports
    flat = [port for p in ports for b in p.values() for port in b.values()]
    assert len(flat) == 12 and len(set(flat)) == 12, ports
    for p in ports:
        for b in p.values():
            with urllib.request.urlopen(f"http://127.0.0.1:{b['http']}/ks.cfg", timeout=10) as resp:
                assert resp.status == 200 and resp.read().startswith(b"rootpw ")
            assert _vnc_banner(b["vnc"]).startswith(b"RFB ")
            socket.create_connection(("127.0.0.1", b["ssh"]), timeout=10).close()  # QEMU's forward
    for r in runs:
        r.signal(signal.SIGTERM)
    for r in runs:
        assert r.finish(timeout=120).rc == 130
        assert wait_gone(r.qemu_pids(), timeout=10, started=2) == []

    # 2. four builds to completion, two processes at once: all succeed, all ports distinct
    runs = [Pybuild(tmp_path / f"ok{i}", ["-var", f"iso_url={blank_iso}", "-parallel-builds=2", str(TINY)],
                    env=shared) for i in (1, 2)]
    pybuilds += runs
    for r in runs:
        r.start()
    results = [r.finish(timeout=600) for r in runs]
    assert [res.rc for res in results] == [0, 0], [res.out[-2000:] for res in results]
    ports = [_ports(res.out) for res in results]
    flat = [port for p in ports for b in p.values() for port in b.values()]
    assert len(flat) == 8 and len(set(flat)) == 8, ports
    # the four builds really overlapped in time
    spans = []
    for res in results:
        start = {e["build"]: e["time"] for e in res.events if e["event"] == "build_start"}
        end = {e["build"]: e["time"] for e in res.events if e["event"] == "build_end" and e["ok"]}
        assert set(end) == {"qemu.a", "qemu.b"}
        spans += [(datetime.fromisoformat(start[b]), datetime.fromisoformat(end[b])) for b in end]
    assert max(s for s, _ in spans) < min(e for _, e in spans), spans
    for res in results:
        assert (res.workdir / "output-a" / "packer-a").is_file() and (res.workdir / "output-b" / "packer-b").is_file()


def test_next_run_sweeps_leftovers_of_a_killed_run(tmp_path: Path, blank_iso: Path, pybuilds: list[Pybuild]):
    w = tmp_path / "w"
    first = Pybuild(w, ["-var", f"iso_url={blank_iso}", "-var", "reboot_timeout=-1", str(TINY)])
    pybuilds.append(first)
    first.start()
    first.wait_for("qemu.a: Waiting for the guest to power off", timeout=300)
    first.wait_for("qemu.b: Waiting for the guest to power off", timeout=300)
    assert first.proc is not None
    first.proc.kill()  # SIGKILL: no cleanup at all (OOM killer, power cut of the runner...)
    first.proc.wait(10)
    orphans = first.qemu_pids()
    assert len(orphans) == 2 and all(process_alive(p) for p in orphans)
    left = sorted(p.name for p in first.tmpdir.iterdir())
    assert len(left) == 4 and all(n.startswith("pybuild-") for n in left), left  # 2 run dirs + 2 staging
    assert (w / "output-a" / ".pybuild-incomplete").exists()
    # the next nightly run, same directory, same TMPDIR, no -force
    second = Pybuild(w, ["-var", f"iso_url={blank_iso}", str(TINY)], tmpdir=first.tmpdir, tag="-2")
    pybuilds.append(second)
    r = second.run(timeout=600)
    assert r.rc == 0, r.out[-3000:]
    assert "Removed leftovers of a killed pybuild run" in r.out
    assert "left incomplete by a killed pybuild run" in r.out
    assert wait_gone(orphans, timeout=10, started=2) == []
    assert list(first.tmpdir.iterdir()) == []
    assert not (w / "output-a" / ".pybuild-incomplete").exists() and (w / "output-a" / "packer-a").is_file()


def test_second_run_into_the_same_output_dir_fails_while_the_first_holds_it(
    tmp_path: Path, blank_iso: Path, pybuilds: list[Pybuild]
):
    w = tmp_path / "w"
    first = Pybuild(w, ["-only=qemu.a", "-var", f"iso_url={blank_iso}", "-var", "reboot_timeout=-1", str(TINY)])
    pybuilds.append(first)
    first.start()
    first.wait_for("Waiting for the guest to power off", timeout=300)
    assert first.proc is not None
    t0 = time.monotonic()
    second = Pybuild(w, ["-only=qemu.a", "-force", "-var", f"iso_url={blank_iso}", str(TINY)], tag="-2")
    pybuilds.append(second)
    r = second.run(timeout=300)
    assert r.rc == 1, r.out[-3000:]
    assert time.monotonic() - t0 < 120  # fails at once, does not wait for the lock
    assert (f"Output directory 'output-a' is being built by another pybuild process (pid {first.proc.pid})"
            in r.out), r.out[-3000:]
    assert second.qemu_pids() == []  # it never started a VM
    # the first run is untouched: its output and its QEMU are still there
    assert (w / "output-a" / "packer-a").is_file()
    held = first.qemu_pids()
    assert len(held) == 1 and all(process_alive(p) and "packer-a" in cmdline(p) for p in held), held
    first.signal(signal.SIGTERM)
    assert first.finish(timeout=120).rc == 130
    assert wait_gone(first.qemu_pids(), timeout=10, started=1) == []
    assert not (w / ".output-a.pybuild.lock").exists()


def test_shell_local_environment_not_visible_in_ps(tmp_path: Path, blank_iso: Path, pybuilds: list[Pybuild]):
    pb = Pybuild(tmp_path / "w", ["-only=qemu.a", "-var", f"iso_url={blank_iso}", "-var", "provision_sleep=3",
                                  str(TINY)])
    pybuilds.append(pb)
    with _PsSampler() as ps:
        r = pb.run(timeout=600)
    assert r.rc == 0, r.out[-3000:]
    assert any("PROVISIONING-STARTED" in ln for ln in r.out.splitlines())
    leaks = sorted({ln for smp in ps.samples for ln in smp.splitlines() if CANARY in ln})
    assert leaks == []
