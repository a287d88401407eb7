"""boot_method = "remaster" without a VM: the boot loader edits (pure), and remastered
copies of small ISOs with the RHEL-like (isolinux + GRUB in the EFI image), Ubuntu
(GRUB only) and Debian (the real installer's media layout) boot paths, written by
xorriso and read back."""

from __future__ import annotations

import gzip
import io
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from builder import hostcheck
from builder.builders.qemu import QemuBuilder
from builder.errors import BuildError
from builder.installer import bootcfg
from builder.installer.cmdline import SERIAL_CONSOLE
from builder.installer.layout import open_iso
from builder.installer.remaster import MTOOLS_ENV, el_torito_efi_images, remaster
from builder.installer.unattended import Source
from builder.run import run
from builder.steps.installer_remaster import StepInstallerRemaster
from builder.steps.qemu_run import _iso as attached_iso
from tests import tools
from tests.fixtures.di_iso import ISOLINUX_BIN
from tests.installer.test_installer_step import _state
from tests.installer.test_installer_unit import TREEINFO, cfg

RHEL_ISOLINUX = """\
default vesamenu.c32
timeout 600
label linux
  menu label ^Install CentOS 7
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=CentOS\\x207\\x20x86_64 quiet
label check
  menu label Test this ^media & install CentOS 7
  menu default
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=CentOS\\x207\\x20x86_64 rd.live.check quiet
"""
RHEL_GRUB = """\
set default="1"
function load_video {
  insmod all_video
}
set timeout=60
search --no-floppy --set=root -l 'CentOS 7 x86_64'
menuentry 'Install CentOS 7' --class fedora --class gnu-linux --class gnu --class os {
\tlinuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=CentOS\\x207\\x20x86_64 quiet
\tinitrdefi /images/pxeboot/initrd.img
}
"""
UBUNTU_GRUB = """\
set timeout=30
loadfont unicode
menuentry "Try or Install Ubuntu Server" {
\tset gfxpayload=keep
\tlinux\t/casper/vmlinuz  ---
\tinitrd\t/casper/initrd
}
"""
REDIRECT_GRUB = "search --file --set=root /.disk/info\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n"


def test_syslinux_cfg_boots_at_once() -> None:
    text = bootcfg.syslinux_cfg("install.amd/vmlinuz", "/install.amd/initrd.gz", "auto=true --- quiet",
                                original="/isolinux/isolinux.cfg.orig")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[1:4] == ["default pybuild", "prompt 0", "timeout 1"]
    assert "kernel /install.amd/vmlinuz" in lines
    assert "append initrd=/install.amd/initrd.gz auto=true --- quiet" in lines
    assert lines[-1] == "config /isolinux/isolinux.cfg.orig /isolinux"
    assert not any(line.startswith(("ui ", "menu default")) for line in lines)


@pytest.mark.parametrize(
    ("original", "linux", "initrd"),
    [(RHEL_GRUB, "linuxefi", "initrdefi"), (UBUNTU_GRUB, "linux", "initrd"), ("", "linux", "initrd")],
)
def test_grub_cfg_adds_the_default_entry_last(original: str, linux: str, initrd: str) -> None:
    text = bootcfg.grub_cfg(original, "k/vmlinuz", "k/initrd", "autoinstall ds=nocloud;s=/cdrom/nocloud/ --- x")
    assert text.startswith(original.rstrip("\n"))
    tail = text[len(original.rstrip("\n")):].strip().splitlines()
    assert tail[-3:] == ["set default=pybuild", "set timeout_style=menu", "set timeout=1"]
    assert "menuentry 'pybuild unattended install' --id pybuild {" in tail
    assert f"    {linux} /k/vmlinuz autoinstall 'ds=nocloud;s=/cdrom/nocloud/' --- x" in tail
    assert f"    {initrd} /k/initrd" in tail


@pytest.mark.parametrize(
    ("arg", "word"),
    [("quiet", "quiet"), ("inst.ks=hd:LABEL=A:/ks.cfg", "inst.ks=hd:LABEL=A:/ks.cfg"),
     (r"inst.stage2=hd:LABEL=CentOS\x207", r"inst.stage2=hd:LABEL=CentOS\x207"),  # bare, as RHEL writes it
     ("ds=nocloud;s=http://h/", "'ds=nocloud;s=http://h/'"), ("it's", "'it'\\''s'"), ("$x", "'$x'")],
)
def test_grub_quote(arg: str, word: str) -> None:
    assert bootcfg.grub_quote(arg) == word


def test_grub_cfg_that_only_loads_another_is_not_a_boot_entry() -> None:
    assert not bootcfg.grub_boots_a_kernel(REDIRECT_GRUB)
    assert bootcfg.grub_boots_a_kernel(RHEL_GRUB) and bootcfg.grub_boots_a_kernel(UBUNTU_GRUB)


# --------------------------------------------------------------------------- ISOs written by xorriso


