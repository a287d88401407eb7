"""Prepare a direct kernel boot: extract the installer kernel and initrd, add the
unattended file, compose the command line.

A local unattended file goes where each installer looks by itself: Debian's into the
initrd (``/preseed.cfg``), a kickstart onto an extra CD labelled ``OEMDRV`` (``/ks.cfg``),
Ubuntu's autoinstall user-data onto an extra CD labelled ``cidata`` (with an empty
``meta-data``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.errors import BuildError
from builder.installer.cmdline import CIDATA, INITRD_NAME, KICKSTART_NAME, OEMDRV, Unattended, compose
from builder.installer.cpio import appendix
from builder.installer.layout import Layout, discover, open_iso
from builder.installer.unattended import Source
from builder.isofs import make_iso


@dataclass(frozen=True)
class KernelBoot:
    layout: Layout
    kernel: Path
    initrd: Path
    append: str
    volume: Path | None = None  # the OEMDRV / cidata CD holding the unattended file


def answers_volume(family: str, data: bytes, out: Path) -> Path | None:
    """The extra CD that ``family``'s installer reads its answers from; None when it
    reads them from the initrd instead."""
    text = data.decode("utf-8", "replace")
    if family == "rhel":
        return make_iso(out, content={KICKSTART_NAME: text}, label=OEMDRV)
    if family == "ubuntu":
        return make_iso(out, content={"user-data": text, "meta-data": ""}, label=CIDATA)
    return None


def prepare(iso: Path, out_dir: Path, source: Source, *, http_base: str = "", extra: str = "") -> KernelBoot:
    """Extract into ``out_dir`` (files mode 0600: the initrd may hold passwords).

    ``http_base`` is the guest's URL of pybuild's HTTP server (``http://10.0.2.2:PORT``).
    """
    with open_iso(iso) as reader:
        layout = discover(reader)
        kernel = reader.extract(layout.kernel, out_dir / "installer-kernel")
        initrd = reader.extract(layout.initrd, out_dir / "installer-initrd")
    for p in (kernel, initrd):
        p.chmod(0o600)  # before the unattended file (it may hold passwords) goes in
    unattended = Unattended("none")
    volume: Path | None = None
    if source.how == "http":
        if not http_base:
            raise BuildError("unattended_file: served over HTTP, but pybuild's HTTP server is not running")
        unattended = Unattended("http", http_base.rstrip("/") + source.path)
    elif source.how == "file":
        try:
            data = Path(source.path).read_bytes()
        except OSError as e:
            raise BuildError(f"unattended_file: cannot read {source.path}: {e}") from e
        volume = answers_volume(layout.family, data, out_dir / "answers.iso")
        if volume is not None:
            unattended = Unattended("volume")
        else:
            with open(initrd, "ab") as fh:
                fh.write(appendix(fh.tell(), {INITRD_NAME[layout.family]: data}))
            unattended = Unattended("initrd")
    return KernelBoot(layout, kernel, initrd, compose(layout, unattended, extra), volume)
