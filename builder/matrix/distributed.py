"""Many build hosts: the matrix as a Celery canvas, routed to workers by capability queues.

- **Routing**: each cell's task is sent to its queue (:attr:`Cell.route`: ``x86_64``,
  ``x86_64-kvm``, ``aarch64``...); a build host runs ``pybuild worker --queues ...`` for what it
  offers.
- **Dependencies are the canvas**, not a loop of ours. When every cell depends on at most one
  other (base → derived trees), each tree is ``chain(base, group(children...))``, so a derived
  cell starts the moment its own base is done. Otherwise the graph runs level by level:
  ``chain(group(level0), merge, group(level1), merge, ...)`` (Celery makes each group + merge a
  chord), which runs every cell once at the cost of waiting for the whole previous level.
- **Results travel down the canvas**: a task returns ``{cell: result}`` for itself and what it
  received, and a cell whose dependency did not succeed returns "skipped" without building, so a
  failure never breaks the canvas and every cell has a result under the task id
  ``RUN_ID.CELL``.
- **Long tasks**: late acknowledgement, re-queue when the worker process dies, one message
  prefetched per process, and a Redis visibility timeout longer than the longest cell (else
  Redis hands a still-running cell to a second worker).
- **No secrets in messages**: a task carries the cell (paths, -only, non-sensitive variables) and
  returns statuses and paths; sensitive variables come from each worker's ``PKR_VAR_*``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, chain, group
from celery.canvas import Signature
from celery.result import AsyncResult

from builder.matrix.cell import CellResult, run_cell, skipped
from builder.matrix.model import DEFAULT_VISIBILITY_TIMEOUT, Cell, Matrix

WORK_DIR_ENV = "PYBUILD_WORKER_DIR"

app = Celery("pybuild")


def configure(broker: str, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT) -> Celery:
    """Point the app at a broker (Redis URL; results in the same Redis) with long-task settings."""
    transport = {"visibility_timeout": int(visibility_timeout)}
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


def _merge(upstream: Any) -> dict[str, dict[str, Any]]:
    """Upstream results as one {cell: result}: None (a root), a dict (chain), a list (chord)."""
    if upstream is None:
        return {}
    if isinstance(upstream, dict):
        return dict(upstream)
    out: dict[str, dict[str, Any]] = {}
    for u in upstream:
        out.update(_merge(u))
    return out


@app.task(bind=True, name="pybuild.matrix.cell")
def cell_task(self: Any, upstream: Any, cell: dict[str, Any], run_id: str) -> dict[str, dict[str, Any]]:
    """Build one cell on this worker (or skip it when a dependency did not succeed)."""
    results = _merge(upstream)
    c = Cell.from_wire(cell)
    worker = str(self.request.hostname or "")
    bad = [d for d in c.depends_on if results.get(d, {}).get("status") != "ok"]
    if bad:
        res = skipped(c, bad, worker)
    else:
        work = Path(os.environ.get(WORK_DIR_ENV) or Path.cwd() / "pybuild-worker") / run_id
        res = run_cell(c, work, worker)
    results[c.name] = res.to_dict()
    return results


@app.task(name="pybuild.matrix.merge")
def merge_task(upstream: Any) -> dict[str, dict[str, Any]]:
    """A level's barrier: the results of a group, merged for the next level."""
    return _merge(upstream)


def task_id(run_id: str, cell: str) -> str:
    return f"{run_id}.{cell}"


def _sig(matrix: Matrix, name: str, run_id: str, root: bool) -> Signature:
    cell = matrix.cells[name]
    args: tuple[Any, ...] = (None, cell.to_wire(), run_id) if root else (cell.to_wire(), run_id)
    return cell_task.signature(args, queue=cell.route, task_id=task_id(run_id, name), immutable=False)


def build_canvas(matrix: Matrix, run_id: str) -> Signature:
    """The whole matrix as one Celery canvas (pure: nothing is sent)."""
    if matrix.is_forest():
        def tree(name: str, root: bool) -> Signature:
            kids = matrix.dependants(name)
            head = _sig(matrix, name, run_id, root)
            if not kids:
                return head
            tail = tree(kids[0], False) if len(kids) == 1 else group(tree(k, False) for k in kids)
            return chain(head, tail)

        roots = [n for n in matrix.order() if not matrix.cells[n].depends_on]
        return group(tree(r, True) for r in roots)
    steps: list[Signature] = []
    for i, level in enumerate(matrix.levels()):
        steps.append(group(_sig(matrix, n, run_id, i == 0) for n in level))
        steps.append(merge_task.signature(queue=matrix.cells[level[0]].route))
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
        if isinstance(value, dict) and name in value:
            out.append(CellResult.from_dict(value[name]))
        else:  # the task itself raised (a bug or a lost worker): say so, never hang the report
            out.append(CellResult(name, "failed", queue=matrix.cells[name].route,
                                  error=f"the cell's task failed: {value!r}"))
    return out


def worker_argv(queues: list[str], concurrency: int, name: str, loglevel: str = "INFO") -> list[str]:
    """The ``celery worker`` arguments of ``pybuild worker`` (pure). ``-E`` sends task events
    for Flower."""
    return ["worker", "-Q", ",".join(queues), "-c", str(concurrency), "-n", name, "-l", loglevel, "-E"]


def run_worker(broker: str, queues: list[str], concurrency: int, name: str, work_dir: Path,
               visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT) -> None:
    configure(broker, visibility_timeout)
    work_dir.mkdir(parents=True, exist_ok=True)
    os.environ[WORK_DIR_ENV] = str(work_dir.resolve())
    app.worker_main(worker_argv(queues, concurrency, name))
