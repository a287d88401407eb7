"""The remaster leg of the zero-key bench (issue 21): time from QEMU start to "the
installer has read the unattended file" with ``boot_method = "remaster"``.

The Debian 12 installer test media (tests/fixtures/di_iso.py ``di_iso_media``: Debian's
CD layout, isolinux + GRUB EFI) is remastered by pybuild and booted with zero keys,
by isolinux on BIOS and by GRUB on UEFI (OVMF); the clock runs from pybuild's
``qemu_started`` event to the preseed's early_command marker on the serial console
(:func:`tests.installer.zerokey.boot_until_preseed`, the slow tests' driver). The
remastering itself (xorriso, before QEMU starts) is timed apart.

:func:`remaster_leg` returns the rows of part 9's second table (bench/zerokey.py).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.common import Stat
from builder.installer.remaster import remaster
from builder.installer.unattended import Source
from tests.fixtures.di_iso import cached_di_iso
from tests.installer.zerokey import PRESEED, boot_until_preseed

HEADERS = ["boot", "QEMU start → preseed read (s)", "keys typed"]


def remaster_seconds(iso: Path, runs: int) -> Stat:
    """Wall time of pybuild's remaster of ``iso`` (preseed into the initrd, menus, xorriso replay)."""
    values = []
    with tempfile.TemporaryDirectory(prefix="pb-bench-rm-") as tmp:
        preseed = Path(tmp) / "preseed.cfg"
        preseed.write_text(PRESEED)
        for n in range(runs):
            t = time.monotonic()
            remaster(iso, Path(tmp) / f"w{n}", Source("file", str(preseed)))
            values.append(time.monotonic() - t)
    return Stat(values)


def remaster_leg(runs: int = 1) -> tuple[list[list[str]], list[str]]:
    """Rows for :data:`HEADERS` (remaster on BIOS and on UEFI) and notes."""
    os.environ.setdefault("PYBUILD_ACCELERATOR", "tcg")
    iso = cached_di_iso("media")
    rows, notes = [], []
    for efi in (False, True):
        seconds: list[float] = []
        keys: int | None = 0
        for n in range(runs):
            with tempfile.TemporaryDirectory(prefix="pb-bench-zk-") as tmp:
                boot = boot_until_preseed(iso, Path(tmp) / f"r{n}", method="remaster", efi=efi)
            if boot.seconds is None:
                notes.append(f"remaster {'UEFI' if efi else 'BIOS'} run {n + 1}: no preseed marker "
                             f"(exit {boot.returncode})")
                continue
            seconds.append(boot.seconds)
            keys = None if keys is None or boot.keys is None else keys + len(boot.keys)
        label = "remaster, GRUB on UEFI (OVMF)" if efi else "remaster, isolinux on BIOS"
        rows.append([label, Stat(seconds).fmt(0), "not recorded" if keys is None else str(keys)])
    size = iso.stat().st_size / 1e6
    notes.append(f"remastering the {size:.0f} MB ISO (before QEMU starts): {remaster_seconds(iso, max(runs, 3)).fmt(2)} s")
    return rows, notes
