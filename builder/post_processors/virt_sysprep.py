"""``virt-sysprep`` post-processor: reset a built disk so each instance is new
(SSH host keys, machine-id, logs, DHCP leases...), in place.

    post-processor "virt-sysprep" {
      operations   = ["defaults", "-ssh-userdir"]   # virt-sysprep --operations syntax
      run_commands = ["apt-get clean"]
      hostname     = "localhost"
    }

Followed directly by ``virt-sparsify`` in the same chain (what the CentOS 7 and Debian
recipes write), the two share ONE libguestfs appliance boot: virt-sysprep's last
customize action trims every filesystem of the guest (and re-creates its swap areas
discarded), on a drive virt-sysprep attaches with ``discard=unmap``, so the freed blocks
leave the qcow2; virt-sparsify then only writes the compact copy (``qemu-img convert``).
See :meth:`VirtSysprep.fuse_next`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def sysprep_argv(cfg: VirtSysprepConfig, disk: Path, fmt: str, base: Path, *, trim: bool = False) -> list[str]:
    """The virt-sysprep command line (pure, for tests); ``trim``: end with :data:`TRIM_SCRIPT`."""
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
    if trim:
        argv += ["--run-command", TRIM_SCRIPT]
    return argv


_EMPTY_MACHINE_ID = "if [ -s /etc/machine-id ]; then : > /etc/machine-id; fi"


def _customizes(cfg: VirtSysprepConfig) -> bool:
    return bool(cfg.run_commands or cfg.firstboot_commands or cfg.firstboot or cfg.hostname
                or cfg.extra_args)


# What virt-sparsify --in-place does, as the last command of virt-sysprep's customize
# operation (which runs after every filesystem operation, chrooted into the guest with
# its filesystems mounted as in its fstab): trim every mounted filesystem, and discard
# each swap area and re-create it with its UUID and label (a swap area has no free-space
# map to trim). virt-customize's own log of the commands goes first: it is in /tmp,
# which the tmp-files operation has already emptied. ``sync`` first: ext4 hands the blocks of
# just-deleted files to its free-space map only once their journal transaction commits, and
# fstrim skips what is not there yet (measured: 148.7 instead of 146.6 MiB output without it). Not done (virt-sparsify does it):
# discarding free space in an LVM volume group outside any logical volume.
TRIM_SCRIPT = """\
rm -f /tmp/builder.log
for dev in $(blkid -c /dev/null -t TYPE=swap -o device 2>/dev/null); do
  uuid=$(blkid -c /dev/null -s UUID -o value "$dev"); label=$(blkid -c /dev/null -s LABEL -o value "$dev")
  blkdiscard "$dev" 2>/dev/null || dd if=/dev/zero of="$dev" bs=1M conv=fsync 2>/dev/null || :
  mkswap ${uuid:+-U "$uuid"} ${label:+-L "$label"} "$dev" >/dev/null
done
sync
fstrim -av"""


def op_enabled(operations: list[str], op_name: str) -> bool:
    """Whether virt-sysprep runs the default operation ``op_name`` given ``operations``
    (its ``--operations`` list: empty = the defaults; later entries win)."""
    enabled = not operations
    for op in operations:
        name = op.lstrip("-")
        if name in ("defaults", "all", op_name):
            enabled = not op.startswith("-")
    return enabled


def machine_id_reset(operations: list[str]) -> bool:
    """Whether the machine-id operation is enabled by ``operations`` (later entries win)."""
    return op_enabled(operations, "machine-id")


class VirtSysprep(PostProcessor[VirtSysprepConfig]):
    Config = VirtSysprepConfig
    trim = False  # set by fuse_next: trim in this appliance boot, for the virt-sparsify after it

    def fuse_next(self, nxt: PostProcessor[Any]) -> bool:
        """One appliance boot for ``virt-sysprep`` then ``virt-sparsify``: this run trims
        the guest's filesystems last (:data:`TRIM_SCRIPT`), and the virt-sparsify after it
        skips its own ``--in-place`` boot. Not when the customize operation is disabled
        (the trim runs as one of its commands): then both boot as written."""
        from builder.post_processors.virt_sparsify import VirtSparsify

        if not isinstance(nxt, VirtSparsify) or not op_enabled(self.config.operations, "customize"):
            return False
        self.trim = True
        nxt.trimmed_by = "virt-sysprep"
        return True

    def check(self, template_dir: Path) -> list[str]:
        """The firstboot scripts exist (relative to the template's directory, as at run time)."""
        return [f"firstboot: script {s} not found" for s in self.config.firstboot
                if not (template_dir / s).is_file()]

    @classmethod
    def host_requirements(cls, config: VirtSysprepConfig | None) -> list[hostcheck.Requirement]:
        return hostcheck.libguestfs("virt-sysprep")

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        disk, fmt = find_disk(artifact)
        also = " and trimming its filesystems for virt-sparsify (one appliance boot)" if self.trim else ""
        ctx.ui.say(f"Running virt-sysprep on {disk.name}{also}...")
        run_guestfs(ctx, sysprep_argv(self.config, disk, fmt, ctx.template_dir, trim=self.trim),
                    self.config.tmp_dir, float(self.config.timeout))
        return PostProcessResult(artifact, keep=True, force_keep=True)
