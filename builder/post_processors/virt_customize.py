"""``virt-customize`` post-processor: change a built disk without booting it, in place.

    post-processor "virt-customize" {
      run_commands  = ["echo built-by-pybuild > /etc/motd"]
      write         = ["/etc/issue.net:Debian built by pybuild"]
      upload        = ["files/99-local.cfg:/etc/cloud/cloud.cfg.d/99-local.cfg"]
      password      = ["debian:password:s3cret"]
      root_password = "password:s3cret"       # any virt-customize selector
    }

The appliance has no network unless ``network = true``; then ``install`` uses the
guest's package manager through libguestfs' user-mode network, so it works only if
the image's configured mirror is reachable from this machine. Passwords are
registered as secrets and passed to virt-customize through ``file:`` selectors
(a 0600 temporary file), never on its command line.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from builder import hostcheck, secrets
from builder.config import BaseConfig, Duration, opt
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import find_disk, run_guestfs


@dataclass(kw_only=True)
class VirtCustomizeConfig(BaseConfig):
    install: list[str] = opt([], help="packages to install (needs network = true and a reachable mirror)")
    run_commands: list[str] = opt([], aliases=("run_command",), help="commands run inside the image")
    upload: list[str] = opt([], help='"local:remote" files to copy into the image')
    write: list[str] = opt([], help='"path:content" files to write in the image')
    password: list[str] = opt([], sensitive=True,
                              help='"user:password:SECRET" (or "user:random", "user:disabled"...)')
    root_password: str = opt("", sensitive=True, help='"password:SECRET" or another selector')
    hostname: str = opt("", help="set the guest's hostname")
    firstboot_commands: list[str] = opt([], help="commands run at the guest's first boot")
    selinux_relabel: bool = opt(False, help="relabel SELinux file contexts")
    network: bool = opt(False, help="give the appliance network access (needed by install)")
    extra_args: list[str] = opt([], help="more virt-customize arguments, passed as is")
    tmp_dir: str = opt("", help="directory for libguestfs' temporary files")
    timeout: Duration = opt(Duration(3600), help="kill virt-customize after this long")

    def validate(self) -> list[str]:
        errors = []
        for u in self.upload:
            if ":" not in u:
                errors.append(f'upload: {u!r} is not "local:remote"')
        for w in self.write:
            if ":" not in w:
                errors.append(f'write: {w!r} is not "path:content"')
        for p in self.password:
            if p.count(":") < 1:
                errors.append('password: an entry is not "user:selector"')
        if self.install and not self.network:
            errors.append("install: needs network = true (the appliance is offline otherwise)")
        return errors


class _SecretFiles:
    """Turns ``password:SECRET`` selectors into ``file:PATH`` ones (0600, removed after)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.n = 0

    def selector(self, sel: str) -> str:
        if not sel.startswith("password:"):
            return sel
        value = sel[len("password:"):]
        secrets.add(value)
        self.n += 1
        f = self.tmp / f"pw{self.n}"
        f.touch(mode=0o600)
        f.write_text(value + "\n")
        return f"file:{f}"


@contextlib.contextmanager
def customize_argv(cfg: VirtCustomizeConfig, disk: Path, fmt: str, base: Path) -> Iterator[list[str]]:
    """The virt-customize command line; password files live until the block ends."""
    with tempfile.TemporaryDirectory(prefix="pybuild-vc-") as td:
        sf = _SecretFiles(Path(td))
        argv = ["virt-customize", "--format", fmt, "-a", str(disk)]
        argv.append("--network" if cfg.network else "--no-network")
        if cfg.hostname:
            argv += ["--hostname", cfg.hostname]
        if cfg.install:
            argv += ["--install", ",".join(cfg.install)]
        for local_remote in cfg.upload:
            local, remote = local_remote.split(":", 1)
            argv += ["--upload", f"{base / local}:{remote}"]
        for w in cfg.write:
            argv += ["--write", w]
        for c in cfg.run_commands:
            argv += ["--run-command", c]
        for c in cfg.firstboot_commands:
            argv += ["--firstboot-command", c]
        for p in cfg.password:
            user, sel = p.split(":", 1)
            argv += ["--password", f"{user}:{sf.selector(sel)}"]
        if cfg.root_password:
            argv += ["--root-password", sf.selector(cfg.root_password)]
        if cfg.selinux_relabel:
            argv.append("--selinux-relabel")
        argv += cfg.extra_args
        yield argv


class VirtCustomize(PostProcessor[VirtCustomizeConfig]):
    Config = VirtCustomizeConfig

    def check(self, template_dir: Path) -> list[str]:
        """The uploaded files exist (relative to the template's directory, as at run time)."""
        locals_ = [u.split(":", 1)[0] for u in self.config.upload]
        return [f"upload: {local} not found" for local in locals_ if not (template_dir / local).exists()]

    @classmethod
    def host_requirements(cls, config: VirtCustomizeConfig | None) -> list[hostcheck.Requirement]:
        return hostcheck.libguestfs("virt-customize")

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        cfg = self.config
        secrets.add(cfg.root_password.removeprefix("password:"))
        secrets.add([p.split(":", 2)[2] for p in cfg.password if p.count(":") >= 2])
        disk, fmt = find_disk(artifact)
        ctx.ui.say(f"Customizing {disk.name} (virt-customize)...")
        with customize_argv(cfg, disk, fmt, ctx.template_dir) as argv:
            run_guestfs(ctx, argv, cfg.tmp_dir, float(cfg.timeout))
        return PostProcessResult(artifact, keep=True, force_keep=True)
