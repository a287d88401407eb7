"""One cell run: a ``pybuild build`` subprocess in the cell's own directory.

uses:     a Cell (template, var files, plain vars, -only/-except, timeout, disk need), a work directory
produces: a CellResult; in ``WORK/CELL/``: build.log (the build's output), junit.xml, events.jsonl,
          and whatever the template writes relative to its working directory (output_directory...)

The build runs in a child process, not in the worker's process: a crashing or hanging build
cannot take the worker down, its timeout is enforced by ending its process group, and the
worker's environment (``PKR_VAR_*`` for sensitive variables) reaches the build unchanged.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from builder.matrix.details import mask_worker_secrets, read_details
from builder.matrix.handoff import HandoffError, UploadContext, bind_image_vars, images_from_events
from builder.matrix.model import Cell
from builder.matrix.sweep import mark, unmark
from builder.run import Process

STATUSES = ("ok", "failed", "timeout", "skipped")


@dataclass
class CellResult:
    name: str
    status: str  # one of STATUSES
    duration: float = 0.0
    returncode: int | None = None
    worker: str = ""
    host: str = ""
    queue: str = ""
    log: str = ""
    error: str = ""
    started: float = 0.0  # wall clock (epoch seconds), 0 for a skipped cell
    finished: float = 0.0
    run_id: str = ""  # the matrix run that built it (an earlier one for a cell kept by a rerun)
    details: dict[str, Any] = field(default_factory=dict)  # CellDetails: steps, checks, images, size, evidence
    images: list[dict[str, str]] = field(default_factory=list)  # Glance uploads: cloud, region, image_id, image_name

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CellResult:
        return cls(**d)


def build_argv(cell: Cell, cell_dir: Path) -> list[str]:
    """The ``pybuild build`` command line of a cell (pure)."""
    argv = [sys.executable, "-m", "builder.cli", "build", "-force",
            "--report", str(cell_dir / "junit.xml"), "--log-json", str(cell_dir / "events.jsonl")]
    for vf in cell.var_files:
        argv += ["-var-file", vf]
    for k, v in cell.vars.items():
        argv += ["-var", f"{k}={v}"]
    if cell.only:
        argv += ["-only", ",".join(cell.only)]
    if cell.except_:
        argv += ["-except", ",".join(cell.except_)]
    argv.append(cell.template)
    return argv


def skipped(cell: Cell, failed_deps: list[str], worker: str = "") -> CellResult:
    return CellResult(cell.name, "skipped", worker=worker, host=socket.gethostname() if worker else "",
                      queue=cell.route, error="upstream failed: depends on " + ", ".join(failed_deps)
                      + " which did not succeed")


def run_after(cell: Cell, deps: Mapping[str, Any], work_dir: Path, worker: str = "local",
              run_id: str = "", time_limit_errors: tuple[type[BaseException], ...] = ()) -> CellResult:
    """Build a cell whose dependencies' results are ``deps`` (their Glance images become the
    cell's ``image_vars``)."""
    try:
        cell = bind_image_vars(cell, deps)
    except HandoffError as e:
        return CellResult(cell.name, "failed", worker=worker, host=socket.gethostname(), queue=cell.route,
                          error=str(e))
    return run_cell(cell, work_dir, worker, run_id, time_limit_errors)


# seconds a build stopped by its time limit has to cancel cleanly (stop QEMU, remove its files)
# before its process group is killed
STOP_GRACE = 60.0


def run_cell(cell: Cell, work_dir: Path, worker: str = "local", run_id: str = "",
             time_limit_errors: tuple[type[BaseException], ...] = ()) -> CellResult:
    """Build one cell; never raises for a failed build (the result says so).

    The cell's ``timeout`` is enforced here (local runner and Celery worker alike): the build is
    sent SIGTERM, cancels (its QEMU stopped), and is killed after :data:`STOP_GRACE` s.
    ``time_limit_errors``: exceptions that mean "out of time" when they interrupt the wait
    (Celery's soft time limit, a backstop a little after ``timeout``)."""
    cell_dir = (work_dir / cell.name).resolve()
    if cell_dir.exists():
        shutil.rmtree(cell_dir)
    cell_dir.mkdir(parents=True)
    mark(cell_dir)  # a worker starting after this one died sweeps the directory (builder.matrix.sweep)
    try:
        return _build(cell, cell_dir, work_dir, worker, run_id, time_limit_errors)
    finally:
        unmark(cell_dir)


def _build(cell: Cell, cell_dir: Path, work_dir: Path, worker: str, run_id: str,
           time_limit_errors: tuple[type[BaseException], ...]) -> CellResult:
    log = cell_dir / "build.log"
    res = CellResult(cell.name, "failed", worker=worker, host=socket.gethostname(), queue=cell.route, log=str(log))
    if cell.disk_gb:
        free = shutil.disk_usage(cell_dir).free
        if free < cell.disk_gb * 2**30:
            res.error = f"needs {cell.disk_gb} GiB free in {work_dir}, this host has {free / 2**30:.1f} GiB"
            return res
    env = {**UploadContext.for_cell(cell, run_id).to_env(), "PYTHONUNBUFFERED": "1"}
    if "PYTHONPATH" not in os.environ:  # the child imports the same builder package as this process
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    start = time.monotonic()
    res.started = time.time()
    proc = Process(_die_with_parent() + build_argv(cell, cell_dir), log_path=log, cwd=cell_dir, env=env)
    rc: int | None = None
    try:
        rc = proc.wait(cell.timeout or None, cancel=None)
    except time_limit_errors:
        rc = None
    finally:
        if proc.poll() is None:
            proc.stop(grace=STOP_GRACE)
    res.duration = round(time.monotonic() - start, 3)
    res.finished = time.time()
    res.details = read_details(cell_dir, res.started).to_dict()
    res.images = images_from_events(cell_dir / "events.jsonl")
    if rc is None:
        res.status = "timeout"
        res.error = f"stopped after its time limit of {cell.timeout:g}s"
        return res
    res.returncode = rc
    if rc == 0:
        res.status = "ok"
    else:
        res.error = mask_worker_secrets(_tail(log))
    return res


def _die_with_parent() -> list[str]:
    """The build gets SIGTERM (and cancels cleanly: QEMU stopped, temporary files removed) when the
    process that started it dies, e.g. a SIGKILLed Celery worker: no orphaned build keeps running
    beside the re-delivered one. util-linux's setpriv sets the parent-death signal."""
    tool = shutil.which("setpriv")
    return [tool, "--pdeathsig", "TERM", "--"] if tool else []


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
