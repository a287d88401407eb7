"""The ``mmdebstrap`` builder: a bootable Debian disk image from packages, no VM.

What a build does, in order (each step undoes what it acquired, also on failure or
cancellation — see :meth:`MmdebstrapBuilder.run`):

1. output directory   refuse an existing one unless -force; removed again on failure
2. work directory     a temporary directory beside it (same filesystem); always removed
3. raw disk           sparse file, MBR with one bootable partition at 1 MiB
4. loop device        ``losetup -o 1048576`` (partition nodes do not appear everywhere)
5. filesystem         ext4 with a fixed label and a fresh UUID, mounted in the work dir
6. mmdebstrap         rootfs straight into the mount, hooks configure it (see hooks())
7. boot loader        extlinux.conf (serial console) + ``extlinux --install``
8. detach             fstrim, umount, losetup -d, syslinux MBR code into sector 0
9. output disk        ``qemu-img convert -O qcow2`` (or a rename for raw)
10. provisioners      the template's provisioners, with no communicator (shell-local...)
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from builder import hostcheck, secrets
from builder.errors import BuildError, CommandError
from builder.plugins import Artifact, BuildContext, Builder, ProvisionContext
from builder.run import run
from pybuild_mmdebstrap import config as config_module
from pybuild_mmdebstrap.config import PARTITION_OFFSET, Config

BUILDER_ID = "pybuild.mmdebstrap"
FS_LABEL = "rootfs"
MBR_BIN = Path("/usr/lib/syslinux/mbr/mbr.bin")
WORK_PREFIX = ".pybuild-mmdebstrap-"
CLEANUP_TIMEOUT = 60.0


@dataclass
class State:
    """What the steps share (typed, instead of a string-keyed bag)."""

    cfg: Config
    output_dir: Path
    disk_name: str
    work: Path = Path()
    raw: Path = Path()
    mnt: Path = Path()
    loop: str = ""
    root_uuid: str = ""
    kernel: str = ""  # file names under /boot
    initrd: str = ""
    extra_files: list[Path] = field(default_factory=list)


class MmdebstrapBuilder(Builder[Config]):
    """Builds a Debian cloud disk image with mmdebstrap into a loop-mounted partition."""

    Config = Config
    builder_id = BUILDER_ID

    @classmethod
    def host_requirements(cls, config: config_module.Config | None) -> list[hostcheck.Requirement]:
        """mmdebstrap and the disk tools, syslinux's MBR code, root (loop devices, mount),
        qemu-img for qcow2 output and room for the raw disk plus its converted copy."""
        h = hostcheck
        reqs: list[h.Requirement] = [
            h.Tool("mmdebstrap", apt="mmdebstrap", dnf="mmdebstrap"),
            h.Tool("sfdisk", apt="fdisk", dnf="util-linux"),
            h.Tool("losetup", apt="mount", dnf="util-linux"),
            h.Tool("mkfs.ext4", apt="e2fsprogs", dnf="e2fsprogs", version_args=("-V",)),
            h.Tool("extlinux", apt="extlinux", dnf="syslinux-extlinux"),
            h.HostFile(str(MBR_BIN), apt="syslinux-common", dnf="syslinux"),
            h.QEMU_IMG,
            h.RootUser(),
        ]
        if config is not None:
            reqs.append(h.FreeSpace(directory=config.output_directory or ".", size=2 * config.disk_bytes()))
        return reqs

    # ------------------------------------------------------------------ the step list

    def run(self, ctx: BuildContext) -> Artifact | None:
        cfg = self.config
        if cfg.root_password:
            secrets.add(cfg.root_password)
        name = ctx.source_name
        out = cfg.output_dir(name)
        if not cfg.output_directory and ctx.output_dir_default:
            out = Path(ctx.output_dir_default)
        st = State(cfg=cfg, output_dir=_absolute(out), disk_name=cfg.disk_name(name))
        started = time.monotonic()
        cleanups: list[tuple[str, Callable[[], None]]] = []
        ok = False
        try:
            self._prepare_output(ctx, st)
            cleanups.append(("remove output directory", lambda: _remove_unless(ok, st.output_dir)))
            st.work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=st.output_dir.parent))
            cleanups.append(("remove work directory", lambda: shutil.rmtree(st.work, ignore_errors=True)))
            self._make_disk(ctx, st)
            cleanups.append(("detach loop device", lambda: _detach_loops(st.raw)))
            self._attach_and_format(ctx, st)
            cleanups.append(("unmount", lambda: _unmount(st.mnt)))
            self._mount(ctx, st)
            self._mmdebstrap(ctx, st)
            self._bootloader(ctx, st)
            self._detach(ctx, st)
            disk = self._write_output(ctx, st)
            if ctx.provision is not None:
                ctx.cancel.check()
                ctx.ui.say("Running provisioners (no communicator)...")
                ctx.provision(_provision_context(ctx, st.output_dir))
            ok = True
        finally:
            for what, fn in reversed(cleanups):
                try:
                    fn()
                except Exception as e:  # keep cleaning up; report what stayed behind
                    ctx.ui.error(f"cleanup ({what}) failed: {e}")
        ctx.ui.say(f"Disk image ready in {time.monotonic() - started:.0f}s: {disk}")
        return Artifact(
            builder_id=BUILDER_ID,
            id=st.disk_name,
            files=[disk, *st.extra_files],
            directory=st.output_dir,
            description=f"Disk image: {disk}",
            data={
                "diskName": st.disk_name,
                "diskPaths": [str(disk)],
                "diskType": cfg.format,
                "diskSize": cfg.disk_size,
                "domainType": "none",
                "rootUUID": st.root_uuid,
                "suite": cfg.suite,
            },
        )

    # ------------------------------------------------------------------ steps

    def _prepare_output(self, ctx: BuildContext, st: State) -> None:
        out = st.output_dir
        if out.exists():
            if not ctx.force:
                raise BuildError(
                    f"Output directory exists: {out}\nRemove it or use -force to overwrite it.",
                    step="output directory",
                )
            ctx.ui.say(f"Deleting previous output directory {out}")
            shutil.rmtree(out)
        out.mkdir(parents=True)

    def _make_disk(self, ctx: BuildContext, st: State) -> None:
        ctx.ui.say(f"Creating raw disk ({st.cfg.disk_size}, MBR, one bootable partition)...")
        st.raw = st.work / "disk.raw"
        with open(st.raw, "wb") as f:
            f.truncate(st.cfg.disk_bytes())
        sector = PARTITION_OFFSET // 512
        run(["sfdisk", "-q", st.raw], input=f"label: dos\nstart={sector}, type=83, bootable\n".encode(),
            cancel=ctx.cancel)

    def _attach_and_format(self, ctx: BuildContext, st: State) -> None:
        res = run(["losetup", "-f", "--show", "-o", str(PARTITION_OFFSET), st.raw], cancel=ctx.cancel,
                  hint="the mmdebstrap builder needs loop devices (root, /dev/loop-control)")
        st.loop = res.stdout.strip()
        st.root_uuid = str(uuid.uuid4())
        ctx.ui.say(f"Formatting {st.loop} (ext4, UUID={st.root_uuid})...")
        run(["mkfs.ext4", "-q", "-L", FS_LABEL, "-U", st.root_uuid, st.loop], cancel=ctx.cancel)

    def _mount(self, ctx: BuildContext, st: State) -> None:
        st.mnt = st.work / "root"
        st.mnt.mkdir()
        run(["mount", st.loop, st.mnt], cancel=ctx.cancel)

    def _mmdebstrap(self, ctx: BuildContext, st: State) -> None:
        cfg = st.cfg
        cache = cfg.effective_apt_cache_dir()
        cache.mkdir(parents=True, exist_ok=True)
        mirror = cfg.effective_mirror()
        argv = mmdebstrap_argv(cfg, st, cache, mirror)
        ctx.ui.say(f"Installing Debian {cfg.suite} from {mirror or 'mmdebstrap default mirror'} with mmdebstrap "
                   f"({len(cfg.all_packages())} packages + dependencies)...")
        t0 = time.monotonic()
        run(argv, cancel=ctx.cancel, timeout=float(cfg.mmdebstrap_timeout),
            on_stdout=ctx.ui.message, on_stderr=ctx.ui.message, env={"LC_ALL": "C.UTF-8"})
        ctx.ui.say(f"mmdebstrap done in {time.monotonic() - t0:.0f}s")

    def _bootloader(self, ctx: BuildContext, st: State) -> None:
        ctx.cancel.check()
        ctx.ui.say("Installing the extlinux boot loader (serial console ttyS0)...")
        st.kernel = _boot_file(st.mnt, "vmlinuz")
        st.initrd = _boot_file(st.mnt, "initrd.img")
        conf_dir = st.mnt / "boot" / "extlinux"
        conf_dir.mkdir(parents=True, exist_ok=True)
        (conf_dir / "extlinux.conf").write_text(
            extlinux_conf(st.kernel, st.initrd, st.root_uuid, st.cfg.kernel_cmdline_extra), encoding="utf-8"
        )
        run(["extlinux", "--install", conf_dir], cancel=ctx.cancel)
        if st.cfg.copy_kernel:
            for src, suffix in ((st.kernel, "vmlinuz"), (st.initrd, "initrd")):
                dst = st.output_dir / f"{Path(st.disk_name).stem}.{suffix}"
                shutil.copyfile(st.mnt / "boot" / src, dst)
                st.extra_files.append(dst)

    def _detach(self, ctx: BuildContext, st: State) -> None:
        ctx.cancel.check()
        run(["fstrim", st.mnt], check=False, cancel=None)
        _unmount(st.mnt)
        _detach_loops(st.raw)
        st.loop = ""
        with open(st.raw, "r+b") as f:  # the syslinux MBR code: bytes 0..439, table untouched
            f.write(MBR_BIN.read_bytes()[:440])

    def _write_output(self, ctx: BuildContext, st: State) -> Path:
        disk = st.output_dir / st.disk_name
        if st.cfg.format == "raw":
            os.replace(st.raw, disk)
        else:
            ctx.ui.say(f"Converting to qcow2: {disk}")
            run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", st.raw, disk], cancel=ctx.cancel)
        return disk


# ---------------------------------------------------------------------- pure helpers


def mmdebstrap_argv(cfg: Config, st: State, cache: Path, mirror: str) -> list[str]:
    """The mmdebstrap command line (pure apart from writing the files option's contents)."""
    q = shlex.quote
    root = '"$1"'
    fstab = f"UUID={st.root_uuid} / ext4 defaults,errors=remount-ro 0 1"
    cloud_cfg = (
        f"datasource_list: [ {', '.join(cfg.cloud_init_datasources)} ]\n"
        "locale: C.UTF-8\n"
        "manage_etc_hosts: localhost\n"
    )
    interfaces = "auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n"
    argv = [
        "mmdebstrap",
        f"--variant={cfg.variant}",
        f"--include={','.join(cfg.all_packages())}",
        "--aptopt=APT::Install-Recommends \"false\"",
        "--dpkgopt=path-exclude=/usr/share/doc/*",
        "--dpkgopt=path-include=/usr/share/doc/*/copyright",
        "--dpkgopt=path-exclude=/usr/share/man/*",
        "--dpkgopt=path-exclude=/usr/share/locale/*",
        "--skip=essential/unlink",
        f"--setup-hook=mkdir -p {root}/var/cache/apt/archives/",
        f"--setup-hook=sync-in {cache} /var/cache/apt/archives/",
        f"--essential-hook=mkdir -p {root}/etc/initramfs-tools/conf.d && "
        f"printf 'COMPRESS=zstd\\n' > {root}/etc/initramfs-tools/conf.d/zz-local",
        f"--essential-hook=echo {q(fstab)} > {root}/etc/fstab",
        f"--customize-hook=echo {q(cfg.hostname)} > {root}/etc/hostname && "
        f"printf '127.0.0.1 localhost\\n' > {root}/etc/hosts",
        f"--customize-hook=printf %s {q(interfaces)} > {root}/etc/network/interfaces",
        f"--customize-hook=mkdir -p {root}/etc/cloud/cloud.cfg.d && "
        f"printf %s {q(cloud_cfg)} > {root}/etc/cloud/cloud.cfg.d/90-pybuild.cfg",
    ]
    if cfg.files:
        fdir = st.work / "files"
        fdir.mkdir(exist_ok=True)
        for i, (guest, content) in enumerate(sorted(cfg.files.items())):
            local = fdir / str(i)
            local.write_text(content, encoding="utf-8")
            parent = os.path.dirname(guest) or "/"
            argv.append(f"--customize-hook=mkdir -p {root}{q(parent)} && cp {q(str(local))} {root}{q(guest)}")
    if cfg.root_password:
        pw = st.work / "root-password"
        pw.touch(mode=0o600)
        pw.write_text(f"root:{cfg.root_password}\n", encoding="utf-8")
        argv.append(f"--customize-hook=chroot {root} chpasswd < {q(str(pw))}")
    for cmd in cfg.customize_commands:
        argv.append(f"--customize-hook=chroot {root} sh -ec {q(cmd)}")
    argv += [
        f"--customize-hook=sync-out /var/cache/apt/archives {cache}",
        f"--customize-hook=rm -f {root}/etc/ssh/ssh_host_*",
        f"--customize-hook=systemctl --root={root} enable ssh.service",
        cfg.suite,
        str(st.mnt),
    ]
    if mirror:  # else mmdebstrap's own default for the suite
        argv.append(mirror)
    return argv


def extlinux_conf(kernel: str, initrd: str, root_uuid: str, extra: str = "") -> str:
    append = f"root=UUID={root_uuid} ro console=tty0 console=ttyS0,115200n8"
    if extra.strip():
        append += f" {extra.strip()}"
    return (
        "SERIAL 0 115200\n"
        "DEFAULT linux\n"
        "PROMPT 0\n"
        "TIMEOUT 0\n"
        "LABEL linux\n"
        f"  LINUX /boot/{kernel}\n"
        f"  INITRD /boot/{initrd}\n"
        f"  APPEND {append}\n"
    )


def _boot_file(root: Path, link: str) -> str:
    """File name under /boot of the kernel or initrd (``/vmlinuz`` symlink, else newest)."""
    for cand in (root / link, root / "boot" / link):
        if cand.is_symlink():
            target = Path(os.readlink(cand)).name
            if (root / "boot" / target).is_file():
                return target
    found = sorted(p.name for p in (root / "boot").glob(f"{link}-*"))
    if not found:
        raise BuildError(f"no /boot/{link}-* in the image: is a kernel package installed?",
                         step="boot loader")
    return found[-1]


def _absolute(p: Path) -> Path:
    return p if p.is_absolute() else Path.cwd() / p


def _remove_unless(ok: bool, path: Path) -> None:
    if not ok:
        shutil.rmtree(path, ignore_errors=True)


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path)
    out = []
    with open("/proc/self/mounts", encoding="utf-8") as f:
        for line in f:
            mp = line.split()[1].replace("\\040", " ")
            if mp == prefix or mp.startswith(prefix + "/"):
                out.append(mp)
    return out


