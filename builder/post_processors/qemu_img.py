"""``qemu-img-convert`` post-processor: write the disk in another format or compressed.

    post-processor "qemu-img-convert" {
      format           = "qcow2"
      compress         = true
      compression_type = "zstd"
      output           = "output/{{ .BuildName }}.qcow2"   # default: next to the input
    }

The result is a new artifact holding the converted disk; the input is deleted by the
chain unless ``keep_input_artifact = true`` (Packer's rule). When ``output`` is the
input's own path, the disk is replaced atomically and the input is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder import hostcheck
from builder.config import BaseConfig, opt
from builder.plugins import Artifact, ComponentContext, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import FORMATS, find_disk, qemu_img_convert, render, replacing

BUILDER_ID = "pybuild.post-processor.qemu-img-convert"
_EXT = {"qcow2": ".qcow2", "raw": ".raw", "vmdk": ".vmdk", "vdi": ".vdi", "vhdx": ".vhdx",
        "vpc": ".vhd", "qed": ".qed"}


@dataclass(kw_only=True)
class QemuImgConvertConfig(BaseConfig):
    format: str = opt("qcow2", choices=FORMATS, help="output format")
    compress: bool = opt(False, help="compress (qcow2 -c)")
    compression_type: str = opt("", choices=("", "zlib", "zstd"), help="qcow2 compression algorithm")
    output: str = opt("", help="output path (Go template: {{ .BuildName }}, {{ .Format }}); "
                               "default: the input's name with the format's extension")
    extra_args: list[str] = opt([], help="more qemu-img convert arguments (e.g. ['-o', 'cluster_size=2M'])")

    def validate(self) -> list[str]:
        errors = []
        if self.compress and self.format != "qcow2":
            errors.append("compress: only qcow2 output can be compressed")
        if self.compression_type and not self.compress:
            errors.append("compression_type: set compress = true too")
        return errors


class QemuImgConvert(PostProcessor[QemuImgConvertConfig]):
    Config = QemuImgConvertConfig

    @classmethod
    def host_requirements(cls, config: QemuImgConvertConfig | None) -> list[hostcheck.Requirement]:
        return [hostcheck.QEMU_IMG]

    def output_path(self, ctx: ComponentContext, disk: Path) -> Path:
        cfg = self.config
        if not cfg.output:
            return disk.with_suffix(_EXT[cfg.format])
        name = render(cfg.output, ctx, {"Format": cfg.format, "DiskName": disk.name})
        return Path(name)

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        cfg = self.config
        disk, fmt = find_disk(artifact)
        out = self.output_path(ctx, disk)
        out.parent.mkdir(parents=True, exist_ok=True)
        ctx.ui.say(f"Converting {disk.name} ({fmt}) to {out} ({cfg.format}"
                   f"{', compressed' if cfg.compress else ''})...")
        same = out.resolve() == disk.resolve()
        if same:
            with replacing(disk) as tmp:
                qemu_img_convert(ctx, disk, fmt, tmp, cfg.format, compress=cfg.compress,
                                 compression_type=cfg.compression_type, extra_args=cfg.extra_args)
        else:
            try:
                qemu_img_convert(ctx, disk, fmt, out, cfg.format, compress=cfg.compress,
                                 compression_type=cfg.compression_type, extra_args=cfg.extra_args)
            except BaseException:
                out.unlink(missing_ok=True)
                raise
        data = dict(artifact.data)
        data.update(diskPaths=[str(out)], diskType=cfg.format, diskName=out.name)
        result = Artifact(builder_id=BUILDER_ID, id=artifact.id, files=[out],
                          description=f"Disk image {out} ({cfg.format})", data=data)
        return PostProcessResult(result, keep=same, force_keep=same)
