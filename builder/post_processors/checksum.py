"""``checksum`` post-processor, compatible with Packer's: for each checksum type and
each artifact file, append ``"<hexdigest>\\t<basename>\\n"`` to the rendered
``output`` file. All types of one file are computed in a single read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from builder.config import BaseConfig, opt
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import render

BUILDER_ID = "packer.post-processor.checksum"
TYPES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum"


@dataclass(kw_only=True)
class ChecksumConfig(BaseConfig):
    checksum_types: list[str] = opt(["md5"], aliases=("types",),
                                    help=f"hash types, any of {', '.join(TYPES)}")
    output: str = opt(DEFAULT_OUTPUT, help="checksum file (Go template: BuildName, BuilderType, "
                                           "ChecksumType)")

    def validate(self) -> list[str]:
        return [f"checksum_types: unsupported type {t!r} (one of {', '.join(TYPES)})"
                for t in self.checksum_types if t not in TYPES]


def hash_file(path: Path, types: list[str], bufsize: int = 1 << 20) -> dict[str, str]:
    """All requested digests of ``path`` in one pass."""
    hashers = {t: hashlib.new(t) for t in types}
    with open(path, "rb") as f:
        buf = bytearray(bufsize)
        view = memoryview(buf)
        while n := f.readinto(buf):
            for h in hashers.values():
                h.update(view[:n])
    return {t: h.hexdigest() for t, h in hashers.items()}


class Checksum(PostProcessor[ChecksumConfig]):
    Config = ChecksumConfig
    late_templates = ("output",)  # .ChecksumType, .BuildName...

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        types = self.config.checksum_types or ["md5"]
        digests = {}
        for f in artifact.files:
            ctx.cancel.check()
            ctx.ui.message(f"Computing {', '.join(types)} of {Path(f).name}")
            digests[Path(f)] = hash_file(Path(f), types)
        new_files: list[Path] = []
        for t in types:
            out = Path(render(self.config.output, ctx, {"ChecksumType": t}))
            out.parent.mkdir(parents=True, exist_ok=True)
            with open(out, "a", encoding="utf-8") as fh:
                for f, d in digests.items():
                    fh.write(f"{d[t]}\t{f.name}\n")
            if out not in new_files:
                new_files.append(out)
        result = Artifact(builder_id=BUILDER_ID, id=artifact.id,
                          files=[*artifact.files, *new_files],
                          description=f"Checksums ({', '.join(types)}): "
                                      + ", ".join(str(p) for p in new_files),
                          data=dict(artifact.data, checksums={str(k): v for k, v in digests.items()}))
        return PostProcessResult(result, keep=True, force_keep=True)
