"""Packer's ``artifice`` post-processor: replace the artifact with ``files`` (say, what a
provisioner downloaded from the guest), so that the post-processors after it in the
chain work on those files. Each path is a Go template (``{{ .BuildName }}``...) and must
exist. As in Packer the input artifact is kept unless ``keep_input_artifact = false``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.config import BaseConfig, opt
from builder.errors import BuildError
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import render

BUILDER_ID = "packer.post-processor.artifice"


@dataclass(kw_only=True)
class ArtificeConfig(BaseConfig):
    files: list[str] = opt([], help="The files that become the artifact (Go templates).")

    def validate(self) -> list[str]:
        if not self.files:
            return ["files: no files specified in artifice configuration"]
        return []


class Artifice(PostProcessor[ArtificeConfig]):
    Config = ArtificeConfig

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        if artifact.files:
            ctx.ui.say(f"Discarding files from artifact: {', '.join(map(str, artifact.files))}")
        files = [Path(render(f, ctx)) for f in self.config.files]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise BuildError(f"artifice: unable to find {', '.join(missing)}")
        ctx.ui.say(f"Using these artifact files: {', '.join(map(str, files))}")
        result = Artifact(builder_id=BUILDER_ID, id=", ".join(map(str, files)), files=files,
                          description=f"Created artifact from files: {', '.join(map(str, files))}")
        return PostProcessResult(result, keep=True)


__all__ = ["Artifice", "ArtificeConfig"]
