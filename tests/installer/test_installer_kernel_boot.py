"""boot_method = "kernel" against the real Debian 12 installer, through `pybuild build`.

The netboot kernel and initrd (Debian package debian-installer-12-netboot-amd64) are
put on an ISO with the Debian media layout (install.amd/vmlinuz, install.amd/initrd.gz)
and no boot loader at all, so only a direct kernel boot can start it. pybuild finds
the layout, appends the preseed to the initrd as a cpio archive, boots QEMU with
-kernel/-initrd/-append -no-reboot, and types nothing. The preseed's early_command
writes a marker on the serial port, then the installer moves on (network, mirror).
A full install cannot finish on these machines (the mirror lacks the .udeb files), so
the build is interrupted (Ctrl-C) and must clean up.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.run import run
from tests import tools
from tests.fixtures.di_iso import DI_DIR, PACKAGES, cache_dir
from tests.installer.zerokey import MOVED_ON, boot_until_preseed

pytestmark = pytest.mark.slow


def debian_layout_iso() -> Path:
    """An ISO with Debian's media layout and no boot loader (cached, ~50 MB)."""
    missing = [str(p) for p in (DI_DIR / "linux", DI_DIR / "initrd.gz") if not p.exists()]
    missing += [] if shutil.which("xorriso") else ["xorriso"]
    if missing:
        tools.missing(f"missing {missing}: apt-get install {PACKAGES}")
    stamp = (DI_DIR / "linux").stat().st_mtime_ns ^ (DI_DIR / "initrd.gz").stat().st_size
    out = cache_dir() / f"di-layout-{stamp:x}.iso"
    if out.exists():
        return out
    tree = out.with_name(out.name + ".tree")
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "install.amd").mkdir(parents=True)
    shutil.copyfile(DI_DIR / "linux", tree / "install.amd" / "vmlinuz")
    shutil.copyfile(DI_DIR / "initrd.gz", tree / "install.amd" / "initrd.gz")
    part = out.with_name(out.name + ".part")
    run(["xorriso", "-as", "mkisofs", "-quiet", "-o", part, "-V", "Debian 12 zerokey", "-J", "-r", tree],
        timeout=300)
    shutil.rmtree(tree)
    part.replace(out)
    return out


def test_debian_installer_boots_its_kernel_with_zero_keys(tmp_path: Path) -> None:
    boot = boot_until_preseed(debian_layout_iso(), tmp_path / "w", method="kernel",
                              append="hostname=zerokey domain=", then=MOVED_ON)
    assert boot.seconds is not None, f"no preseed marker on the serial console:\n{boot.output[-3000:]}\n---\n" \
                                     f"{boot.serial[-3000:]}"
    print(f"\npreseed early_command ran {boot.seconds:.0f}s after QEMU started; then {boot.then!r}")
    assert boot.then is not None, "installer did not move on after the preseed:\n" + boot.serial[-3000:]
    ev = boot.event("installer_kernel")
    assert ev["family"] == "debian" and ev["kernel"] == "install.amd/vmlinuz"
    assert ev["append"] == ("auto=true priority=critical hostname=zerokey domain= --- "
                            "console=tty0 console=ttyS0,115200n8")
    assert boot.keys == [] and boot.post_boot  # zero keys: the keyboard drivers were never called
    assert "boot_command_typed" not in boot.kinds()
    assert "Typing the boot command" not in boot.output
    qemu_cmd = next(line for line in boot.output.splitlines() if "Qemu command:" in line)
    assert " -kernel " in qemu_cmd and " -no-reboot" in qemu_cmd and "media=cdrom" in qemu_cmd
    # the kernel got exactly that command line
    assert "Kernel command line: auto=true priority=critical hostname=zerokey" in boot.serial
    assert boot.returncode == 130  # interrupted
