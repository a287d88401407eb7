"""What a dead worker left on this host, removed when ``pybuild worker`` starts again.

uses:     the worker's work directory (``WORK/RUN_ID/CELL/``, each cell being built marked with
          :data:`MARKER` holding the pid of the worker process that runs it) and ``$TMPDIR/pybuild-*``
          (the builds' run directories, :mod:`builder.leftovers`)
produces: one line per thing swept: a process ended (a build or QEMU still running in a dead
          worker's cell directory, a QEMU of a dead build's run directory), a directory removed

A cell whose worker was SIGKILLed is re-delivered to some worker (maybe another host) and
built again there from scratch, so its directory here is only litter. Cells of a live worker
(another ``pybuild worker`` sharing this work directory) are left alone: their marker's pid lives.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

from builder.leftovers import pid_alive, sweep_run_dirs

MARKER = ".pybuild-cell.pid"


def mark(cell_dir: Path) -> None:
    """The cell in ``cell_dir`` is being built by this process."""
    (cell_dir / MARKER).write_text(str(os.getpid()))


def unmark(cell_dir: Path) -> None:
    (cell_dir / MARKER).unlink(missing_ok=True)


def processes_under(d: Path) -> list[int]:
    """Pids whose working directory is ``d`` or below (a build and its QEMU run in the cell's directory)."""
    out = []
    prefix = str(d.resolve())
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cwd = os.readlink(p / "cwd")
        except OSError:
            continue
        if cwd == prefix or cwd.startswith(prefix + "/"):
            out.append(int(p.name))
    return out


def sweep_worker(work_dir: Path, say: Callable[[str], None], tmp: str | None = None) -> int:
    """Remove a dead worker's leftovers; returns how many things were swept."""
    count = 0

    def said(line: str) -> None:
        nonlocal count
        count += 1
        say(line)

    for marker in sorted(work_dir.glob(f"*/*/{MARKER}")):
        cell_dir = marker.parent
        try:
            pid = int(marker.read_text().strip())
        except (OSError, ValueError):
            pid = 0
        if pid and pid_alive(pid):
            continue
        for p in processes_under(cell_dir):
            if p == os.getpid():
                continue
            try:
                exe = os.path.basename(os.readlink(f"/proc/{p}/exe"))
            except OSError:
                exe = "?"
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                continue
            said(f"killed {exe} pid {p} left running in {cell_dir} by dead worker process {pid}")
        shutil.rmtree(cell_dir, ignore_errors=True)
        said(f"removed {cell_dir} (cell directory of dead worker process {pid})")
    sweep_run_dirs(tmp=tmp, say=said)
    return count
