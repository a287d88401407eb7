"""Where an installer ISO keeps its kernel and initrd, read with pycdlib.

Three layouts, tried in this order:

- ``rhel``: ``.treeinfo`` names the kernel and initrd (``[images-<arch>]``), usually
  ``images/pxeboot/vmlinuz`` and ``images/pxeboot/initrd.img``; stage2 is found by the
  volume label.
- ``debian``: ``install.amd/vmlinuz`` + ``install.amd/initrd.gz``.
- ``ubuntu``: ``casper/vmlinuz`` + ``casper/initrd``.
"""

from __future__ import annotations

import configparser
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pycdlib
from pycdlib.pycdlibexception import PyCdlibException

from builder.errors import BuildError

FAMILIES = ("rhel", "debian", "ubuntu")
_KNOWN = {
    "debian": ("install.amd/vmlinuz", "install.amd/initrd.gz"),
    "ubuntu": ("casper/vmlinuz", "casper/initrd"),
}
RHEL_DEFAULT = ("images/pxeboot/vmlinuz", "images/pxeboot/initrd.img")


@dataclass(frozen=True)
class Layout:
    family: str  # one of FAMILIES
    kernel: str  # path inside the ISO, no leading slash
    initrd: str
    label: str  # the ISO's volume label (trailing blanks removed)


class ISOReader:
    """Read files of an ISO by their Rock Ridge, Joliet or plain ISO 9660 names."""

    def __init__(self, iso: pycdlib.PyCdlib) -> None:
        self._iso = iso
        self._kind = "rr_path" if iso.has_rock_ridge() else "joliet_path" if iso.has_joliet() else "iso_path"

    @property
    def label(self) -> str:
        return bytes(self._iso.pvd.volume_identifier).decode("utf-8", "replace").rstrip(" \0")

    def _key(self, path: str) -> dict[str, str]:
        p = "/" + path.lstrip("/")
        if self._kind == "iso_path":
            p = p.upper() + ";1"
        return {self._kind: p}

    def exists(self, path: str) -> bool:
        try:
            self._iso.get_record(**self._key(path))
        except PyCdlibException:
            return False
        return True

    @property
    def has_joliet(self) -> bool:
        return bool(self._iso.has_joliet())

    def files(self) -> Iterator[str]:
        """Every file's path (no leading slash), in the names :meth:`read` takes."""
        for top, _dirs, names in self._iso.walk(**{self._kind: "/"}):
            for name in names:
                if self._kind == "iso_path":
                    name = name.split(";", 1)[0].lower()
                yield f"{top.rstrip('/')}/{name}".lstrip("/")

    def read(self, path: str) -> bytes:
        buf = io.BytesIO()
        self._iso.get_file_from_iso_fp(buf, **self._key(path))
        return buf.getvalue()

    def extract(self, path: str, dest: Path) -> Path:
        self._iso.get_file_from_iso(str(dest), **self._key(path))
        return dest


@contextmanager
def open_iso(path: Path) -> Iterator[ISOReader]:
    iso = pycdlib.PyCdlib()
    try:
        iso.open(str(path))
    except (PyCdlibException, OSError) as e:
        raise BuildError(f"boot_method = \"kernel\": cannot read {path} as an ISO image: {e}") from e
    try:
        yield ISOReader(iso)
    finally:
        iso.close()


def treeinfo_images(text: str, arch: str = "x86_64") -> tuple[str, str] | None:
    """(kernel, initrd) from a ``.treeinfo``; None when it names none for ``arch``."""
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read_string(text)
    except configparser.Error:
        return None
    for section in (f"images-{arch}", "images-xen"):
        if cp.has_option(section, "kernel") and cp.has_option(section, "initrd"):
            return cp.get(section, "kernel").lstrip("/"), cp.get(section, "initrd").lstrip("/")
    return None


def discover(reader: ISOReader, arch: str = "x86_64") -> Layout:
    """The layout of the ISO behind ``reader``; BuildError names what was looked for."""
    if reader.exists(".treeinfo"):
        found = treeinfo_images(reader.read(".treeinfo").decode("utf-8", "replace"), arch) or RHEL_DEFAULT
        if reader.exists(found[0]) and reader.exists(found[1]):
            return Layout("rhel", found[0], found[1], reader.label)
    for family, (kernel, initrd) in _KNOWN.items():
        if reader.exists(kernel) and reader.exists(initrd):
            return Layout(family, kernel, initrd, reader.label)
    raise BuildError(
        'boot_method = "kernel": no installer kernel found on the ISO (looked for .treeinfo with '
        f"{RHEL_DEFAULT[0]}, {', '.join(k for k, _ in _KNOWN.values())}); "
        'use boot_method = "keys" with a boot_command for this ISO'
    )
