"""The files of a matrix run: ``summary.json`` and ``junit.xml`` in ``RUNS/RUN_ID/``."""

from __future__ import annotations

import json
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from builder import secrets
from builder.errors import UsageError
from builder.matrix.cell import CellResult
from builder.matrix.model import Matrix


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix (``20261204T210501Z-3f2a``)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:4]


def summary(matrix: Matrix, run_id: str, results: list[CellResult], mode: str, rerun_of: str = "") -> dict[str, object]:
    counts = {s: sum(1 for r in results if r.status == s) for s in ("ok", "failed", "timeout", "skipped")}
    return {
        "run_id": run_id,
        "matrix": matrix.path,
        "mode": mode,
        "rerun_of": rerun_of,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "counts": counts,
        "ok": counts["ok"] == len(results),
        "cells": [r.to_dict() for r in results],
    }


def junit(results: list[CellResult]) -> str:
    suite = ET.Element("testsuite", name="pybuild-matrix", tests=str(len(results)),
                       failures=str(sum(1 for r in results if r.status in ("failed", "timeout"))),
                       skipped=str(sum(1 for r in results if r.status == "skipped")),
                       time=f"{sum(r.duration for r in results):.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"matrix.{r.queue}", name=r.name, time=f"{r.duration:.3f}")
        if r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.error)
        elif not r.ok:
            f = ET.SubElement(case, "failure", message=f"{r.status} on {r.worker or r.host}")
            f.text = secrets.mask(r.error)
        out = ET.SubElement(case, "system-out")
        out.text = f"worker={r.worker} host={r.host} log={r.log}"
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def write_run(run_dir: Path, matrix: Matrix, run_id: str, results: list[CellResult], mode: str,
              rerun_of: str = "") -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    data = summary(matrix, run_id, results, mode, rerun_of)
    (run_dir / "summary.json").write_text(json.dumps(data, indent=2) + "\n")
    (run_dir / "junit.xml").write_text(junit(results))


def read_run(run_dir: Path) -> dict[str, Any]:
    """A run's summary.json (UsageError when there is none)."""
    path = run_dir / "summary.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise UsageError(f"no matrix run summary at {path}: {e}") from None
    return data


def table(results: list[CellResult]) -> str:
    rows = [("CELL", "STATUS", "QUEUE", "WORKER", "DURATION", "RUN")]
    rows += [(r.name, r.status, r.queue, r.worker, f"{r.duration:.1f}s", r.run_id) for r in results]
    w = [max(len(row[i]) for row in rows) for i in range(6)]
    return "\n".join("  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip() for row in rows)
