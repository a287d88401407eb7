"""The one-host executor: cells in dependency order, at most N at a time.

A cell starts once every cell it depends on has succeeded; if one of them failed (or was
skipped), the cell is skipped without building. A failing cell fails only itself and its
dependants.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from builder.matrix.cell import CellResult, run_after, skipped
from builder.matrix.model import Matrix


def run_local(matrix: Matrix, work_dir: Path, parallel: int = 1, run_id: str = "") -> list[CellResult]:
    results: dict[str, CellResult] = {}
    pending = list(matrix.order())
    running: dict[Future[CellResult], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        while pending or running:
            for name in list(pending):
                deps = matrix.cells[name].depends_on
                bad = [d for d in deps if d in results and not results[d].ok]
                if bad:
                    results[name] = skipped(matrix.cells[name], bad)
                    pending.remove(name)
                elif all(d in results for d in deps) and len(running) < max(1, parallel):
                    running[pool.submit(run_after, matrix.cells[name], dict(results), work_dir, "local",
                                        run_id)] = name
                    pending.remove(name)
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                results[running.pop(fut)] = fut.result()
    return [results[n] for n in matrix.order()]
