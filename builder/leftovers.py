"""Nightly hygiene: what a killed run (SIGKILL, power loss) leaves behind is found and
removed by the next run, and two runs never build into the same output directory.

- every qemu build has a private run directory ``$TMPDIR/pybuild-*`` holding a ``pid``
  file; a run directory whose pid is dead is removed, and a QEMU (or swtpm) still using it is ended;
- an output directory is locked (``fcntl.flock`` on ``.<name>.pybuild.lock`` beside it)
  while a build writes it, and marked ``.pybuild-incomplete`` until the build succeeds:
  an incomplete directory whose lock is free was left by a killed run and is removed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from builder.errors import BuildError
from builder.ui import BuildUI

INCOMPLETE = ".pybuild-incomplete"


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs. A zombie does not: a killed process whose parent died too stays
    one until PID 1 reaps it, and must not pass for a live owner of its leftovers."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: os.kill's answer is all there is
    return stat[stat.rfind(")") + 2 :][:1] != "Z"


def write_pid(run_dir: Path) -> None:
    (run_dir / "pid").write_text(str(os.getpid()))


def sweep_run_dirs(ui: BuildUI | None = None, tmp: str | None = None,
                   say: Callable[[str], None] | None = None) -> list[Path]:
    """Remove run directories of dead pybuild processes (and end their QEMUs); ``say`` gets a
    line per process ended and directory removed."""
    removed = []
    base = Path(tmp or tempfile.gettempdir())
    for d in base.glob("pybuild-*"):
        pidf = d / "pid"
        if not d.is_dir() or not pidf.is_file():
            continue
        try:
            pid = int(pidf.read_text().strip())
        except (OSError, ValueError):
            continue
        if pid_alive(pid):
            continue
        for qpid in _qemus_using(d):
            try:
                os.kill(qpid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            if say is not None:
                say(f"killed QEMU/swtpm pid {qpid} of a dead pybuild run (pid {pid}) using {d}")
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
        if say is not None:
            say(f"removed {d} (run directory of dead pybuild pid {pid})")
        if ui is not None:
            ui.say(f"Removed leftovers of a killed pybuild run (pid {pid}): {d}")
    return removed


def _qemus_using(run_dir: Path) -> list[int]:
    # QEMU, and the swtpm of a vtpm build (its state and socket are in the run directory)
    out = subprocess.run(["pgrep", "-f", f"(qemu-system|swtpm).*{run_dir}"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


class OutputLock:
    """Exclusive lock of an output directory for the duration of a build."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.path = output_dir.parent / f".{output_dir.name}.pybuild.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    owner = os.read(fd, 32).decode().strip()
                finally:
                    os.close(fd)
                raise BuildError(
                    f"Output directory '{self.output_dir}' is being built by another pybuild process"
                    f"{f' (pid {owner})' if owner else ''}; refusing to build into it at the same time."
                ) from None
            # the holder unlinks the file on release: a lock on an unlinked file is no lock
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            try:  # unlink while still holding the lock, so no one locks a doomed file
                self.path.unlink()
            except FileNotFoundError:
                pass
            os.close(self.fd)
            self.fd = None


def left_by_killed_run(output_dir: Path) -> bool:
    """True when the directory carries the incomplete marker (we hold its lock, so its
    writer is gone)."""
    return (output_dir / INCOMPLETE).exists()


def check_free_space(where: Path, needed: int, what: str) -> None:
    probe = where
    while not probe.exists():
        probe = probe.parent
    st = os.statvfs(probe)
    free = st.f_bavail * st.f_frsize
    if free < needed:
        raise BuildError(
            f"Not enough free disk space for {what} in {probe}: {free / 2**30:.1f} GiB free, "
            f"about {needed / 2**30:.1f} GiB needed."
        )
