"""A gzip-compressed newc cpio archive, written in Python (no root, no cpio binary).

Linux unpacks an initramfs made of several archives laid end to end, each compressed
or not, so files are "appended to an initrd" by concatenating: the original initrd,
zero padding to a 4-byte boundary, then this archive. Later archives win, so a file
here replaces one of the same name in the original.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping

_TRAILER = "TRAILER!!!"


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def _entry(ino: int, name: str, data: bytes, mode: int) -> bytes:
    raw_name = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw_name), 0]
    header = b"070701" + b"".join(b"%08X" % v for v in fields)
    out = header + raw_name
    out += _pad4(len(out))
    return out + data + _pad4(len(data))


def newc_archive(files: Mapping[str, bytes], mode: int = 0o100600,
                 modes: Mapping[str, int] | None = None) -> bytes:
    """An uncompressed newc archive holding ``files`` (path without leading ``/`` → bytes).

    ``modes`` overrides ``mode`` per path, file type bits included: ``0o100755`` for an
    executable, ``0o040755`` for a directory (with ``b""`` as its data)."""
    out = b""
    for ino, (name, data) in enumerate(sorted(files.items()), start=1):
        out += _entry(ino, name.lstrip("/"), data, (modes or {}).get(name, mode))
    return out + _entry(0, _TRAILER, b"", 0)


def appendix(initrd_size: int, files: Mapping[str, bytes]) -> bytes:
    """What to write after an initrd of ``initrd_size`` bytes: padding, then ``files`` as a
    gzip newc archive."""
    return _pad4(initrd_size) + gzip.compress(newc_archive(files), mtime=0)


def append_to_initrd(initrd: bytes, files: Mapping[str, bytes]) -> bytes:
    """The initrd with ``files`` appended as a second (gzip) archive."""
    return initrd + appendix(len(initrd), files)
