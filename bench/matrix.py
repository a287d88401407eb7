"""Part 8 — the matrix on Celery: dispatch overhead and throughput of null-builder cells.

A redis-server on 127.0.0.1 and 1, 2 or 4 ``pybuild worker`` processes (concurrency 1, one
queue), as on build hosts. Measured from this process, which submits with
``builder.matrix.distributed`` as ``pybuild matrix run --celery`` does:

- dispatch: a chain of cells on one worker; the gap between a cell's build ending and the next
  cell's build starting (Celery chain step + Redis + worker pick-up), and submit → first build;
- throughput: N independent cells on W workers, submit → last result, in cells per minute.

A null cell is a whole ``pybuild build`` process (Python start-up, template load, one
shell-local), so it is the build, not Celery, that dominates a cell's cost.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench.common import ROOT, Part, Stat, Table, load1, now
from builder.matrix import distributed
from builder.matrix.loader import load_matrix
from builder.ports import reserve_port
from builder.run import Process

NULL = '''
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["true"]
  }
}
'''


def _matrix(d: Path, n: int, chained: bool) -> Path:
    (d / "null.pkr.hcl").write_text(NULL)
    cells = []
    for i in range(n):
        dep = f'\n  depends_on = ["c{i - 1}"]' if chained and i else ""
        cells.append(f'cell "c{i}" {{\n  template = "null.pkr.hcl"{dep}\n}}\n')
    p = d / f"m-{n}-{int(chained)}.hcl"
    p.write_text("\n".join(cells))
    return p


def _workers(url: str, d: Path, count: int) -> list[Process]:
    procs = [Process([sys.executable, "-m", "builder.cli", "worker", "--broker", url, "--queues", "x86_64",
                      "--concurrency", "1", "--name", f"bench{i}@{count}", "--work-dir", str(d / f"w{i}")],
                     log_path=d / f"w{count}-{i}.log", env={"PYTHONPATH": str(ROOT)}) for i in range(count)]
    want = {f"bench{i}@{count}" for i in range(count)}
    deadline = time.monotonic() + 120
    while want - {n for r in distributed.app.control.ping(timeout=1.0) for n in r}:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} workers not ready in 120 s")
    return procs


def _run(matrix: Path, run_id: str) -> tuple[float, float, list[dict[str, float]]]:
    m = load_matrix(str(matrix))
    t0 = time.time()
    results = distributed.collect(m, distributed.submit(m, run_id), timeout=600)
    wall = time.time() - t0
    bad = [r.name for r in results if not r.ok]
    if bad:
        raise RuntimeError(f"cells failed: {bad}")
    return t0, wall, [{"started": r.started, "finished": r.finished, "duration": r.duration} for r in results]


def run(runs: int, quick: bool) -> Part:
    part = Part("matrix", "8. Matrix on Celery: dispatch overhead and throughput (null cells)", runs, quick,
                started=now(), load=[load1()])
    t_start = time.perf_counter()
    sizes = [4] if quick else [4, 8, 16]
    worker_counts = [1, 2] if quick else [1, 2, 4]
    chain_len = 4 if quick else 8
    gaps: list[float] = []
    first: list[float] = []
    build: list[float] = []
    through: dict[tuple[int, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="pybuild-bench-matrix-") as td:
        d = Path(td)
        lease = reserve_port(20000, 40000, purpose="redis for the matrix bench")
        lease.close_socket()
        server = Process(["redis-server", "--port", str(lease.port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--daemonize", "no", "--dir", td], log_path=d / "redis.log")
        try:
            url = f"redis://127.0.0.1:{lease.port}/0"
            client = redis.Redis(host="127.0.0.1", port=lease.port)
            for _ in range(100):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.1)
            distributed.configure(url)
            for w in worker_counts:
                procs = _workers(url, d, w)
                try:
                    for k in range(runs):
                        if w == 1:
                            t0, _wall, cells = _run(_matrix(d, chain_len, True), f"chain-{k}")
                            first.append(cells[0]["started"] - t0)
                            gaps += [b["started"] - a["finished"] for a, b in itertools.pairwise(cells)]
                            build += [c["duration"] for c in cells]
                        for n in sizes:
                            _t0, wall, _cells = _run(_matrix(d, n, False), f"flat-{w}-{n}-{k}")
                            through.setdefault((w, n), []).append(wall)
                finally:
                    for p in procs:
                        p.stop(grace=10)
        finally:
            server.stop()
            lease.release()
    part.tables.append(Table("Dispatch (1 worker, a chain of cells)", ["figure", "seconds"], [
        ["submit → first build starts", Stat(first).fmt(3, " s")],
        ["chain step: a build ends → the next build starts", Stat(gaps).fmt(3, " s")],
        ["one null cell's `pybuild build` (for scale)", Stat(build).fmt(3, " s")],
    ]))
    rows = []
    for (w, n), walls in sorted(through.items()):
        med = statistics.median(walls)
        rows.append([str(w), str(n), Stat(walls).fmt(2, " s"), f"{60 * n / med:.0f}", f"{med / n:.2f} s"])
    part.tables.append(Table("Throughput: N independent null cells on W workers (submit → last result)",
                             ["workers", "cells", "wall", "cells/min", "per cell"], rows))
    for w in worker_counts:
        per = {n: statistics.median(through[(w, n)]) / n for n in sizes if (w, n) in through}
        if len(per) > 1:
            lo_n, hi_n = min(per), max(per)
            part.notes.append(f"{w} worker(s): {per[lo_n]:.2f} s per cell at {lo_n} cells, {per[hi_n]:.2f} s at "
                              f"{hi_n}: the cost grows linearly with the number of cells (one message and one "
                              "result per cell, the canvas built once, nothing polls).")
    part.notes.append("The machine has 2 cores shared with other jobs (see the load average); a null cell is a "
                      "whole `pybuild build` process, so the figures are dominated by Python start-up.")
    part.seconds = time.perf_counter() - t_start
    part.load.append(load1())
    return part
