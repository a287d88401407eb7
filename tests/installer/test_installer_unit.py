"""boot_method = "kernel" without a VM: ISO layouts (synthetic ISOs made with pycdlib),
the command line per layout, the initrd cpio append, the options' validation, the argv."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pycdlib
import pytest

from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.installer.cmdline import SERIAL_CONSOLE, Unattended, compose, udev_label
from builder.installer.cpio import append_to_initrd, newc_archive
from builder.installer.kernel import prepare
from builder.installer.layout import Layout, discover, open_iso, treeinfo_images
from builder.installer.unattended import Source, resolve
from builder.qemu.argv import RunFacts, build_argv
from builder.qemu.config import QemuConfig

TREEINFO = """\
[general]
family = CentOS
arch = x86_64

[images-x86_64]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img
boot.iso = images/boot.iso
"""


def make_iso(path: Path, label: str, files: dict[str, bytes]) -> Path:
    """An ISO with Rock Ridge names (as distribution media have), written with pycdlib."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, rock_ridge="1.09", vol_ident=label)
    dirs: dict[str, str] = {}
    for n, (rel, data) in enumerate(sorted(files.items())):
        parts = rel.split("/")
        parent = ""
        for d in parts[:-1]:
            rr_dir = f"{parent}/{d}" if parent else d
            if rr_dir not in dirs:
                iso_dir = (dirs.get(parent, "") + f"/D{len(dirs)}")
                iso.add_directory(iso_dir, rr_name=d)
                dirs[rr_dir] = iso_dir
            parent = rr_dir
        iso.add_fp(io.BytesIO(data), len(data), f"{dirs.get(parent, '')}/F{n}.;1", rr_name=parts[-1])
    iso.write(str(path))
    iso.close()
    return path


LAYOUTS = {
    "rhel": ("CentOS 7 x86_64", {".treeinfo": TREEINFO.encode(), "images/pxeboot/vmlinuz": b"K" * 3,
                                 "images/pxeboot/initrd.img": b"I" * 5, "images/install.img": b"S"}),
    "debian": ("Debian 12.8.0 amd64 n", {"install.amd/vmlinuz": b"K" * 3, "install.amd/initrd.gz": b"I" * 5,
                                         "isolinux/isolinux.cfg": b"x"}),
    "ubuntu": ("Ubuntu-Server 24.04 LTS amd64", {"casper/vmlinuz": b"K" * 3, "casper/initrd": b"I" * 5}),
}


@pytest.mark.parametrize("family", sorted(LAYOUTS))
def test_layout_discovery(tmp_path: Path, family: str) -> None:
    label, files = LAYOUTS[family]
    iso = make_iso(tmp_path / "x.iso", label, files)
    with open_iso(iso) as r:
        lay = discover(r)
        assert r.read(lay.kernel) == b"KKK"
    assert lay.family == family and lay.label == label
    assert lay.initrd in files and lay.kernel in files


def test_treeinfo_names_other_paths(tmp_path: Path) -> None:
    text = TREEINFO.replace("images/pxeboot/vmlinuz", "boot/linux").replace("images/pxeboot/initrd.img", "boot/ird")
    assert treeinfo_images(text) == ("boot/linux", "boot/ird")
    assert treeinfo_images(text, "aarch64") is None
    assert treeinfo_images("not [ini") is None
    iso = make_iso(tmp_path / "x.iso", "Rocky-9-4-x86_64-dvd",
                   {".treeinfo": text.encode(), "boot/linux": b"k", "boot/ird": b"i"})
    with open_iso(iso) as r:
        assert discover(r) == Layout("rhel", "boot/linux", "boot/ird", "Rocky-9-4-x86_64-dvd")


def test_unknown_layout_and_not_an_iso(tmp_path: Path) -> None:
    iso = make_iso(tmp_path / "x.iso", "WHATEVER", {"boot/vmlinuz": b"k"})
    with open_iso(iso) as r, pytest.raises(BuildError, match="no installer kernel found"):
        discover(r)
    bad = tmp_path / "bad.iso"
    bad.write_bytes(b"\0" * 4096)
    with pytest.raises(BuildError, match="cannot read"), open_iso(bad):
        pass


@pytest.mark.parametrize(
    ("label", "escaped"),
    [
        ("CentOS 7 x86_64", r"CentOS\x207\x20x86_64"),
        ("Rocky-9-4-x86_64-dvd", "Rocky-9-4-x86_64-dvd"),
        ("RHEL-9.4.0 BaseOS.x86_64", r"RHEL-9.4.0\x20BaseOS.x86_64"),
        ("a/b\\c", r"a\x2fb\x5cc"),
        ("x#+-.:=@_y", "x#+-.:=@_y"),
    ],
)
def test_udev_label(label: str, escaped: str) -> None:
    assert udev_label(label) == escaped


U = "http://10.0.2.2:8123/ks/ks.cfg"


