"""boot_method = "kernel" on the RHEL-like and Ubuntu media layouts, end to end.

The ISOs (tests/fixtures/zerokey_iso.py) have the real layouts and volume labels, the
host's Debian kernel and a busybox initrd that reports, on the serial console, its
command line, the volume it found under the udev-escaped ``inst.stage2`` label, and the
kickstart (``OEMDRV``) or user-data (``cidata``) read from the volume pybuild attached;
then it powers off. Each goes through ``pybuild build`` with TCG and 0 keys typed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pykickstart.parser import KickstartParser
from pykickstart.version import RHEL7, RHEL9, makeVersion

from tests.fixtures.pybuild_proc import interrupt
from tests.fixtures.zerokey_iso import CENTOS7, MARK, ROCKY9, UBUNTU, Media, cached_iso
from tests.templates._render import load_template, render_http_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = "console=tty0 console=ttyS0,115200n8"
USER_DATA = """\
#cloud-config
autoinstall:
  version: 1
  identity: {hostname: zerokey, username: pb, password: "$6$x$y"}
  shutdown: poweroff
"""

TEMPLATE = """\
variable "iso" { type = string }
source "qemu" "zk" {
  iso_url          = var.iso
  iso_checksum     = "none"
  communicator     = "%(communicator)s"
  ssh_username     = "root"
  ssh_password     = "x"
  ssh_timeout      = "%(ssh_timeout)s"
  headless         = true
  memory           = 512
  disk_size        = "64M"
  boot_method      = "kernel"
  unattended_file  = "%(unattended)s"
  installer_append = "%(append)s"
  shutdown_timeout = "5m"
}
build {
  sources = ["source.qemu.zk"]
}
"""


def shipped_kickstart(template: str, tmp: Path) -> str:
    """The shipped template's kickstart, rendered as its build would serve it."""
    t = load_template(template)
    return render_http_dir(t, tmp / "http-render")["/ks.cfg"]


def pybuild(work: Path, iso: Path, *, timeout: float = 600) -> tuple[subprocess.CompletedProcess[str],
                                                                        list[dict[str, object]], str]:
    env = {**os.environ, "PYBUILD_ACCELERATOR": "tcg", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    events = work / "events.jsonl"
    p = subprocess.run([sys.executable, "-m", "builder.cli", "build", "-on-error=abort", "--log-json", str(events),
                        "-var", f"iso={iso}", "t.pkr.hcl"], cwd=work, env=env, capture_output=True, text=True,
                       timeout=timeout)
    evs = [json.loads(line) for line in events.read_text().splitlines() if line.strip()] if events.exists() else []
    serial = work / "output-zk" / "serial.log"
    return p, evs, serial.read_text(errors="replace") if serial.exists() else ""


def block(serial: str, tag: str) -> str:
    """The file the init printed between ``TAG-BEGIN`` and ``TAG-END``."""
    lines = serial.replace("\r", "").splitlines()
    start = lines.index(f"{MARK} {tag}-BEGIN")
    end = lines.index(f"{MARK} {tag}-END")
    return "".join(line.removeprefix(f"{MARK} {tag}| ") + "\n" for line in lines[start + 1:end])


def marked(serial: str, word: str) -> str:
    """The one init line ``MARK WORD ...`` (without the mark)."""
    hits = [line.strip().removeprefix(f"{MARK} ") for line in serial.replace("\r", "").splitlines()
            if line.startswith(f"{MARK} {word} ")]
    assert len(hits) == 1, f"{word!r} lines: {hits}\n{serial[-3000:]}"
    return hits[0]


def write_build(work: Path, unattended_name: str, unattended: str, *, append: str = "",
                communicator: str = "none", ssh_timeout: str = "5m") -> None:
    work.mkdir()
    (work / unattended_name).write_text(unattended)
    (work / "t.pkr.hcl").write_text(TEMPLATE % {"communicator": communicator, "ssh_timeout": ssh_timeout,
                                                "unattended": unattended_name, "append": append})


def assert_zero_keys_and_power_off(p: subprocess.CompletedProcess[str], evs: list[dict[str, object]],
                                   serial: str) -> None:
    kinds = [e["event"] for e in evs]
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:] + "\n---\n" + serial[-3000:]
    assert "boot_command_typed" not in kinds and "Typing the boot command" not in p.stdout
    assert kinds.count("qemu_started") == 1
    assert "Waiting for the guest to power off" in p.stdout
    assert f"{MARK} POWEROFF" in serial and "reboot: Power down" in serial
    assert "INSMOD-FAILED" not in serial


