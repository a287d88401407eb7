"""An example third-party post-processor: appends one JSON line per artifact to a
register file (think: a CMDB or an image catalogue), then passes the artifact on."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from builder.config import BaseConfig, opt
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult


@dataclass(kw_only=True)
class AnnounceConfig(BaseConfig):
    register: str = opt(help="JSON-lines file that receives one record per artifact", required=True)
    note: str = opt("", help="free text stored with the record")

    def validate(self) -> list[str]:
        parent = os.path.dirname(os.path.abspath(self.register))
        return [] if os.path.isdir(parent) else [f"register: directory {parent} does not exist"]


class Announce(PostProcessor[AnnounceConfig]):
    Config = AnnounceConfig

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        record = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "build": ctx.build_name,
            "builder_id": artifact.builder_id,
            "artifact_id": artifact.id,
            "files": [str(f) for f in artifact.files],
            "note": self.config.note,
        }
        with open(self.config.register, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        ctx.ui.say(f"Announced {artifact.id} in {self.config.register}")
        return PostProcessResult(artifact, keep=True, force_keep=True)
