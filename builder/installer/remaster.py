"""Remaster an installer ISO: a copy that installs with no key pressed.

The copy gets the unattended file (RHEL-likes: ``/ks.cfg``, read by volume label;
Ubuntu: the ``/nocloud/`` seed; Debian: appended to the installer's initrd, which
every Debian initrd reads as ``/preseed.cfg``) and every boot path edited
(:mod:`builder.installer.bootcfg`): each isolinux/syslinux configuration, each GRUB
configuration on the ISO, and the GRUB configuration inside the El Torito EFI boot
image (a FAT image, edited with mtools) when the distribution keeps its menu there.

It is written with ``xorriso -indev ORIG -outdev NEW -boot_image any replay`` and
``-map`` of the changed files only, so the original El Torito catalog, the hybrid MBR /
GPT and any appended partition are kept as they were.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import BuildError, CommandError
from builder.installer import bootcfg
from builder.installer.cmdline import INITRD_NAME, ISO_KICKSTART, ISO_NOCLOUD, Unattended, compose
from builder.installer.cpio import appendix
from builder.installer.layout import ISOReader, Layout, discover, open_iso
from builder.installer.unattended import Source
from builder.run import run

MTOOLS_ENV = {"MTOOLS_SKIP_CHECK": "1"}
ORIGINAL_SUFFIX = ".orig"


@dataclass(frozen=True)
class Remastered:
    layout: Layout
    iso: Path  # the new ISO (in the private run directory)
    work: Path  # its scratch directory
    append: str  # the installer's command line in every new boot entry
    edited: tuple[str, ...] = field(default=())  # ISO paths written (EFI image files as IMG:/path)


def el_torito_efi_images(iso: Path) -> list[str]:
    """ISO paths of the El Torito EFI boot images that are files in the tree (``-e`` in
    xorriso's ``as_mkisofs`` report); an appended partition (Ubuntu) has no path."""
    res = run(["xorriso", "-indev", iso, "-report_el_torito", "as_mkisofs"], timeout=120)
    out: list[str] = []
    for line in res.stdout.splitlines():
        words = shlex.split(line) if line.startswith("-e ") else []
        if len(words) == 2 and words[1].startswith("/"):
            out.append(words[1].lstrip("/"))
    return out


def _fat_files(img: Path) -> list[str]:
    res = run(["mdir", "-/", "-b", "-i", img, "::/"], env=MTOOLS_ENV, timeout=60)
    return [line.strip()[2:] for line in res.stdout.splitlines() if line.strip().startswith("::/")]


def edit_efi_image(img: Path, kernel: str, initrd: str, append: str) -> list[str]:
    """Edit, in place, each grub.cfg in the FAT image ``img`` that boots a kernel;
    returns the paths edited."""
    edited = []
    for path in _fat_files(img):
        if path.rsplit("/", 1)[-1].lower() != bootcfg.GRUB_NAME:
            continue
        new = img.with_name(img.name + ".grub.cfg")
        run(["mcopy", "-n", "-i", img, f"::{path}", new], env=MTOOLS_ENV, timeout=60)
        text = new.read_text(errors="replace")
        if not bootcfg.grub_boots_a_kernel(text):
            new.unlink()
            continue
        new.write_text(bootcfg.grub_cfg(text, kernel, initrd, append))
        try:
            run(["mcopy", "-o", "-i", img, new, f"::{path}"], env=MTOOLS_ENV, timeout=60)
        except CommandError as e:
            raise BuildError(f"remaster: cannot write {path} into the EFI boot image: {e}") from e
        new.unlink()
        edited.append(path)
    return edited


def _unattended(layout: Layout, source: Source, reader: ISOReader, work: Path, http_base: str,
                maps: dict[str, Path]) -> Unattended:
    if source.how == "http":
        if not http_base:
            raise BuildError("unattended_file: served over HTTP, but pybuild's HTTP server is not running")
        return Unattended("http", http_base.rstrip("/") + source.path)
    if source.how != "file":
        return Unattended("none")
    try:
        data = Path(source.path).read_bytes()
    except OSError as e:
        raise BuildError(f"unattended_file: cannot read {source.path}: {e}") from e
    if layout.family == "debian":  # every Debian initrd reads /preseed.cfg (the netboot one has no CD reader)
        initrd = reader.extract(layout.initrd, work / "initrd")
        initrd.chmod(0o600)
        with open(initrd, "ab") as fh:
            fh.write(appendix(fh.tell(), {INITRD_NAME["debian"]: data}))
        maps[layout.initrd] = initrd
        return Unattended("initrd")
    if layout.family == "rhel":
        ks = work / ISO_KICKSTART
        ks.write_bytes(data)
        maps[ISO_KICKSTART] = ks
        return Unattended("iso")
    seed = work / ISO_NOCLOUD  # ubuntu: a NoCloud seed on the ISO
    seed.mkdir()
    (seed / "user-data").write_bytes(data)
    (seed / "meta-data").write_text("")
    maps[ISO_NOCLOUD] = seed
    return Unattended("iso")


def remaster(iso: Path, work: Path, source: Source, *, http_base: str = "", extra: str = "") -> Remastered:
    """Write the remastered copy of ``iso`` into ``work`` (created, mode 0700)."""
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    maps: dict[str, Path] = {}  # ISO path → local file or directory
    edited: list[str] = []
    with open_iso(iso) as reader:
        layout = discover(reader)
        how = _unattended(layout, source, reader, work, http_base, maps)
        append = compose(layout, how, extra)
        k, i = layout.kernel, layout.initrd
        for n, path in enumerate(reader.files()):
            name = path.rsplit("/", 1)[-1].lower()
            if name in bootcfg.SYSLINUX_NAMES:
                original = path + ORIGINAL_SUFFIX
                local = work / f"cfg{n}"
                local.write_text(bootcfg.syslinux_cfg(k, i, append, original="/" + original))
                keep = work / f"cfg{n}{ORIGINAL_SUFFIX}"
                keep.write_bytes(reader.read(path))
                maps[path], maps[original] = local, keep
                edited.append(path)
            elif name == bootcfg.GRUB_NAME:
                text = reader.read(path).decode("utf-8", "replace")
                if bootcfg.grub_boots_a_kernel(text):
                    local = work / f"cfg{n}"
                    local.write_text(bootcfg.grub_cfg(text, k, i, append))
                    maps[path] = local
                    edited.append(path)
        for img_path in el_torito_efi_images(iso):
            local = reader.extract(img_path, work / f"efi{len(maps)}.img")
            inside = edit_efi_image(local, k, i, append)
            if inside:
                maps[img_path] = local
                edited += [f"{img_path}:{p}" for p in inside]
            else:
                local.unlink()
        has_joliet = reader.has_joliet
    if not edited:
        raise BuildError(f"remaster: {iso} has no isolinux/syslinux or GRUB configuration that boots the "
                         'installer; use boot_method = "kernel" for it')
    out = work / "remastered.iso"
    out.unlink(missing_ok=True)
    argv: list[str | Path] = ["xorriso", "-report_about", "SORRY", "-indev", iso, "-outdev", out,
                              "-boot_image", "any", "replay"]
    if has_joliet:
        argv += ["-joliet", "on"]
    for iso_path, local in sorted(maps.items()):
        argv += ["-map", local, "/" + iso_path]
    argv += ["-chmod_r", "a+r", *("/" + p for p in sorted(maps)), "--"]  # the local copies are 0600
    try:
        run(argv, timeout=3600)
    except CommandError as e:
        raise BuildError(f"remaster: xorriso could not write the new ISO: {e}") from e
    out.chmod(0o600)  # it may hold passwords (the unattended file)
    return Remastered(layout, out, work, append, tuple(edited))
