"""Kickstart and preseed files, rendered exactly as pybuild serves them
(builder.httpserver.render_http with the template's variables), validated by the
installers' own tooling: pykickstart for the release, debconf-set-selections."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pykickstart.errors import KickstartError
from pykickstart.parser import KickstartParser
from pykickstart.version import RHEL7, RHEL9, makeVersion

from tests.templates._render import load_template, render_http_dir, source_config

KICKSTARTS = [
    ("centos7", None, RHEL7, "RHEL7"),
    ("rocky9", "qemu.rocky9-bios", RHEL9, "RHEL9"),
    ("rocky9", "qemu.rocky9-uefi", RHEL9, "RHEL9"),
    ("almalinux9", "qemu.almalinux9-bios", RHEL9, "RHEL9"),
    ("almalinux9", "qemu.almalinux9-uefi", RHEL9, "RHEL9"),
]
MIRRORS = {"default": {}, "local": {"mirror": "http://mirror.invalid/repo"}}


def parse_ks(text: str, version: int) -> KickstartParser:
    parser = KickstartParser(makeVersion(version))
    parser.readKickstartFromString(text)
    return parser


@pytest.mark.parametrize("mirror", sorted(MIRRORS))
@pytest.mark.parametrize(("template", "source", "version", "ksversion"), KICKSTARTS,
                         ids=[f"{t}-{(s or t).split('.')[-1]}" for t, s, _, _ in KICKSTARTS])
def test_kickstart_valid_for_its_release(tmp_path: Path, template: str, source: str | None,
                                         version: int, ksversion: str, mirror: str) -> None:
    t = load_template(template, **MIRRORS[mirror])
    files = render_http_dir(t, tmp_path / "http", source)
    assert list(files) == ["/ks.cfg"]
    ks = files["/ks.cfg"]
    h = parse_ks(ks, version).handler
    if mirror == "local":
        assert h.method.url.startswith("http://mirror.invalid/repo/")
        assert all(r.baseurl.startswith("http://mirror.invalid/repo/") for r in h.repo.repoList)
    elif template == "centos7":  # its mirror is required
        assert h.method.url.startswith("http://mirror.example/centos/")
    else:  # the boot ISO's own default repositories
        assert not h.method.method
    # the CLI validator agrees (it is what users run; pykickstart installs it)
    ksvalidator = shutil.which("ksvalidator")
    assert ksvalidator, "ksvalidator (pykickstart) is missing"
    r = subprocess.run([ksvalidator, "-v", ksversion, str(tmp_path / "http" / "ks.cfg")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_kickstart_validator_rejects_errors() -> None:
    with pytest.raises(KickstartError):
        parse_ks("part / --fstype=ext4 --bogus-option\n", RHEL7)


@pytest.mark.parametrize("template", ["centos7", "rocky9", "almalinux9"])
def test_kickstart_disk_layout_one_ext4_root_no_swap(tmp_path: Path, template: str) -> None:
    t = load_template(template)
    version = RHEL7 if template == "centos7" else RHEL9
    h = parse_ks(render_http_dir(t, tmp_path)["/ks.cfg"], version).handler
    parts = h.partition.partitions
    assert [(p.mountpoint, p.fstype, p.grow) for p in parts] == [("/", "ext4", True)]
    assert not any(p.mountpoint == "swap" for p in parts)
    assert h.ignoredisk.onlyuse == ["vda"]  # the virtio disk
    assert h.clearpart.initAll
    assert not h.autopart.autopart
    assert h.selinux.selinux == 0  # SELINUX_DISABLED
    assert h.reboot.action  # reboot (then SSH) after the install
    # the build password comes from the sensitive template variable
    assert h.rootpw.password == t.variables["root_password"].value
    assert t.variables["root_password"].sensitive


def test_centos7_kickstart_minimal_install(tmp_path: Path) -> None:
    h = parse_ks(render_http_dir(load_template("centos7"), tmp_path)["/ks.cfg"], RHEL7).handler
    assert h.packages.environment == "minimal"
    assert "core" in [g.name for g in h.packages.groupList]
    assert "crashkernel=auto console=tty0 console=ttyS0,115200n8" in h.bootloader.appendLine


def test_el9_kickstart_minimal_install_and_root_ssh(tmp_path: Path) -> None:
    h = parse_ks(render_http_dir(load_template("rocky9"), tmp_path,
                                 "qemu.rocky9-bios")["/ks.cfg"], RHEL9).handler
    assert h.packages.environment == "minimal-environment"
    assert h.rootpw.allow_ssh
    assert h.reqpart.reqpart  # biosboot or ESP as the firmware needs


@pytest.mark.parametrize("template", ["rocky9", "almalinux9"])
def test_el9_kickstart_without_mirror_keeps_the_installers_source(tmp_path: Path, template: str) -> None:
    ks = render_http_dir(load_template(template), tmp_path)["/ks.cfg"]
    h = parse_ks(ks, RHEL9).handler
    assert not h.method.method  # no url/mirrorlist: the boot ISO's own default repositories
    assert "url " not in ks and "repo " not in ks


def test_kickstart_password_with_spaces_survives(tmp_path: Path) -> None:
    t = load_template("centos7", root_password="two words#hash")
    h = parse_ks(render_http_dir(t, tmp_path)["/ks.cfg"], RHEL7).handler
    assert h.rootpw.password == "two words#hash"


# --------------------------------------------------------------------------- preseed


def debconf_check(path: Path) -> subprocess.CompletedProcess[str]:
    assert shutil.which("debconf-set-selections"), "debconf-set-selections is required (package debconf)"
    return subprocess.run(["debconf-set-selections", "--checkonly", str(path)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("mirror", ["", "http://deb.example.org/debian", "https://m.example:8443/pub/debian/"])
def test_preseed_passes_debconf_checkonly(tmp_path: Path, mirror: str) -> None:
    t = load_template("debian12", mirror=mirror)
    files = render_http_dir(t, tmp_path / "http")
    assert list(files) == ["/preseed.cfg"]
    r = debconf_check(tmp_path / "http" / "preseed.cfg")
    assert r.returncode == 0, r.stderr
    sel = {}
    for line in files["/preseed.cfg"].splitlines():
        if line and not line.startswith("#"):
            _owner, question, _type, *value = line.split(None, 3)
            sel[question] = value[0] if value else ""
    if mirror:
        proto, rest = mirror.split("://")
        host, _, directory = rest.partition("/")
        assert sel["mirror/protocol"] == proto
        assert sel[f"mirror/{proto}/hostname"] == host
        assert sel[f"mirror/{proto}/directory"] == "/" + directory
    else:  # the installer's own default mirror: nothing preseeded
        assert not {q for q in sel if q.startswith("mirror/") and q != "mirror/http/proxy"}
    # one ext4 root partition, no swap
    assert "mountpoint{ / }" in sel["partman-auto/expert_recipe"]
    assert "filesystem{ ext4 }" in sel["partman-auto/expert_recipe"]
    assert "swap" not in sel["partman-auto/expert_recipe"]
    assert sel["partman-basicfilesystems/no_swap"] == "false"
    assert sel["passwd/root-password"] == t.variables["root_password"].value
    assert "ssh-server" in sel["tasksel/first"]
    assert "PermitRootLogin yes" in sel["preseed/late_command"]


def test_debconf_checkonly_rejects_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cfg"
    bad.write_text("d-i this-line-has-no-type\n")
    assert debconf_check(bad).returncode != 0


def test_debian12_boot_command_fetches_the_preseed() -> None:
    cfg = source_config(load_template("debian12"))
    typed = "".join(cfg["boot_command"])
    assert typed.startswith("<esc><wait>auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg")
    assert "priority=critical" in typed
    assert typed.endswith("<enter>")
