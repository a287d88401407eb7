"""``virt-sysprep`` post-processor: reset a built disk so each instance is new
(SSH host keys, machine-id, logs, DHCP leases...), in place.

    post-processor "virt-sysprep" {
      operations   = ["defaults", "-ssh-userdir"]   # virt-sysprep --operations syntax
      run_commands = ["apt-get clean"]
      hostname     = "localhost"
    }
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from builder import hostcheck
from builder.config import BaseConfig, Duration, opt
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import find_disk, run_guestfs

_OP = re.compile(r"^-?[a-z0-9][a-z0-9-]*$")


@dataclass(kw_only=True)
class VirtSysprepConfig(BaseConfig):
    operations: list[str] = opt(
        [], help='virt-sysprep operations, e.g. ["defaults", "-ssh-userdir"] ("-x" disables x); '
                 "empty = virt-sysprep's defaults")
    run_commands: list[str] = opt([], aliases=("run_command",),
                                  help="commands run inside the image (--run-command)")
    firstboot_commands: list[str] = opt([], help="commands run at the guest's first boot")
    firstboot: list[str] = opt([], help="local scripts installed to run at first boot")
    hostname: str = opt("", help="set the guest's hostname")
    selinux_relabel: bool = opt(False, help="relabel SELinux file contexts (--selinux-relabel)")
    network: bool = opt(False, help="give the libguestfs appliance network access")
    extra_args: list[str] = opt([], help="more virt-sysprep arguments, passed as is")
    tmp_dir: str = opt("", help="directory for libguestfs' temporary files")
    timeout: Duration = opt(Duration(3600), help="kill virt-sysprep after this long")

    def validate(self) -> list[str]:
        bad = [o for o in self.operations if not _OP.match(o)]
        return [f"operations: invalid operation name {o!r}" for o in bad]


def sysprep_argv(cfg: VirtSysprepConfig, disk: Path, fmt: str, base: Path) -> list[str]:
    """The virt-sysprep command line (pure, for tests)."""
    argv = ["virt-sysprep", "--format", fmt, "-a", str(disk)]
    if cfg.operations:
        argv += ["--operations", ",".join(cfg.operations)]
    for c in cfg.run_commands:
        argv += ["--run-command", c]
    for c in cfg.firstboot_commands:
        argv += ["--firstboot-command", c]
    for s in cfg.firstboot:
        argv += ["--firstboot", str(base / s)]
    if cfg.hostname:
        argv += ["--hostname", cfg.hostname]
    if cfg.selinux_relabel:
        argv.append("--selinux-relabel")
    argv.append("--network" if cfg.network else "--no-network")
    argv += cfg.extra_args
    if machine_id_reset(cfg.operations):
        # virt-sysprep runs its customize actions after the machine-id operation, and
        # running them left a fresh /etc/machine-id in a Debian 12 guest (measured):
        # empty it again, last, so the image still boots as a new machine
        argv += ["--run-command", _EMPTY_MACHINE_ID]
    return argv


_EMPTY_MACHINE_ID = "if [ -s /etc/machine-id ]; then : > /etc/machine-id; fi"


def _customizes(cfg: VirtSysprepConfig) -> bool:
    return bool(cfg.run_commands or cfg.firstboot_commands or cfg.firstboot or cfg.hostname
                or cfg.extra_args)


def machine_id_reset(operations: list[str]) -> bool:
    """Whether the machine-id operation is enabled by ``operations`` (later entries win)."""
    enabled = not operations  # virt-sysprep's defaults include machine-id
    for op in operations:
        name = op.lstrip("-")
        if name in ("defaults", "all", "machine-id"):
            enabled = not op.startswith("-")
    return enabled


class VirtSysprep(PostProcessor[VirtSysprepConfig]):
    Config = VirtSysprepConfig

    def check(self, template_dir: Path) -> list[str]:
        """The firstboot scripts exist (relative to the template's directory, as at run time)."""
        return [f"firstboot: script {s} not found" for s in self.config.firstboot
                if not (template_dir / s).is_file()]

    @classmethod
    def host_requirements(cls, config: VirtSysprepConfig | None) -> list[hostcheck.Requirement]:
        return hostcheck.libguestfs("virt-sysprep")

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        disk, fmt = find_disk(artifact)
        ctx.ui.say(f"Running virt-sysprep on {disk.name}...")
        run_guestfs(ctx, sysprep_argv(self.config, disk, fmt, ctx.template_dir), self.config.tmp_dir,
                    float(self.config.timeout))
        return PostProcessResult(artifact, keep=True, force_keep=True)
