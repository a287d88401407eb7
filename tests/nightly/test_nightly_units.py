"""Fast checks (no VM) of the nightly machinery: the output-directory lock is exclusive
across processes and never held on an unlinked file; the leftover sweep removes only dead
runs; the download-retries knob."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
from pathlib import Path

import pytest

from builder import leftovers
from builder.errors import BuildError
from builder.leftovers import OutputLock, sweep_run_dirs, write_pid


def _try_lock(out: str, q: multiprocessing.Queue[str]) -> None:
    try:
        OutputLock(Path(out)).acquire()
        q.put("acquired")
    except BuildError as e:
        q.put(str(e))


def test_lock_is_exclusive_across_processes(tmp_path: Path):
    out = tmp_path / "output-x"
    lock = OutputLock(out)
    lock.acquire()
    q: multiprocessing.Queue[str] = multiprocessing.Queue()
    p = multiprocessing.Process(target=_try_lock, args=(str(out), q))
    p.start()
    p.join(30)
    assert f"is being built by another pybuild process (pid {os.getpid()})" in q.get(timeout=5)
    lock.release()
    assert not lock.path.exists()
    p = multiprocessing.Process(target=_try_lock, args=(str(out), q))
    p.start()
    p.join(30)
    assert q.get(timeout=5) == "acquired"


def test_lock_on_an_unlinked_file_is_retried(tmp_path: Path):
    """A process that opened the lock file just before its holder released (and unlinked)
    it must not keep a lock nobody else can see."""
    out = tmp_path / "output-x"
    stale = OutputLock(out)
    stale.acquire()
    fd_before = os.open(stale.path, os.O_RDWR)  # opened by a racing process...
    stale.release()  # ...then the holder releases and unlinks
    os.close(fd_before)
    a = OutputLock(out)
    a.acquire()
    assert os.stat(a.path).st_ino == os.fstat(a.fd).st_ino  # type: ignore[arg-type]
    with pytest.raises(BuildError):
        OutputLock(out).acquire()
    a.release()


def test_sweep_removes_only_dead_runs(tmp_path: Path):
    alive = tmp_path / "pybuild-alive"
    dead = tmp_path / "pybuild-dead"
    foreign = tmp_path / "pybuild-nopid"
    for d in (alive, dead, foreign):
        d.mkdir()
    write_pid(alive)
    p = multiprocessing.Process(target=os.getpid)
    p.start()
    p.join()
    (dead / "pid").write_text(str(p.pid))
    removed = sweep_run_dirs(tmp=str(tmp_path))
    assert removed == [dead]
    assert alive.is_dir() and foreign.is_dir() and not dead.exists()


def test_download_attempts_knob(monkeypatch: pytest.MonkeyPatch):
    from builder.errors import UsageError
    from builder.steps.download import download_attempts

    monkeypatch.delenv("PYBUILD_DOWNLOAD_ATTEMPTS", raising=False)
    assert download_attempts() == 3
    monkeypatch.setenv("PYBUILD_DOWNLOAD_ATTEMPTS", "7")
    assert download_attempts() == 7
    monkeypatch.setenv("PYBUILD_DOWNLOAD_ATTEMPTS", "0")
    assert download_attempts() == 1
    monkeypatch.setenv("PYBUILD_DOWNLOAD_ATTEMPTS", "many")
    with pytest.raises(UsageError, match="PYBUILD_DOWNLOAD_ATTEMPTS"):
        download_attempts()


def test_pid_alive_counts_a_zombie_as_dead() -> None:
    """A killed process nobody has reaped yet (its parent died too) is a zombie: the sweeps
    must treat its leftovers as a dead owner's."""
    proc = subprocess.Popen(["sleep", "30"])
    try:
        assert leftovers.pid_alive(proc.pid)
        proc.kill()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{proc.pid}/stat").read_text().split(")")[-1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the killed child never became a zombie"
            time.sleep(0.05)
        assert not leftovers.pid_alive(proc.pid)  # still in /proc, not reaped: a zombie
    finally:
        proc.kill()
        proc.wait()
    assert not leftovers.pid_alive(proc.pid)
