"""Helpers for the nightly-operation tests: run the real ``pybuild`` CLI the way a timer
would (``--log-json``, ``--report``, ``-timestamp-ui``), each run with a private TMPDIR so
its temporary files can be checked without seeing other processes' files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.fixtures.runs import Run

HERE = Path(__file__).resolve().parent
TINY = HERE / "tiny.pkr.hcl"


class Pybuild:
    """One ``pybuild build`` in ``workdir`` with a private, short TMPDIR (QEMU's unix
    socket paths must stay under 108 bytes)."""

    def __init__(self, workdir: Path, args: list[str], env: dict[str, str] | None = None,
                 tmpdir: Path | None = None, tag: str = ""):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.tmpdir = tmpdir or Path(tempfile.mkdtemp(prefix="nt-", dir="/tmp"))
        self.events_path = workdir / f"events{tag}.jsonl"
        self.report = workdir / f"junit{tag}.xml"
        self.env = dict(os.environ)
        self.env.update(PYBUILD_ACCELERATOR="tcg", PYBUILD_FAILURE_DIR=str(workdir / "failures"),
                        PYBUILD_LOG_DIR=str(workdir / "logs"), PYBUILD_CACHE_DIR=str(workdir / "cache"),
                        PYTHONUNBUFFERED="1", TMPDIR=str(self.tmpdir))
        self.env.update(env or {})
        self.argv = [sys.executable, "-m", "builder.cli", "build", "-timestamp-ui",
                     "--log-json", str(self.events_path), "--report", str(self.report), *args]
        self.proc: subprocess.Popen[str] | None = None
        self.buf = ""
        self.t0 = 0.0
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread()

    def start(self) -> Pybuild:
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, cwd=self.workdir, env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        return self

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self._lines.append(line)

    def _read(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            self._reader.join(10)
        with self._lock:
            self.buf += "".join(self._lines)
            self._lines.clear()

    def wait_for(self, needle: str, timeout: float) -> str:
        """Read the output until ``needle`` appears; fail (and kill) otherwise."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read()
            if needle in self.buf:
                return self.buf
            if self.proc.poll() is not None:
                self._read()
                if needle in self.buf:
                    return self.buf
                break
            time.sleep(0.2)
        self.kill()
        raise AssertionError(f"{needle!r} did not appear; output:\n{self.buf[-4000:]}")

    def finish(self, timeout: float = 300) -> Run:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read()
            time.sleep(0.2)
        if self.proc.poll() is None:
            self.kill()
            raise AssertionError(f"pybuild did not finish in {timeout}s; output:\n{self.buf[-4000:]}")
        self._read()
        return Run(self.proc.returncode, self.buf, self.workdir, self.events(), time.monotonic() - self.t0,
                   self.proc.pid)

    def run(self, timeout: float = 600) -> Run:
        return self.start().finish(timeout)

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def events(self) -> list[dict]:
        if not self.events_path.exists():
            return []
        return [json.loads(x) for x in self.events_path.read_text().splitlines() if x.strip()]

    def qemu_pids(self) -> list[int]:
        return [e["pid"] for e in self.events() if e["event"] == "qemu_started"]

    def close(self) -> None:
        """Kill what is left (pybuild, then any QEMU it started) and remove the TMPDIR."""
        self.kill()
        for pid in self.qemu_pids():
            if process_alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_gone(pids: list[int], timeout: float = 30, *, started: int) -> list[int]:
    """The processes of ``pids`` still alive after ``timeout``; ``started`` is how many there
    must be (the ``qemu_started`` events), so that "none left" cannot pass vacuously."""
    assert len(pids) == started, f"expected {started} QEMU processes (qemu_started events), got {pids}"
    deadline = time.monotonic() + timeout
    alive = [p for p in pids if process_alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if process_alive(p)]
    return alive


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def ps_lines() -> str:
    """What any user of the machine sees with ``ps``."""
    return subprocess.run(["ps", "-eo", "pid,args", "-ww"], capture_output=True, text=True).stdout


def all_text_under(root: Path) -> str:
    """Everything readable under ``root`` (logs, events, manifests, evidence...)."""
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.stat().st_size < 64 * 2**20:
            out.append(p.read_bytes().decode(errors="replace"))
    return "\n".join(out)