@pytest.mark.parametrize(
    ("family", "unattended", "extra", "expected"),
    [
        ("rhel", Unattended("http", U), "", rf"inst.stage2=hd:LABEL=CentOS\x207 inst.ks={U} {SERIAL_CONSOLE}"),
        ("rhel", Unattended("volume"), "inst.text", rf"inst.stage2=hd:LABEL=CentOS\x207 "
                                                    f"inst.ks=hd:LABEL=OEMDRV:/ks.cfg inst.text {SERIAL_CONSOLE}"),
        ("rhel", Unattended("none"), "", rf"inst.stage2=hd:LABEL=CentOS\x207 {SERIAL_CONSOLE}"),
        ("debian", Unattended("http", U), "", f"auto=true priority=critical url={U} --- {SERIAL_CONSOLE}"),
        ("debian", Unattended("initrd"), " hostname=x ", f"auto=true priority=critical hostname=x --- {SERIAL_CONSOLE}"),
        ("ubuntu", Unattended("http", U), "", f"autoinstall ds=nocloud;s=http://10.0.2.2:8123/ks/ --- {SERIAL_CONSOLE}"),
        ("ubuntu", Unattended("none"), "", f"autoinstall --- {SERIAL_CONSOLE}"),
        ("ubuntu", Unattended("volume"), "", f"autoinstall ds=nocloud --- {SERIAL_CONSOLE}"),
    ],
)
def test_command_line(family: str, unattended: Unattended, extra: str, expected: str) -> None:
    assert compose(Layout(family, "k", "i", "CentOS 7"), unattended, extra) == expected


def test_cpio_is_read_by_gnu_cpio(tmp_path: Path) -> None:
    if shutil.which("cpio") is None:
        pytest.fail("cpio not installed (apt-get install cpio)")
    files = {"preseed.cfg": b"d-i debian-installer/locale string en_US\n", "dir/odd": b"12345"}
    out = subprocess.run(["cpio", "-it", "--quiet"], input=newc_archive(files), capture_output=True, check=True)
    assert out.stdout.decode().split() == ["dir/odd", "preseed.cfg"]
    (tmp_path / "x").mkdir()
    subprocess.run(["cpio", "-id", "--quiet"], input=newc_archive(files), cwd=tmp_path / "x", check=True)
    assert (tmp_path / "x" / "preseed.cfg").read_bytes() == files["preseed.cfg"]
    listing = subprocess.run(["cpio", "-itv", "--quiet"], capture_output=True, check=True, input=newc_archive(
        {"bin": b"", "bin/init": b"#!/bin/sh\n"}, modes={"bin": 0o040755, "bin/init": 0o100755})).stdout.decode()
    assert [line.split()[0] for line in listing.splitlines()] == ["drwxr-xr-x", "-rwxr-xr-x"]


@pytest.mark.parametrize("orig_len", [0, 1, 2, 3, 4, 7])
def test_append_pads_to_four_bytes(orig_len: int) -> None:
    orig = b"\x1f" * orig_len
    out = append_to_initrd(orig, {"a": b"b"})
    start = len(orig) + (-len(orig) % 4)
    assert out[:len(orig)] == orig and set(out[len(orig):start]) <= {0} and start % 4 == 0
    assert gzip.decompress(out[start:]) == newc_archive({"a": b"b"})


def test_prepare_debian_with_local_preseed(tmp_path: Path) -> None:
    label, files = LAYOUTS["debian"]
    iso = make_iso(tmp_path / "d.iso", label, files)
    preseed = tmp_path / "p.cfg"
    preseed.write_text("d-i x string y\n")
    kb = prepare(iso, tmp_path, Source("file", str(preseed)), extra="hostname=h")
    assert kb.kernel.read_bytes() == b"KKK"
    data = kb.initrd.read_bytes()
    assert data[:5] == b"IIIII" and gzip.decompress(data[8:]) == newc_archive({"preseed.cfg": b"d-i x string y\n"})
    assert kb.append == f"auto=true priority=critical hostname=h --- {SERIAL_CONSOLE}"
    assert oct(kb.initrd.stat().st_mode & 0o777) == "0o600"


def test_prepare_http_and_ubuntu_local(tmp_path: Path) -> None:
    label, files = LAYOUTS["rhel"]
    iso = make_iso(tmp_path / "r.iso", label, files)
    kb = prepare(iso, tmp_path, Source("http", "/ks.cfg"), http_base="http://10.0.2.2:9000")
    assert kb.initrd.read_bytes() == b"IIIII"
    assert r"inst.stage2=hd:LABEL=CentOS\x207\x20x86_64 inst.ks=http://10.0.2.2:9000/ks.cfg" in kb.append
    with pytest.raises(BuildError, match="HTTP server is not running"):
        prepare(iso, tmp_path, Source("http", "/ks.cfg"))


def _volume_files(volume: Path) -> tuple[str, dict[str, bytes]]:
    with open_iso(volume) as reader:
        names = ["ks.cfg", "user-data", "meta-data"]
        return reader.label, {n: reader.read(n) for n in names if reader.exists(n)}