def _unmount(mnt: Path) -> None:
    """Unmount mnt and everything below it; idempotent, never cancelled."""
    if mnt == Path() or not _mounts_under(mnt):
        return
    run(["umount", "-R", mnt], check=False, cancel=None, timeout=CLEANUP_TIMEOUT)
    for _ in range(20):
        if not _mounts_under(mnt):
            return
        time.sleep(0.25)
    run(["umount", "-R", "-l", mnt], cancel=None, timeout=CLEANUP_TIMEOUT)


def loops_of(backing: Path) -> list[str]:
    """Loop devices whose backing file is ``backing``."""
    if backing == Path():
        return []
    res = run(["losetup", "-n", "-O", "NAME", "-j", backing], check=False, cancel=None,
              timeout=CLEANUP_TIMEOUT)
    return [line.strip() for line in res.stdout.splitlines() if line.strip()]


def _detach_loops(backing: Path) -> None:
    """Detach every loop device of the raw file (also one attached just before a cancel)."""
    for dev in loops_of(backing):
        try:
            run(["losetup", "-d", dev], cancel=None, timeout=CLEANUP_TIMEOUT)
        except CommandError:
            time.sleep(1)  # udev or a lazy unmount can hold it a moment
            run(["losetup", "-d", dev], cancel=None, timeout=CLEANUP_TIMEOUT)


def _provision_context(ctx: BuildContext, output_dir: Path) -> ProvisionContext:
    return ctx.provision_context(communicator=None, output_dir=output_dir)


__all__ = ["BUILDER_ID", "MmdebstrapBuilder", "extlinux_conf", "mmdebstrap_argv"]
