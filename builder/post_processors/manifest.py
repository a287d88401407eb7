"""``manifest`` post-processor, compatible with Packer's ``packer-manifest.json``:
each completed build appends an entry to ``builds`` and sets ``last_run_uuid``
(under an exclusive ``<output>.lock``). With ``-force`` and a new run UUID the file
is started afresh. Secrets are masked before anything is written.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import secrets
from builder.config import BaseConfig, opt
from builder.errors import BuildError
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import render

_RUN_UUID = str(uuid.uuid4())


def run_uuid() -> str:
    """This pybuild run's UUID (``PACKER_RUN_UUID`` when the caller set one)."""
    return os.environ.get("PACKER_RUN_UUID") or _RUN_UUID


@dataclass(kw_only=True)
class ManifestConfig(BaseConfig):
    output: str = opt("packer-manifest.json", help="manifest file to append to")
    strip_path: bool = opt(False, help="record file names without their directories")
    strip_time: bool = opt(False, help="leave out build_time")
    custom_data: dict[str, str] = opt({}, help="extra key/values (Go templates) recorded per build")


class Manifest(PostProcessor[ManifestConfig]):
    Config = ManifestConfig
    late_templates = ("output", "custom_data")  # rendered with the artifact's data

    def entry(self, ctx: PostProcessContext, artifact: Artifact) -> dict[str, Any]:
        cfg = self.config
        files = []
        for f in artifact.files:
            p = Path(f)
            try:
                size = p.stat().st_size
            except OSError:
                size = 0
            files.append({"name": p.name if cfg.strip_path else str(f), "size": size})
        e: dict[str, Any] = {"name": ctx.source_name, "builder_type": ctx.build_type}
        if not cfg.strip_time:
            e["build_time"] = int(time.time())
        e["files"] = files
        e["artifact_id"] = artifact.id
        e["packer_run_uuid"] = run_uuid()
        data = {k: v for k, v in artifact.data.items() if isinstance(v, (str, int, float))}
        e["custom_data"] = {k: render(v, ctx, data) for k, v in cfg.custom_data.items()} or None
        return e

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        out = Path(render(self.config.output, ctx))
        out.parent.mkdir(parents=True, exist_ok=True)
        entry = self.entry(ctx, artifact)
        with open(str(out) + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            doc: dict[str, Any] = {"builds": [], "last_run_uuid": ""}
            if out.exists() and out.stat().st_size:
                try:
                    doc = json.loads(out.read_text(encoding="utf-8"))
                except json.JSONDecodeError as e:
                    raise BuildError(f"manifest {out} is not valid JSON: {e}") from None
                if ctx.force and doc.get("last_run_uuid") != run_uuid():
                    doc = {"builds": [], "last_run_uuid": ""}
            doc.setdefault("builds", []).append(entry)
            doc["last_run_uuid"] = run_uuid()
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_text(json.dumps(secrets.mask_obj(doc), indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, out)
        ctx.ui.message(f"Added build {ctx.source_name} to manifest {out}")
        return PostProcessResult(artifact, keep=True, force_keep=True)