def _need_tools() -> None:
    tools.require_tool("xorriso", "mkfs.fat", "mcopy", "mdir", hint="apt-get install xorriso dosfstools mtools")
    if not ISOLINUX_BIN.exists():
        tools.missing(f"{ISOLINUX_BIN} missing (apt-get install isolinux)")


def _fat(path: Path, files: dict[str, str]) -> Path:
    run(["mkfs.fat", "-C", path, "1440"], timeout=60)
    for rel, text in files.items():
        parts = rel.split("/")
        for n in range(1, len(parts)):
            run(["mmd", "-D", "s", "-i", path, "::/" + "/".join(parts[:n])], env=MTOOLS_ENV, timeout=60,
                ok_codes=(0, 1))
        with tempfile.NamedTemporaryFile("w", suffix=".cfg") as f:
            f.write(text)
            f.flush()
            run(["mcopy", "-i", path, f.name, "::/" + rel], env=MTOOLS_ENV, timeout=60)
    return path


def _iso(path: Path, label: str, files: dict[str, str | bytes], efi_img: str = "", bios: bool = True) -> Path:
    tree = path.with_name(path.name + ".tree")
    for rel, data in files.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(data.encode() if isinstance(data, str) else data)
    argv: list[str | Path] = ["xorriso", "-as", "mkisofs", "-quiet", "-o", path, "-V", label, "-J", "-r"]
    if bios:
        shutil.copyfile(ISOLINUX_BIN, tree / "isolinux" / "isolinux.bin")
        argv += ["-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4",
                 "-boot-info-table"]
    if efi_img:
        argv += ["-eltorito-alt-boot", "-e", efi_img, "-no-emul-boot"]
    run([*argv, tree], timeout=120)
    return path


def _fat_read(img: Path, path: str) -> str:
    local = img.with_name("read.out")
    run(["mcopy", "-n", "-i", img, "::" + path, local], env=MTOOLS_ENV, timeout=60)
    return local.read_text()


def test_rhel_like_every_boot_path_and_the_kickstart(tmp_path: Path) -> None:
    _need_tools()
    label = "CentOS 7 x86_64"
    efiboot = _fat(tmp_path / "efiboot.img", {"EFI/BOOT/grub.cfg": RHEL_GRUB, "EFI/BOOT/BOOTX64.EFI": "x"})
    iso = _iso(tmp_path / "c7.iso", label, {
        ".treeinfo": TREEINFO, "images/pxeboot/vmlinuz": b"K", "images/pxeboot/initrd.img": b"I",
        "isolinux/isolinux.cfg": RHEL_ISOLINUX, "EFI/BOOT/grub.cfg": RHEL_GRUB,
        "images/efiboot.img": efiboot.read_bytes()}, efi_img="images/efiboot.img")
    ks = tmp_path / "ks.cfg"
    ks.write_text("text\nrootpw --plaintext s3cret\n")
    rm = remaster(iso, tmp_path / "work", Source("file", str(ks)), extra="inst.text")
    append = rf"inst.stage2=hd:LABEL=CentOS\x207\x20x86_64 inst.ks=hd:LABEL=CentOS\x207\x20x86_64:/ks.cfg inst.text {SERIAL_CONSOLE}"
    assert rm.append == append
    assert sorted(rm.edited) == ["EFI/BOOT/grub.cfg", "images/efiboot.img:/EFI/BOOT/grub.cfg",
                                 "isolinux/isolinux.cfg"]
    assert stat.S_IMODE(rm.iso.stat().st_mode) == 0o600
    assert el_torito_efi_images(rm.iso) == ["images/efiboot.img"]  # the catalog was replayed
    out = tmp_path / "efiboot.out.img"
    with open_iso(rm.iso) as r:
        assert r.label == label
        assert r.read("ks.cfg") == ks.read_bytes()
        assert r.read("isolinux/isolinux.cfg.orig").decode() == RHEL_ISOLINUX
        assert "default pybuild" in r.read("isolinux/isolinux.cfg").decode()
        grub = r.read("EFI/BOOT/grub.cfg").decode()
        r.extract("images/efiboot.img", out)
        assert r.read("images/pxeboot/initrd.img") == b"I"  # untouched
    assert f"    linuxefi /images/pxeboot/vmlinuz {append}\n" in grub
    assert grub.rstrip().endswith("set timeout=1")
    assert _fat_read(out, "/EFI/BOOT/grub.cfg") == grub  # the EFI image's menu, edited alike
    assert _fat_read(out, "/EFI/BOOT/BOOTX64.EFI") == "x"
    assert RHEL_ISOLINUX not in grub and grub.startswith(RHEL_GRUB)


