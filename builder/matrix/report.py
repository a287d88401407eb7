"""The files of a matrix run in ``RUNS/RUN_ID/``: ``summary.json``, ``junit.xml`` and
``report.html``.

report.html is one self-contained page (no network: inline CSS and SVG, screenshots as PNG
data URIs, a Content-Security-Policy that forbids any fetch): one row per cell and region with
status, host, duration and a per-step timeline bar, image size, verify checks, Glance image id;
below a failed cell its screenshot and serial log tail; trends (duration and size sparklines)
from the summaries of earlier runs in ``RUNS/``. Rendered by jinja2 with autoescape: cell names
and log tails are untrusted text. Every text that reaches a file passes :func:`secrets.mask`.
"""

from __future__ import annotations

import json
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jinja2

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
    data = secrets.mask_obj(summary(matrix, run_id, results, mode, rerun_of))
    (run_dir / "summary.json").write_text(json.dumps(data, indent=2) + "\n")
    (run_dir / "junit.xml").write_text(junit(results))
    history = earlier_runs(run_dir.parent, run_id)
    (run_dir / "report.html").write_text(html(data, history, {n: c.clouds for n, c in matrix.cells.items()}))


HISTORY = 14  # runs in a trend line (this one included)


def earlier_runs(runs_dir: Path, run_id: str, limit: int = HISTORY - 1) -> list[dict[str, Any]]:
    """The summaries of the runs before ``run_id`` in ``runs_dir`` (oldest first; run ids sort
    by time), unreadable ones left out."""
    out = []
    for d in sorted(p for p in runs_dir.iterdir() if p.is_dir() and p.name < run_id):
        try:
            out.append(json.loads((d / "summary.json").read_text()))
        except (OSError, ValueError):
            continue
    return out[-limit:] if limit else []


def _sparkline(values: list[float], label: str, width: int = 90, height: int = 20) -> dict[str, Any]:
    """An SVG polyline (numbers only) of ``values``, the last one marked."""
    line: dict[str, Any] = {"width": width, "height": height, "points": "", "label": label}
    if not values:
        return line
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = (width - 4) / max(1, len(values) - 1)
    pts = [(2 + i * step, height - 2 - (v - lo) / span * (height - 4)) for i, v in enumerate(values)]
    line["points"] = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    line["last_x"], line["last_y"] = f"{pts[-1][0]:.1f}", f"{pts[-1][1]:.1f}"
    return line


def _human_size(n: int) -> str:
    if not n:
        return "—"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _human_duration(s: float) -> str:
    if s >= 3600:
        return f"{int(s // 3600)}h{int(s % 3600 // 60):02d}m"
    if s >= 60:
        return f"{int(s // 60)}m{int(s % 60):02d}s"
    return f"{s:.1f}s"


def _rows(data: dict[str, Any], history: list[dict[str, Any]], clouds: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    past: dict[str, list[dict[str, Any]]] = {}
    for run in history:
        for c in run.get("cells", []):
            if c.get("status") == "ok" and c.get("run_id", run.get("run_id")) == run.get("run_id"):
                past.setdefault(str(c.get("name")), []).append(c)
    rows = []
    for c in data["cells"]:
        det = c.get("details") or {}
        total = max(float(c.get("duration") or 0), max((s["start"] + s["duration"] for s in det.get("steps", [])),
                                                        default=0.0), 0.001)
        steps = [{"name": s["name"], "duration": s["duration"], "ok": s["ok"],
                  "left": f"{100 * s['start'] / total:.2f}", "width": f"{max(0.3, 100 * s['duration'] / total):.2f}"}
                 for s in det.get("steps", [])]
        mine = [*past.get(c["name"], []), c] if c["status"] == "ok" else past.get(c["name"], [])
        durations = [float(x.get("duration") or 0) for x in mine]
        sizes = [float((x.get("details") or {}).get("size") or 0) for x in mine]
        sizes = [v for v in sizes if v]
        base = {
            "name": c["name"], "status": c["status"], "host": c.get("host", ""), "worker": c.get("worker", ""),
            "run_id": c.get("run_id", ""), "duration_text": _human_duration(float(c.get("duration") or 0))
            if c["status"] != "skipped" else "—",
            "steps": steps, "steps_title": " → ".join(f"{s['name']} {s['duration']}s" for s in steps),
            "size_text": _human_size(int(det.get("size") or 0)), "checks": det.get("checks", []),
            "spark_duration": _sparkline(durations, f"duration of the last {len(durations)} good runs"),
            "spark_size": _sparkline(sizes, f"image size of the last {len(sizes)} good runs"),
            "screenshot": det.get("screenshot", "") if c["status"] != "ok" else "",
            "serial_tail": det.get("serial_tail", "") if c["status"] != "ok" else "",
            "error": c.get("error", "") if c["status"] != "ok" else "",
        }
        images = det.get("images") or []
        regions = ([{"region": f"{i['cloud']}/{i['region']}".rstrip("/"), "image_id": i["image_id"]} for i in images]
                   or [{"region": r, "image_id": ""} for r in clouds.get(c["name"], ())]
                   or [{"region": "", "image_id": ""}])
        for i, r in enumerate(regions):
            rows.append({**base, **r, "last_of_cell": i == len(regions) - 1})
    return rows


_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def html(data: dict[str, Any], history: list[dict[str, Any]] | None = None,
         clouds: dict[str, tuple[str, ...]] | None = None) -> str:
    """report.html of a run summary (``summary()``'s dict); ``history``: earlier summaries."""
    history = history or []
    page = _ENV.get_template("report.html.j2").render(
        run=data, rows=_rows(data, history, clouds or {}), rows_cells=len(data["cells"]),
        history_runs=len(history) + 1)
    return secrets.mask(page)


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
