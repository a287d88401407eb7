"""Helpers for the end-to-end tests: run the real `pybuild` CLI on templates, under TCG."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tests.fixtures.runs import Run

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = Path(__file__).with_name("minimal.pkr.hcl")
HOOKS = Path(__file__).with_name("record_hooks.py")


def pybuild_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYBUILD_ACCELERATOR="tcg", PYBUILD_FAILURE_DIR=str(workdir / "failures"),
               PYBUILD_LOG_DIR=str(workdir / "logs"), PYTHONUNBUFFERED="1")
    return env


def run_pybuild(args: list[str], workdir: Path, timeout: float = 2400, env: dict[str, str] | None = None) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    events = workdir / "events.jsonl"
    t0 = time.monotonic()
    full_env = pybuild_env(workdir)
    full_env.update(env or {})
    p = subprocess.Popen([sys.executable, "-m", "builder.cli", *args[:1], "--log-json", str(events), *args[1:]],
                         cwd=workdir, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
    ev = [json.loads(x) for x in events.read_text().splitlines()] if events.exists() else []
    return Run(p.returncode, out, workdir, ev, time.monotonic() - t0, p.pid)


def start_pybuild(args: list[str], workdir: Path) -> subprocess.Popen[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "builder.cli", *args], cwd=workdir, env=pybuild_env(workdir),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)


def read_until(p: subprocess.Popen[str], needle: str, timeout: float) -> str:
    """Read the child's output until ``needle`` appears (or fail); a thread keeps reading."""
    assert p.stdout is not None
    if not hasattr(p, "_lines"):
        q: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert p.stdout is not None
            for line in p.stdout:
                q.put(line)
            q.put("")

        threading.Thread(target=pump, daemon=True).start()
        p._lines = q  # type: ignore[attr-defined]
    buf = ""
    for line in _lines(p._lines, timeout):  # type: ignore[attr-defined]
        buf += line
        if needle in line:
            return buf
    p.kill()
    raise AssertionError(f"{needle!r} did not appear; output:\n{buf[-3000:]}")


def rest_of_output(p: subprocess.Popen[str], timeout: float) -> str:
    """Wait for the child to exit and return what it printed since read_until."""
    p.wait(timeout)
    q = getattr(p, "_lines", None)
    return "".join(_lines(q, 10)) if q is not None else ""


def _lines(q: queue.Queue[str], timeout: float) -> Iterator[str]:
    """The pumped output lines, until the child's output ends or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = q.get(timeout=0.5)
        except queue.Empty:
            continue
        if line == "":
            return
        yield line


_RUN_DIR = re.compile(r"^pybuild-(evidence-)?[a-z0-9_]{8}$")


def tmp_rundirs(pid: int) -> set[str]:
    """pybuild's private temp dirs (run dirs, evidence staging) left by process ``pid``
    (each holds a ``pid`` file; other processes' dirs are not ours to judge)."""
    found = set()
    for d in Path("/tmp").iterdir():
        if not _RUN_DIR.match(d.name):
            continue
        try:
            if int((d / "pid").read_text().strip()) == pid:
                found.add(str(d))
        except (OSError, ValueError):
            continue
    return found


def kill_tree(p: subprocess.Popen[str]) -> None:
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        p.wait(10)


def qemu_running(workdir: Path) -> list[int]:
    """QEMU processes started for a build run in ``workdir`` (their cwd), still alive."""
    return running_in(workdir, "-f", "qemu-system")


def running_in(workdir: Path, *pgrep_args: str) -> list[int]:
    """Processes matched by ``pgrep *pgrep_args`` whose cwd is ``workdir`` (started by a run there)."""
    out = subprocess.run(["pgrep", *pgrep_args], capture_output=True, text=True).stdout
    found = []
    for pid in map(int, out.split()):
        try:
            if os.readlink(f"/proc/{pid}/cwd") == str(workdir):
                found.append(pid)
        except OSError:
            continue
    return found


