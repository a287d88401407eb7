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

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.run import run
from tests import tools
from tests.fixtures.di_iso import DI_DIR, PACKAGES, cache_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MARKER = "PYBUILD-PRESEED-FROM-INITRD"
BOOT_TIMEOUT = 1200.0  # TCG on a loaded 2-core machine
PRESEED = f"""\
d-i preseed/early_command string echo {MARKER} > /dev/ttyS0
d-i debian-installer/locale string en_US.UTF-8
d-i keyboard-configuration/xkb-keymap select us
d-i netcfg/choose_interface select auto
d-i netcfg/get_hostname string zerokey
d-i netcfg/get_domain string
"""
TEMPLATE = """\
variable "iso" { type = string }
source "qemu" "zerokey" {
  iso_url          = var.iso
  iso_checksum     = "none"
  communicator     = "none"
  headless         = true
  memory           = 1024
  disk_size        = "2G"
  boot_method      = "kernel"
  unattended_file  = "preseed.cfg"
  installer_append = "hostname=zerokey domain="
  shutdown_timeout = "1h"
}
build {
  sources = ["source.qemu.zerokey"]
}
"""


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


def events(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_debian_installer_boots_its_kernel_with_zero_keys(tmp_path: Path) -> None:
    iso = debian_layout_iso()
    work = tmp_path / "w"
    work.mkdir()
    (work / "t.pkr.hcl").write_text(TEMPLATE)
    (work / "preseed.cfg").write_text(PRESEED)
    log_json = work / "events.jsonl"
    out_log = work / "pybuild.out"
    env = {**os.environ, "PYBUILD_ACCELERATOR": "tcg", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "builder.cli", "build", "-on-error=abort", "--log-json", str(log_json),
            "-var", f"iso={iso}", "t.pkr.hcl"]
    serial = work / "output-zerokey" / "serial.log"
    with open(out_log, "w") as fh:
        proc = subprocess.Popen(argv, cwd=work, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    marker_at = moved_on = None
    try:
        start = time.monotonic()
        while time.monotonic() - start < BOOT_TIMEOUT and proc.poll() is None and moved_on is None:
            text = serial.read_text(errors="replace") if serial.exists() else ""
            if marker_at is None and MARKER in text:
                marker_at = time.monotonic() - start
            if marker_at is not None:
                after = text.split(MARKER, 1)[-1]
                moved_on = re.search(r"(?i)(Detecting network|Configuring the network|network hardware|mirror|"
                                     r"Retrieving|Loading additional|Setting up the clock|Detecting disks)", after)
            time.sleep(2)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)  # pybuild's own Ctrl-C handling
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                pytest.fail("pybuild did not stop within 120 s of Ctrl-C")
    output = out_log.read_text(errors="replace")
    text = serial.read_text(errors="replace") if serial.exists() else ""
    assert marker_at is not None, f"no preseed marker on the serial console:\n{output[-3000:]}\n---\n{text[-3000:]}"
    print(f"\npreseed early_command ran {marker_at:.0f}s after `pybuild build` started; then {moved_on.group(0)!r}"
          if moved_on else "")
    assert moved_on is not None, "installer did not move on after the preseed:\n" + text[-3000:]
    evs = events(log_json)
    kinds = [e["event"] for e in evs]
    boot = [e for e in evs if e["event"] == "installer_kernel"]
    assert len(boot) == 1 and boot[0]["family"] == "debian", kinds
    assert boot[0]["kernel"] == "install.amd/vmlinuz"
    assert boot[0]["append"] == ("auto=true priority=critical hostname=zerokey domain= --- "
                                 "console=tty0 console=ttyS0,115200n8")
    assert "boot_command_typed" not in kinds  # zero keys: no keyboard was opened
    assert "Typing the boot command" not in output
    qemu_cmd = next(line for line in output.splitlines() if "Qemu command:" in line)
    assert " -kernel " in qemu_cmd and " -no-reboot" in qemu_cmd and "media=cdrom" in qemu_cmd
    # the kernel got exactly that command line
    assert "Kernel command line: auto=true priority=critical hostname=zerokey" in text
    assert proc.returncode == 130  # interrupted
    shutil.rmtree(work / "output-zerokey", ignore_errors=True)
