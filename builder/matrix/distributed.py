"""Many build hosts: the matrix as a Celery canvas, routed to workers by capability queues.

- **Routing**: each cell's task is sent to its queue (:attr:`Cell.route`: ``x86_64``,
  ``x86_64-kvm``, ``aarch64``...); a build host runs ``pybuild worker --queues ...`` for what it
  offers.
- **Dependencies are the canvas**, not a loop of ours. When every cell depends on at most one
  other (base → derived trees), each tree is ``chain(base, group(children...))``, so a derived
  cell starts the moment its own base is done. Otherwise the graph runs level by level:
  ``chain(chord(group(level0), barrier), chord(group(level1), barrier), ...)``, which runs every
  cell once at the cost of waiting for the whole previous level.
- **Results**: every cell's task has the id ``RUN_ID.CELL`` and never raises for a failed build
  (its result says "failed"), so a failure never breaks the canvas. A chained cell gets its
  parent's result from the chain; after a chord, the earlier levels' results are read from the
  result backend. A cell returns "skipped" without building when a dependency did not succeed.
  A result is one cell's: nothing grows as it travels down the canvas.
- **Long tasks**: late acknowledgement, re-queue when the worker process dies, one message
  prefetched per process, and a Redis visibility timeout longer than the longest cell (else
  Redis hands a still-running cell to a second worker).
- **Time limits**: a cell's ``timeout`` is enforced by the cell runner (the build stopped, its
  QEMU with it); Celery's soft and hard time limits are set a little later as a backstop
  (:func:`time_limits`), so a stuck task cannot hold a worker process forever.
- **No secrets in messages**: a task carries the cell (paths, -only, non-sensitive variables) and
  returns statuses and paths; sensitive variables come from each worker's ``PKR_VAR_*``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, chain, chord, group
from celery.canvas import Signature
from celery.exceptions import SoftTimeLimitExceeded
from celery.result import AsyncResult

from builder.matrix.cell import STOP_GRACE, CellResult, run_after, skipped
from builder.matrix.model import DEFAULT_VISIBILITY_TIMEOUT, Cell, Matrix
from builder.matrix.sweep import sweep_worker

DEFAULT_RESTORE_INTERVAL = 60.0

WORK_DIR_ENV = "PYBUILD_WORKER_DIR"

app = Celery("pybuild")


def configure(broker: str, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
              restore_interval: float = DEFAULT_RESTORE_INTERVAL) -> Celery:
    """Point the app at a broker (Redis URL; results in the same Redis) with long-task settings.

    A cell whose worker died unacknowledged is handed to another worker once
    ``visibility_timeout`` has passed since it was delivered, found by a scan every
    ``restore_interval`` seconds (kombu's default scan period is ~100 s). Once per process:
    the app keeps its connections to the first broker (a second broker needs an app of its own)."""
    transport = {"visibility_timeout": int(visibility_timeout),
                 "unacked_restore_interval": max(1, int(restore_interval)), "unacked_restore_throttle": 1}
    app.conf.update(
        broker_url=broker,
        result_backend=broker,
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


@app.task(bind=True, name="pybuild.matrix.cell")
def cell_task(self: Any, upstream: Any, cell: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Build one cell on this worker, or skip it when a dependency did not succeed.

    In a chain the parent's result arrives as ``upstream`` (Celery sends the next step of a
    chain *before* it stores the parent's result, so it must not be read from the backend).
    After a chord (levels) the earlier cells' results are stored, and are read from the
    backend once (no waiting)."""
    c = Cell.from_wire(cell)
    worker = str(self.request.hostname or "")
    known = {upstream["name"]: upstream} if isinstance(upstream, dict) and "name" in upstream else {}
    deps = {d: known.get(d) or _result(run_id, d) for d in c.depends_on}
    bad = [d for d, r in deps.items() if r.get("status") != "ok"]
    if bad:
        res = skipped(c, bad, worker)
    else:
        work = Path(os.environ.get(WORK_DIR_ENV) or Path.cwd() / "pybuild-worker") / run_id
        res = run_after(c, deps, work, worker, run_id, time_limit_errors=(SoftTimeLimitExceeded,))
    return res.to_dict()


def _result(run_id: str, cell: str) -> dict[str, Any]:
    """A dependency's stored result (its status, its Glance images)."""
    r = AsyncResult(task_id(run_id, cell), app=app)
    value = r.result if r.successful() else None
    return value if isinstance(value, dict) else {"status": "failed"}


@app.task(name="pybuild.matrix.barrier")
def barrier_task(_results: Any = None) -> None:
    """The end of a level: a chord body that lets the next level start."""


def task_id(run_id: str, cell: str) -> str:
    return f"{run_id}.{cell}"


def time_limits(timeout: float) -> dict[str, float]:
    """Celery's soft and hard time limits of a cell with ``timeout`` seconds (none for 0): the
    soft limit interrupts the task's wait a little after the cell runner's own limit (which
    stops the build), the hard one kills the worker process once the build had its grace to
    cancel (the build then ends on its parent-death signal)."""
    if not timeout:
        return {}
    return {"soft_time_limit": timeout + 30, "time_limit": timeout + 30 + STOP_GRACE + 30}


def _sig(matrix: Matrix, name: str, run_id: str, chained: bool = False) -> Signature:
    """A cell's signature; ``chained``: it receives its parent's result from the chain."""
    cell = matrix.cells[name]
    args: tuple[Any, ...] = (cell.to_wire(), run_id) if chained else (None, cell.to_wire(), run_id)
    return cell_task.signature(args, queue=cell.route, task_id=task_id(run_id, name), immutable=not chained,
                               **time_limits(cell.timeout))


def build_canvas(matrix: Matrix, run_id: str) -> Signature:
    """The whole matrix as one Celery canvas (pure: nothing is sent)."""
    if matrix.is_forest():
        def tree(name: str) -> Signature:
            kids = matrix.dependants(name)
            head = _sig(matrix, name, run_id, chained=bool(matrix.cells[name].depends_on))
            if not kids:
                return head
            return chain(head, tree(kids[0]) if len(kids) == 1 else group(tree(k) for k in kids))

        return group(tree(n) for n in matrix.order() if not matrix.cells[n].depends_on)
    steps: list[Signature] = []
    for level in matrix.levels():
        steps.append(chord(group(_sig(matrix, n, run_id) for n in level),
                           barrier_task.signature(queue=matrix.cells[level[0]].route, immutable=True)))
    return chain(*steps)


def submit(matrix: Matrix, run_id: str) -> dict[str, AsyncResult]:
    """Send the canvas; returns each cell's result handle (task id ``RUN_ID.CELL``)."""
    build_canvas(matrix, run_id).apply_async()
    return {n: AsyncResult(task_id(run_id, n), app=app) for n in matrix.order()}


def collect(matrix: Matrix, handles: dict[str, AsyncResult], timeout: float | None = None) -> list[CellResult]:
    """Wait for every cell's result (the result backend's wait, not a loop of ours)."""
    out: list[CellResult] = []
    for name in matrix.order():
        value = handles[name].get(timeout=timeout, propagate=False)
        if isinstance(value, dict) and value.get("name") == name:
            out.append(CellResult.from_dict(value))
        else:  # the task itself raised (a bug or a lost worker): say so, never hang the report
            out.append(CellResult(name, "failed", queue=matrix.cells[name].route,
                                  error=f"the cell's task failed: {value!r}"))
    return out


def worker_argv(queues: list[str], concurrency: int, name: str, loglevel: str = "INFO") -> list[str]:
    """The ``celery worker`` arguments of ``pybuild worker`` (pure). ``-E`` sends task events
    for Flower."""
    return ["worker", "-Q", ",".join(queues), "-c", str(concurrency), "-n", name, "-l", loglevel, "-E"]


def run_worker(broker: str, queues: list[str], concurrency: int, name: str, work_dir: Path,
               visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
               restore_interval: float = DEFAULT_RESTORE_INTERVAL) -> None:
    configure(broker, visibility_timeout, restore_interval)
    work_dir.mkdir(parents=True, exist_ok=True)
    swept = sweep_worker(work_dir, lambda line: print(f"==> sweep: {line}", flush=True))
    print(f"==> sweep: {f'swept {swept} thing(s)' if swept else 'nothing'} left by a dead worker", flush=True)
    os.environ[WORK_DIR_ENV] = str(work_dir.resolve())
    app.worker_main(worker_argv(queues, concurrency, name))
