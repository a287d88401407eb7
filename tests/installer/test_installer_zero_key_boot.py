"""The real Debian 12 installer with zero keys, on BIOS and on UEFI (OVMF), through
``pybuild build``: the test media (tests/fixtures/di_iso.py ``di_iso_media``, Debian's CD
layout, isolinux + GRUB EFI, menus that wait for a key) booted

- by ``boot_method = "kernel"`` under OVMF (the installer kernel handed over by QEMU's
  fw_cfg, the preseed in its initrd);
- by ``boot_method = "remaster"``: isolinux on BIOS, GRUB from the El Torito EFI image
  on OVMF, the preseed in the copy's initrd.

Each must reach the preseed's early_command (a marker on the serial console) with the
keyboard drivers never called; the build is then interrupted and must clean up. So must the
shipped ``templates/debian12.pkr.hcl`` with ``-var boot_method=remaster`` (its preseed
served over HTTP, the marker added to it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.installer.zerokey import MARKER, boot_until_preseed

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("method", "efi"),
    [("kernel", True), ("remaster", False), ("remaster", True)],
    ids=["kernel-uefi", "remaster-bios", "remaster-uefi"],
)
def test_debian_installer_reads_its_preseed_with_zero_keys(di_iso_media: Path, tmp_path: Path, method: str,
                                                          efi: bool) -> None:
    boot = boot_until_preseed(di_iso_media, tmp_path / "w", method=method, efi=efi)
    where = f"\n{boot.output[-3000:]}\n--- serial ---\n{boot.serial[-3000:]}"
    assert boot.seconds is not None, "no preseed marker on the serial console:" + where
    print(f"\n{method} ({'UEFI' if efi else 'BIOS'}): QEMU start → preseed read {boot.seconds:.0f} s")
    assert boot.keys == [], f"keyboard drivers were called: {boot.keys}"  # the hooks ran, nothing typed
    assert boot.post_boot  # past the boot_command step
    assert "boot_command_typed" not in boot.kinds()
    qemu_cmd = next(line for line in boot.output.splitlines() if "Qemu command:" in line)
    assert ("if=pflash" in qemu_cmd) == efi
    assert "Kernel command line:" in boot.serial and "auto=true priority=critical" in boot.serial
    if method == "kernel":
        assert boot.event("installer_kernel")["kernel"] == "install.amd/vmlinuz"
        assert " -kernel " in qemu_cmd
    else:
        ev = boot.event("installer_remaster")
        assert sorted(ev["edited"]) == ["boot/grub/grub.cfg", "isolinux/isolinux.cfg"]
        assert " -kernel " not in qemu_cmd and f"file={ev['iso']},media=cdrom" in qemu_cmd
        assert not Path(ev["iso"]).exists()  # cleanup removed the copy
        # the boot loader chose the new entry: its command line ends with the serial console
        assert "auto=true priority=critical --- console=tty0 console=ttyS0,115200n8" in boot.serial
    assert MARKER in boot.serial
    assert boot.returncode == 130  # interrupted


def test_shipped_debian_template_remaster_variant_reads_the_served_preseed(di_iso_media: Path,
                                                                          tmp_path: Path) -> None:
    """``templates/debian12.pkr.hcl -var boot_method=remaster`` (BIOS, isolinux): the preseed
    stays on pybuild's HTTP server; the edited menu boots with its URL, no key typed."""
    boot = boot_until_preseed(di_iso_media, tmp_path / "w", method="remaster", shipped="debian12")
    where = f"\n{boot.output[-3000:]}\n--- serial ---\n{boot.serial[-3000:]}"
    assert boot.seconds is not None, "no preseed marker on the serial console:" + where
    print(f"\nshipped debian12, remaster: QEMU start → preseed read {boot.seconds:.0f} s")
    assert boot.keys == [], f"keyboard drivers were called: {boot.keys}"
    assert boot.post_boot and "boot_command_typed" not in boot.kinds()
    reads = [e for e in boot.events if e["event"] == "http_request" and e["path"] == "/preseed.cfg"]
    assert reads and reads[0]["status"] == 200, boot.kinds()
    ev = boot.event("installer_remaster")
    assert sorted(ev["edited"]) == ["boot/grub/grub.cfg", "isolinux/isolinux.cfg"]
    assert "url=http://10.0.2.2:" in ev["append"] and "/preseed.cfg locale=en_US.UTF-8 keymap=us" in ev["append"]
    assert "url=http://10.0.2.2:" in boot.serial  # the installer kernel got the URL from the edited menu
    assert boot.returncode == 130  # interrupted
