"""What a cell's build left in its directory, read back for the report.

uses:     ``CELL_DIR/events.jsonl`` (the build's ``--log-json`` events) and, for a failed build,
          its failure-evidence directory (``pybuild-failures/BUILD-TIME/``: screenshot.png, serial.log)
produces: a :class:`CellDetails` that travels in the cell's result (small: a step list, the verify
          checks, the Glance images, the image size; for a failure one capped PNG and a masked log tail)

Read on the host that built the cell (a Celery worker), so the submitting host needs none of
the worker's files to write its report.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from builder import secrets

MAX_SCREENSHOT = 512 * 1024  # bytes of PNG carried in a result; a bigger one is left on the worker
SERIAL_TAIL_LINES = 30
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# environment variables whose values are secrets on a worker: never in a log tail that leaves it
_SECRET_ENV = ("PKR_VAR_", "OS_PASSWORD", "OS_TOKEN", "OS_APPLICATION_CREDENTIAL_SECRET", "OS_CLIENT_SECRET")


@dataclass
class CellDetails:
    steps: list[dict[str, Any]] = field(default_factory=list)  # {name, start (s after cell start), duration, ok}
    checks: list[dict[str, Any]] = field(default_factory=list)  # {name, ok}
    images: list[dict[str, Any]] = field(default_factory=list)  # {cloud, region, image_id}
    size: int = 0  # bytes of the built image files (0: unknown)
    screenshot: str = ""  # base64 PNG of the guest screen at failure
    serial_tail: str = ""
    failure_dir: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _when(rec: dict[str, Any]) -> float:
    try:
        return datetime.fromisoformat(str(rec["time"])).timestamp()
    except (KeyError, ValueError):
        return 0.0


def _events(path: Path) -> list[dict[str, Any]]:
    out = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a line cut short by a killed build
        if isinstance(rec, dict):
            out.append(rec)
    return out


def read_details(cell_dir: Path, started: float) -> CellDetails:
    """The details of the build in ``cell_dir``, which started at ``started`` (epoch seconds).
    A step still open when the events end (a build stopped by its time limit) ends at the last event."""
    d = CellDetails()
    events = _events(cell_dir / "events.jsonl")
    open_steps: dict[str, float] = {}
    last = started
    for rec in events:
        t, kind = _when(rec), rec.get("event")
        last = max(last, t)
        # provisioners run inside the "provision" step: its bar covers them
        if kind in ("step_start", "post_processor_start"):
            open_steps[_step_name(rec)] = t
        elif kind in ("step_end", "post_processor_end"):
            name = _step_name(rec)
            t0 = open_steps.pop(name, t - float(rec.get("duration") or 0))
            d.steps.append({"name": name, "start": round(max(0.0, t0 - started), 3),
                            "duration": round(max(0.0, t - t0), 3), "ok": rec.get("ok", True) is not False})
        elif kind == "verify_check":
            d.checks.append({"name": str(rec.get("check", "")), "ok": bool(rec.get("ok"))})
        elif kind == "glance.uploaded":
            d.images.append({"cloud": str(rec.get("cloud", "")), "region": str(rec.get("region") or ""),
                             "image_id": str(rec.get("image_id") or "")})
        elif kind == "artifact":
            d.size += sum(_size(cell_dir, f) for f in rec.get("files") or [])
        elif kind == "build_end" and rec.get("failure_dir"):
            d.failure_dir = str(rec["failure_dir"])
    for name, t0 in open_steps.items():  # cut off: shown as failed up to the last event
        d.steps.append({"name": name, "start": round(max(0.0, t0 - started), 3),
                        "duration": round(max(0.0, last - t0), 3), "ok": False})
    d.steps.sort(key=lambda s: s["start"])
    if d.failure_dir:
        _evidence(d, cell_dir / d.failure_dir)
    return d


def _step_name(rec: dict[str, Any]) -> str:
    if "post_processor" in rec:
        return f"post-processor {rec['post_processor']}"
    return str(rec.get("step", "?"))


def _size(cell_dir: Path, f: str) -> int:
    try:
        return (cell_dir / f).stat().st_size
    except OSError:
        return 0


def _evidence(d: CellDetails, fdir: Path) -> None:
    shot = fdir / "screenshot.png"
    try:
        data = shot.read_bytes()
    except OSError:
        data = b""
    if data.startswith(PNG_MAGIC) and len(data) <= MAX_SCREENSHOT:
        d.screenshot = base64.b64encode(data).decode()
    serial = fdir / "serial.log"
    try:
        lines = serial.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    d.serial_tail = mask_worker_secrets("\n".join(lines[-SERIAL_TAIL_LINES:]))


def mask_worker_secrets(text: str) -> str:
    """``text`` with this host's secrets masked: the values of its sensitive environment
    (``PKR_VAR_*``, OpenStack passwords and tokens) and every secret registered in this process.
    A serial console is raw guest output, masked by no build."""
    for k, v in os.environ.items():
        if k.startswith(_SECRET_ENV) and v:
            secrets.add(v)
    return secrets.mask(text)
