"""Prepare a direct kernel boot: extract the installer kernel and initrd, add the
unattended file, compose the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.errors import BuildError
from builder.installer.cmdline import INITRD_NAME, Unattended, compose
from builder.installer.cpio import appendix
from builder.installer.layout import Layout, discover, open_iso
from builder.installer.unattended import Source


@dataclass(frozen=True)
class KernelBoot:
    layout: Layout
    kernel: Path
    initrd: Path
    append: str


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
    if source.how == "http":
        if not http_base:
            raise BuildError("unattended_file: served over HTTP, but pybuild's HTTP server is not running")
        unattended = Unattended("http", http_base.rstrip("/") + source.path)
    elif source.how == "file":
        name = INITRD_NAME.get(layout.family)
        if name is None:
            raise BuildError(
                f"unattended_file: the {layout.family} installer does not read its answers from the initrd; "
                'serve it with http_content, or give a "cidata" volume (cd_content, cd_label = "cidata")'
            )
        try:
            data = Path(source.path).read_bytes()
        except OSError as e:
            raise BuildError(f"unattended_file: cannot read {source.path}: {e}") from e
        with open(initrd, "ab") as fh:
            fh.write(appendix(fh.tell(), {name: data}))
        unattended = Unattended("initrd")
    return KernelBoot(layout, kernel, initrd, compose(layout, unattended, extra))
