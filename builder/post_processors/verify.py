"""The ``verify`` post-processor: the checks of ``pybuild verify`` inside a build, so a
broken image never reaches Glance (place it before ``glance``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder import hostcheck
from builder.cli import _size
from builder.config import BaseConfig, opt
from builder.errors import BuildError, PybuildError
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import find_disk
from builder.verify.checks import VerifyOptions, expand_expect, verify_image


@dataclass(kw_only=True)
class VerifyConfig(BaseConfig):
    user: str = opt("debian", help="the image's default cloud user (gets the metadata SSH key)")
    expect: list[str] = opt([], help="checks that must pass (default: every standard check); "
                            "+name/-name add to/remove from the defaults, e.g. [\"+root_login\"]")
    disk_size: str = opt("", help="flavor disk size (default 2x the virtual size)")
    datasource: str = opt("configdrive", help="configdrive or nocloud", choices=("configdrive", "nocloud"))
    report: str = opt("", help="write the JSON report here")
    timeout: str = opt("15m", help="how long to wait for SSH (TCG boots on a busy host take minutes)")

    def validate(self) -> list[str]:
        errs = []
        try:
            expand_expect(list(self.expect))
        except PybuildError as e:
            errs.append(str(e))
        try:
            _size(self.disk_size)
        except ValueError:
            errs.append(f"disk_size: {self.disk_size!r} is not a size such as 6G")
        return errs


class VerifyPostProcessor(PostProcessor[VerifyConfig]):
    Config = VerifyConfig

    @classmethod
    def host_requirements(cls, config: VerifyConfig | None) -> list[hostcheck.Requirement]:
        """The VM (QEMU, an overlay, a config drive) and the offline inspection (guestfish)."""
        h = hostcheck
        return [h.qemu_system("qemu-system-x86_64"), h.QEMU_IMG, h.XORRISO, h.GUESTFISH, h.ApplianceKernel()]

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        from builder.config import parse_duration

        disk, _fmt = find_disk(artifact)
        c = self.config
        opts = VerifyOptions(disk_size=_size(c.disk_size), datasource=c.datasource, user=c.user,
                             expect=list(c.expect), boot_timeout=float(parse_duration(c.timeout)))
        rep = verify_image(Path(disk), opts, ctx.ui)
        for line in rep.table().splitlines():
            ctx.ui.message(line)
        if c.report:
            Path(c.report).write_text(rep.to_json())
        if not rep.ok:
            raise BuildError(f"verify: the image failed {', '.join(rep.failed())} (evidence: {rep.evidence_dir})")
        return PostProcessResult(artifact, keep=True, force_keep=True)