@pytest.mark.parametrize("media", [CENTOS7, ROCKY9], ids=lambda m: m.name)
def test_rhel_layout_reads_the_kickstart_from_oemdrv(tmp_path: Path, media: Media) -> None:
    iso = cached_iso(media)
    ks = shipped_kickstart("centos7" if media is CENTOS7 else "rocky9", tmp_path)
    work = tmp_path / "w"
    write_build(work, "ks.cfg", ks, append="inst.text net.ifnames=0")
    p, evs, serial = pybuild(work, iso)
    assert_zero_keys_and_power_off(p, evs, serial)
    escaped = media.label.replace(" ", r"\x20")
    expected = (f"inst.stage2=hd:LABEL={escaped} inst.ks=hd:LABEL=OEMDRV:/ks.cfg inst.text net.ifnames=0 "
                f"{CONSOLE}")
    assert marked(serial, "CMDLINE") == f"CMDLINE {expected}"
    boot = [e for e in evs if e["event"] == "installer_kernel"]
    assert [(b["family"], b["kernel"], b["initrd"], b["append"], b["volume"]) for b in boot] == [
        ("rhel", "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", expected, "answers.iso")]
    # the escaped label, unescaped as udev does, names the installer ISO itself
    assert marked(serial, "STAGE2").startswith(f"STAGE2 label=[{media.label}] device=/dev/sr")
    assert "[images-x86_64]" in block(serial, "TREEINFO")
    # the kickstart as anaconda would read it from the OEMDRV volume: byte for byte, and valid
    assert marked(serial, "KICKSTART").startswith("KICKSTART label=[OEMDRV] device=/dev/sr")
    read = block(serial, "KICKSTART")
    assert read == ks
    KickstartParser(makeVersion(RHEL7 if media is CENTOS7 else RHEL9)).readKickstartFromString(read)


def test_ubuntu_layout_reads_user_data_from_cidata(tmp_path: Path) -> None:
    iso = cached_iso(UBUNTU)
    work = tmp_path / "w"
    write_build(work, "user-data", USER_DATA)
    p, evs, serial = pybuild(work, iso)
    assert_zero_keys_and_power_off(p, evs, serial)
    expected = f"autoinstall ds=nocloud --- {CONSOLE}"
    assert marked(serial, "CMDLINE") == f"CMDLINE {expected}"
    boot = [e for e in evs if e["event"] == "installer_kernel"]
    assert [(b["family"], b["kernel"], b["initrd"], b["append"]) for b in boot] == [
        ("ubuntu", "casper/vmlinuz", "casper/initrd", expected)]
    assert marked(serial, "CIDATA").startswith("CIDATA device=/dev/sr")
    assert block(serial, "USER-DATA") == USER_DATA
    assert block(serial, "META-DATA") == ""


def test_with_a_communicator_the_installed_disk_boots_next(tmp_path: Path) -> None:
    """After the installer's power-off QEMU starts again from the disk, without the
    installer kernel and media. The synthetic installer installs nothing, so the second
    boot finds no system and the SSH wait times out: that is the expected failure."""
    iso = cached_iso(ROCKY9)
    work = tmp_path / "w"
    write_build(work, "ks.cfg", "text\n", communicator="ssh", ssh_timeout="60s")
    p, evs, serial = pybuild(work, iso)
    kinds = [e["event"] for e in evs]
    assert p.returncode == 1, p.stdout[-3000:]
    assert kinds.count("qemu_started") == 2 and "installer_finished" in kinds, kinds
    assert f"{MARK} POWEROFF" in serial
    first, second = [line for line in p.stdout.splitlines() if "Qemu command:" in line]
    assert " -kernel " in first and " -no-reboot" in first and "media=cdrom" in first and "-boot once=d" in first
    assert " -kernel " not in second and "-no-reboot" not in second and "media=cdrom" not in second
    assert "-boot c" in second
    assert "Installer finished; booting the installed system from its disk" in p.stdout


def test_shipped_rocky9_template_kernel_variant_types_nothing(tmp_path: Path) -> None:
    """templates/rocky9.pkr.hcl with -var boot_method=kernel on the Rocky-layout ISO: the
    installer kernel gets the kickstart URL of pybuild's HTTP server and the arguments the
    boot_command would have typed; after its power-off QEMU boots the disk (where the
    synthetic installer put nothing, so the build is interrupted there)."""
    iso = cached_iso(ROCKY9)
    for d in ("templates", "http", "scripts"):
        shutil.copytree(ROOT / d, tmp_path / d)
    work = tmp_path / "w"
    work.mkdir()
    events = work / "events.jsonl"
    env = {**os.environ, "PYBUILD_ACCELERATOR": "tcg", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "builder.cli", "build", "-on-error=abort", "--log-json", str(events),
            "-only=qemu.rocky9-bios", "-var", f"iso_url={iso}", "-var", "iso_checksum=none",
            "-var", "boot_method=kernel", str(tmp_path / "templates" / "rocky9.pkr.hcl")]
    with open(work / "out.log", "w") as fh:
        proc = subprocess.Popen(argv, cwd=work, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    kinds: list[object] = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None and kinds.count("qemu_started") < 2:
            time.sleep(1)
            if events.exists():
                kinds = [json.loads(line)["event"] for line in events.read_text().splitlines()[:-1]]
    finally:
        interrupt(proc)
    out = (work / "out.log").read_text()
    serial = (work / "output-rocky9-bios" / "serial.log").read_text(errors="replace")
    assert kinds.count("qemu_started") == 2 and "installer_finished" in kinds, out[-3000:]
    assert "boot_command_typed" not in kinds and "Typing the boot command" not in out
    port = next(line for line in out.splitlines() if "Starting HTTP server on port" in line).split("port ")[1]
    assert marked(serial, "CMDLINE") == (
        f"CMDLINE inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd inst.ks=http://10.0.2.2:{port.split()[0]}/ks.cfg "
        f"inst.text net.ifnames=0 {CONSOLE}")
    assert f"{MARK} POWEROFF" in serial
    assert proc.returncode == 130  # interrupted while waiting for SSH on the disk's system