def test_ubuntu_grub_only_with_a_nocloud_seed(tmp_path: Path) -> None:
    _need_tools()
    efi = _fat(tmp_path / "efi.img", {"EFI/boot/grub.cfg": REDIRECT_GRUB})
    iso = _iso(tmp_path / "u.iso", "Ubuntu-Server 24.04 LTS amd64", {
        "casper/vmlinuz": b"K", "casper/initrd": b"I", "boot/grub/grub.cfg": UBUNTU_GRUB,
        "boot/grub/efi.img": efi.read_bytes()}, efi_img="boot/grub/efi.img", bios=False)
    ud = tmp_path / "user-data"
    ud.write_text("#cloud-config\nautoinstall:\n  version: 1\n")
    rm = remaster(iso, tmp_path / "work", Source("file", str(ud)))
    assert rm.append == f"autoinstall ds=nocloud;s=/cdrom/nocloud/ --- {SERIAL_CONSOLE}"
    assert rm.edited == ("boot/grub/grub.cfg",)  # the EFI image only loads /boot/grub/grub.cfg
    with open_iso(rm.iso) as r:
        assert r.read("nocloud/user-data") == ud.read_bytes()
        assert r.read("nocloud/meta-data") == b""
        assert "    linux /casper/vmlinuz autoinstall 'ds=nocloud;s=/cdrom/nocloud/' ---" in r.read(
            "boot/grub/grub.cfg").decode()


def test_http_source_goes_on_the_command_line(tmp_path: Path) -> None:
    _need_tools()
    iso = _iso(tmp_path / "u.iso", "Ubuntu", {"casper/vmlinuz": b"K", "casper/initrd": b"I",
                                             "boot/grub/grub.cfg": UBUNTU_GRUB}, bios=False)
    rm = remaster(iso, tmp_path / "w", Source("http", "/autoinstall/user-data"), http_base="http://10.0.2.2:8111")
    assert rm.append.startswith("autoinstall ds=nocloud;s=http://10.0.2.2:8111/autoinstall/ ---")
    with pytest.raises(BuildError, match="HTTP server is not running"):
        remaster(iso, tmp_path / "w2", Source("http", "/user-data"))


def test_no_boot_menu_to_edit(tmp_path: Path) -> None:
    _need_tools()
    iso = _iso(tmp_path / "d.iso", "Debian", {"install.amd/vmlinuz": b"K", "install.amd/initrd.gz": b"I"},
               bios=False)
    with pytest.raises(BuildError, match=r'no isolinux/syslinux or GRUB configuration.*boot_method = "kernel"'):
        remaster(iso, tmp_path / "w", Source("none"))


def test_debian_media_preseed_in_the_initrd(di_iso_media: Path, tmp_path: Path) -> None:
    preseed = tmp_path / "preseed.cfg"
    preseed.write_text("d-i debian-installer/locale string en_US.UTF-8\n")
    rm = remaster(di_iso_media, tmp_path / "w", Source("file", str(preseed)))
    assert rm.layout.family == "debian"
    assert rm.append == f"auto=true priority=critical --- {SERIAL_CONSOLE}"
    assert sorted(rm.edited) == ["boot/grub/grub.cfg", "isolinux/isolinux.cfg"]
    assert el_torito_efi_images(rm.iso) == ["boot/grub/efi.img"]
    with open_iso(di_iso_media) as r:
        initrd = r.read("install.amd/initrd.gz")
    with open_iso(rm.iso) as r:
        new = r.read("install.amd/initrd.gz")
        cfg = r.read("isolinux/isolinux.cfg").decode()
    assert new.startswith(initrd) and len(new) > len(initrd)
    tail = gzip.GzipFile(fileobj=io.BytesIO(new[len(initrd) + (-len(initrd) % 4):])).read()
    assert b"preseed.cfg" in tail and preseed.read_bytes() in tail
    assert "append initrd=/install.amd/initrd.gz auto=true priority=critical ---" in cfg


def test_step_writes_the_copy_and_cleanup_removes_it(di_iso_media: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "preseed.cfg").write_text("d-i x string y\n")
    state = _state(tmp_path, boot_method="remaster", unattended_file="preseed.cfg", installer_append="ip={{ .HTTPIP }}")
    state.iso_path = di_iso_media
    step = StepInstallerRemaster()
    step.run(state)
    rm = state.remastered
    assert rm is not None and rm.iso.is_file() and rm.iso.parent == tmp_path / "remaster"
    assert "ip=10.0.2.2 ---" in rm.append
    assert attached_iso(state) == str(rm.iso)  # qemu_run attaches the copy
    step.cleanup(state)
    assert state.remastered is None and not rm.work.exists()
    assert attached_iso(state) == str(di_iso_media)
    step.cleanup(state)  # idempotent


def test_host_requirements_name_xorriso_and_mtools(tmp_path: Path) -> None:
    reqs = QemuBuilder.host_requirements(cfg(boot_method="remaster"))
    assert hostcheck.XORRISO in reqs and hostcheck.MTOOLS in reqs
    found = hostcheck.MTOOLS.check(hostcheck.Host(root=tmp_path, path="", env={}))
    assert found.status == "missing" and "mtools" in found.fix
    plain = QemuBuilder.host_requirements(cfg())
    assert hostcheck.XORRISO not in plain and hostcheck.MTOOLS not in plain