def test_prepare_rhel_and_ubuntu_local_files_go_on_a_volume(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.write_text("#cloud-config\nautoinstall: {version: 1}\n")
    label, files = LAYOUTS["ubuntu"]
    kb = prepare(make_iso(tmp_path / "u.iso", label, files), tmp_path, Source("file", str(answers)))
    assert kb.volume is not None and kb.append == f"autoinstall ds=nocloud --- {SERIAL_CONSOLE}"
    assert _volume_files(kb.volume) == ("cidata", {"user-data": answers.read_bytes(), "meta-data": b""})
    assert oct(kb.volume.stat().st_mode & 0o777) == "0o600"
    label, files = LAYOUTS["rhel"]
    kb = prepare(make_iso(tmp_path / "r.iso", label, files), tmp_path, Source("file", str(answers)))
    assert kb.volume is not None and kb.initrd.read_bytes() == b"IIIII"  # the initrd is left alone
    assert "inst.ks=hd:LABEL=OEMDRV:/ks.cfg" in kb.append
    assert _volume_files(kb.volume) == ("OEMDRV", {"ks.cfg": answers.read_bytes()})


def cfg(**kw):  # type: ignore[no-untyped-def]
    base = {"iso_url": "x.iso", "iso_checksum": "none", "ssh_username": "root", "headless": True}
    base.update(kw)
    return parse_config(QemuConfig, base, component='source "qemu.t"')


def test_resolve_unattended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "http").mkdir()
    (tmp_path / "http" / "preseed.cfg.j2").write_text("x")
    (tmp_path / "p.cfg").write_text("x")
    monkeypatch.chdir(tmp_path)
    k = {"boot_method": "kernel"}
    assert resolve(cfg(**k, unattended_file="ks.cfg", http_content={"/ks.cfg": "x"})) == Source("http", "/ks.cfg")
    assert resolve(cfg(**k, unattended_file="/preseed.cfg", http_directory="http")) == Source("http", "/preseed.cfg")
    assert resolve(cfg(**k, unattended_file="p.cfg", http_content={"/ks.cfg": "x"}), base_dir=tmp_path) == \
        Source("file", str(tmp_path / "p.cfg"))
    assert resolve(cfg(**k)) == Source("none")


def test_keys_is_the_default_and_unchanged() -> None:
    c = cfg(boot_command=["<enter>"])
    assert c.boot_method == "keys"
    assert "-kernel" not in build_argv(c, RunFacts(vm_name="v", accelerator="tcg", disk_paths=["d"]))


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"boot_method": "kernel", "boot_command": ["<esc>"]}, 'boot_command: must be empty with boot_method = "kernel"'),
        ({"boot_method": "remaster", "boot_command": ["<esc>"]},
         'boot_command: must be empty with boot_method = "remaster"'),
        ({"boot_method": "remaster", "iso_skip_cache": True}, 'iso_skip_cache: boot_method = "remaster"'),
        ({"boot_method": "typing"}, "boot_method"),
        ({"boot_method": "kernel", "disk_image": True}, "cannot be used with disk_image"),
        ({"boot_method": "kernel", "unattended_file": "/nonexistent/ks.cfg"}, "neither served by"),
        ({"unattended_file": "ks.cfg", "http_content": {"/ks.cfg": "x"}}, 'only used with boot_method = "kernel"'),
        ({"installer_append": "inst.text"}, 'installer_append: only used with boot_method = "kernel"'),
    ],
)
def test_validation(kw: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        cfg(**kw)
    assert needle in e.value.render()


def test_kernel_argv() -> None:
    c = cfg(boot_method="kernel", unattended_file="ks.cfg", http_content={"/ks.cfg": "x"})
    f = RunFacts(vm_name="v", accelerator="tcg", disk_paths=["d"], iso_path="i.iso",
                 kernel="/r/k", initrd="/r/i", append="auto=true --- console=ttyS0")
    argv = build_argv(c, f)
    i = argv.index("-kernel")
    assert argv[i:i + 7] == ["-kernel", "/r/k", "-initrd", "/r/i", "-append", "auto=true --- console=ttyS0",
                             "-no-reboot"]
    assert "file=i.iso,media=cdrom" in argv  # the ISO stays attached
    f.cd_path, f.answers_path = "cd.iso", "answers.iso"
    drives = [a for a in build_argv(c, f) if a.endswith("media=cdrom")]
    assert drives == ["file=i.iso,media=cdrom", "file=cd.iso,media=cdrom", "file=answers.iso,media=cdrom"]


def test_located_error_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(
        'source "qemu" "t" {\n  iso_url = "x.iso"\n  iso_checksum = "none"\n  communicator = "none"\n'
        '  boot_method = "kernel"\n  boot_command = ["<esc>"]\n  unattended_file = "missing.cfg"\n}\n'
        'build {\n  sources = ["source.qemu.t"]\n}\n'
    )
    p = subprocess.run([sys.executable, "-m", "builder.cli", "validate", "t.pkr.hcl"], cwd=tmp_path,
                       capture_output=True, text=True, env={**os.environ, "PYBUILD_HOSTCHECK": "0"})
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert 'boot_command: must be empty with boot_method = "kernel"' in out, out
    assert "on t.pkr.hcl line 6 (column 3)" in out, out  # boot_command
    assert "unattended_file: 'missing.cfg' is neither served" in out, out
    assert "on t.pkr.hcl line 7 (column 3)" in out, out
