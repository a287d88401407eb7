"""A matrix run from start to files: the cells on this host or on Celery workers, then
``summary.json`` and ``junit.xml`` in ``RUNS/RUN_ID/``; and a rerun of an earlier run's cells that
did not succeed (``pybuild matrix rerun --failed RUN_ID``)."""

from __future__ import annotations

from pathlib import Path

from builder.errors import UsageError
from builder.matrix.cell import CellResult
from builder.matrix.handoff import bind_image_vars, release
from builder.matrix.loader import load_matrix
from builder.matrix.model import Matrix
from builder.matrix.report import read_run, write_run
from builder.matrix.validate import validate_matrix


def execute(matrix: Matrix, run_dir: Path, run_id: str, *, parallel: int = 1, broker: str = "",
            wait_timeout: float | None = None) -> list[CellResult]:
    """Run every cell of ``matrix`` (locally, or on the workers of ``broker``)."""
    if broker:
        distributed = celery_module()

        distributed.configure(broker)
        results = distributed.collect(matrix, distributed.submit(matrix, run_id), wait_timeout)
    else:
        from builder.matrix.local import run_local

        results = run_local(matrix, run_dir / "cells", parallel, run_id)
    for r in results:
        r.run_id = run_id
    release(matrix, results)
    return results


def celery_module():  # type: ignore[no-untyped-def]
    """builder.matrix.distributed, or a UsageError saying how to install Celery."""
    try:
        from builder.matrix import distributed
    except ImportError as e:
        raise UsageError(f"the Celery mode needs Celery ({e}): pip install 'pybuild[matrix]'") from None
    return distributed


def run(matrix: Matrix, runs_dir: Path, run_id: str, *, parallel: int = 1, broker: str = "",
        wait_timeout: float | None = None) -> list[CellResult]:
    run_dir = runs_dir / run_id
    results = execute(matrix, run_dir, run_id, parallel=parallel, broker=broker, wait_timeout=wait_timeout)
    write_run(run_dir, matrix, run_id, results, "celery" if broker else "local")
    return results


def failed_cells(runs_dir: Path, old_run: str) -> tuple[Matrix, list[str], dict[str, CellResult]]:
    """(the matrix of an earlier run, its cells to run again, its cells that succeeded)."""
    data = read_run(runs_dir / old_run)
    matrix = load_matrix(str(data["matrix"]))
    before = {c["name"]: CellResult.from_dict(c) for c in data["cells"]}
    again = [n for n in matrix.order() if n not in before or not before[n].ok]
    kept = {n: r for n, r in before.items() if r.ok and n in matrix.cells}
    return matrix, again, kept


def rerun_failed(runs_dir: Path, old_run: str, run_id: str, *, parallel: int = 1, broker: str = "",
                 wait_timeout: float | None = None) -> list[CellResult]:
    """Run again the cells of ``old_run`` that failed, timed out or were skipped (and cells added
    to the matrix file since); the cells that succeeded are kept, not rebuilt."""
    matrix, again, kept = failed_cells(runs_dir, old_run)
    # a cell run again starts from its base's image of the run that built the base
    matrix = Matrix(matrix.path, {n: bind_image_vars(c, kept) for n, c in matrix.cells.items()})
    if not again:
        raise UsageError(f"every cell of run {old_run} succeeded: nothing to run again")
    validate_matrix(matrix.rerun_subset(again))
    run_dir = runs_dir / run_id
    fresh = execute(matrix.rerun_subset(again), run_dir, run_id, parallel=parallel, broker=broker,
                    wait_timeout=wait_timeout)
    by_name = {**kept, **{r.name: r for r in fresh}}
    results = [by_name[n] for n in matrix.order()]
    write_run(run_dir, matrix, run_id, results, "celery" if broker else "local", rerun_of=old_run)
    return results
