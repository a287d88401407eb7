"""The shipped installer templates' zero-key variants: ``-var boot_method=kernel`` and
``-var boot_method=remaster``.

The default (``keys``) keeps the boot_command as before; ``kernel`` and ``remaster`` empty
it, name the answers file (served by the template's http_directory, or Ubuntu's cidata
cd_content) and give the installer the same arguments the boot_command typed; with
``remaster`` they go on the ISO's edited boot menus' command line, the answers file stays
on pybuild's HTTP server (only its URL is on that line).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from builder.config import parse_config
from builder.installer.cmdline import SERIAL_CONSOLE, Unattended, compose
from builder.installer.layout import Layout
from builder.installer.unattended import resolve
from builder.qemu.config import QemuConfig
from tests.templates._paths import ROOT, TEMPLATES
from tests.templates._render import load_template, required_var_args

URL = "http://10.0.2.2:8123"
# template → (sources, ISO layout family and a real volume label, the kernel command line)
EXPECTED: dict[str, tuple[list[str], str, str, str]] = {
    "centos7": (["qemu.centos7"], "rhel", "CentOS 7 x86_64",
                rf"inst.stage2=hd:LABEL=CentOS\x207\x20x86_64 inst.ks={URL}/ks.cfg text net.ifnames=0 "
                f"biosdevname=0 {SERIAL_CONSOLE}"),
    "rocky9": (["qemu.rocky9-bios", "qemu.rocky9-uefi"], "rhel", "Rocky-9-4-x86_64-dvd",
               f"inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd inst.ks={URL}/ks.cfg inst.text net.ifnames=0 "
               f"{SERIAL_CONSOLE}"),
    "almalinux9": (["qemu.almalinux9-bios", "qemu.almalinux9-uefi"], "rhel", "AlmaLinux-9-4-x86_64-dvd",
                   f"inst.stage2=hd:LABEL=AlmaLinux-9-4-x86_64-dvd inst.ks={URL}/ks.cfg inst.text "
                   f"net.ifnames=0 {SERIAL_CONSOLE}"),
    "debian12": (["qemu.debian12"], "debian", "Debian 12.7.0 amd64 n",
                 f"auto=true priority=critical url={URL}/preseed.cfg locale=en_US.UTF-8 keymap=us hostname=debian "
                 f"domain= interface=auto --- {SERIAL_CONSOLE}"),
    "ubuntu2404": (["qemu.ubuntu2404"], "ubuntu", "Ubuntu-Server 24.04 LTS amd64",
                   f"autoinstall --- {SERIAL_CONSOLE}"),
}


def config(name: str, source: str, **vars: str) -> dict[str, Any]:
    t = load_template(name, **vars)
    spec = next(s for b in t.builds for s in b.sources if s.full_name == source)
    cfg: dict[str, Any] = spec.evaluate({})
    return cfg


def command_line(cfg: dict[str, Any], family: str, label: str) -> str:
    """What the installer_kernel step composes for this source (HTTP server at ``URL``)."""
    qc = parse_config(QemuConfig, cfg, component="source")
    src = resolve(qc)
    how = Unattended("http", URL + src.path) if src.how == "http" else Unattended(src.how)
    return compose(Layout(family, "k", "i", label), how, qc.installer_append)


ZERO_KEY = ["kernel", "remaster"]


@pytest.mark.parametrize("method", ZERO_KEY)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_zero_key_variant_types_nothing_and_composes_the_command_line(name: str, method: str) -> None:
    sources, family, label, expected = EXPECTED[name]
    for source in sources:
        cfg = config(name, source, boot_method=method)
        assert cfg["boot_method"] == method and cfg["boot_command"] == [], source
        assert command_line(cfg, family, label) == expected, source
        # served over HTTP (only the URL goes on the command line), not copied into the ISO;
        # Ubuntu's answers are the cidata CD (cd_content), named by no file
        how = resolve(parse_config(QemuConfig, cfg, component="source")).how
        assert how == ("none" if family == "ubuntu" else "http"), source


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_default_keeps_the_boot_command(name: str) -> None:
    for source in EXPECTED[name][0]:
        cfg = config(name, source)
        assert cfg["boot_method"] == "keys", source
        assert cfg.get("unattended_file", "") == "" and cfg.get("installer_append", "") == "", source
        typed = "".join(cfg["boot_command"])
        assert "<enter>" in typed or "<leftCtrlOn>x" in typed, source
        assert ("ks.cfg" in typed) or ("preseed.cfg" in typed) or ("autoinstall" in typed), source
        parse_config(QemuConfig, cfg, component="source")


def validate(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder.cli", "validate", *required_var_args(name), *args,
                           str(TEMPLATES / f"{name}.pkr.hcl")], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


@pytest.mark.parametrize("method", ZERO_KEY)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pybuild_validate_zero_key_variant(name: str, method: str) -> None:
    r = validate(name, "-var", f"boot_method={method}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "The configuration is valid." in r.stdout


def test_unknown_boot_method_is_refused_at_validate() -> None:
    r = validate("rocky9", "-var", "boot_method=typing")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "boot_method" in out and "rocky9.pkr.hcl" in out
    assert '"keys", "kernel" or "remaster"' in out


@pytest.mark.parametrize("method", ZERO_KEY)
def test_the_zero_key_variants_serve_the_same_answers_file(method: str) -> None:
    """The kickstart / preseed named by unattended_file is one the http_directory serves
    (rendered from NAME.j2), the same the keys variant's boot_command points at."""
    for name in ("centos7", "rocky9", "almalinux9", "debian12"):
        for source in EXPECTED[name][0]:
            cfg = config(name, source, boot_method=method)
            served = Path(cfg["http_directory"]) / (cfg["unattended_file"] + ".j2")
            assert served.is_file(), served
            assert cfg["unattended_file"] in "".join(config(name, source)["boot_command"])
