"""chef's ``host-info`` data source (github.com/Stromweld/host-info): facts about the
machine pybuild runs on, no options.

Outputs, spelled as that plugin (which reports Go's names via gopsutil):
``os_type`` (``linux``, Go's GOOS), ``architecture`` (Go's GOARCH: ``amd64``, ``arm64``,
``386``...), ``platform`` (the distribution: ``debian``, ``ubuntu``, ``redhat``...),
``family`` (``debian``, ``rhel``, ``suse``...) and ``version`` (the distribution's
release: ``/etc/debian_version`` on Debian, ``VERSION_ID`` elsewhere).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.config import BaseConfig
from builder.plugins import DataSource, DataSourceContext

GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386",
          "i686": "386", "armv7l": "arm", "armv6l": "arm", "ppc64le": "ppc64le", "s390x": "s390x",
          "riscv64": "riscv64", "loongarch64": "loong64"}
FAMILY = {
    "debian": "debian", "ubuntu": "debian", "linuxmint": "debian", "raspbian": "debian",
    "redhat": "rhel", "centos": "rhel", "rocky": "rhel", "almalinux": "rhel", "oracle": "rhel",
    "scientific": "rhel", "amazon": "rhel", "cloudlinux": "rhel", "xenserver": "rhel",
    "fedora": "fedora", "suse": "suse", "opensuse": "suse", "opensuse-leap": "suse",
    "opensuse-tumbleweed": "suse", "sles": "suse", "sled": "suse",
    "arch": "arch", "manjaro": "arch", "alpine": "alpine", "gentoo": "gentoo",
}
PLATFORM = {"rhel": "redhat", "ol": "oracle", "amzn": "amazon"}


@dataclass(kw_only=True)
class HostInfoConfig(BaseConfig):
    pass


class HostInfoDataSource(DataSource[HostInfoConfig]):
    Config = HostInfoConfig
    outputs = ("os_type", "version", "architecture", "platform", "family")

    def execute(self, ctx: DataSourceContext) -> dict[str, Any]:
        return host_facts()


def host_facts(etc: Path = Path("/etc")) -> dict[str, str]:
    os_type = "darwin" if sys.platform == "darwin" else "windows" if sys.platform == "win32" else sys.platform
    if os_type.startswith("linux"):
        os_type = "linux"
    machine = platform.machine().lower()
    facts = {"os_type": os_type, "architecture": GOARCH.get(machine, machine),
             "platform": "", "family": "", "version": ""}
    if os_type == "linux":
        rel = _os_release(etc)
        ident = rel.get("ID", "")
        plat = PLATFORM.get(ident, ident)
        version = rel.get("VERSION_ID", "")
        debian_version = etc / "debian_version"
        if plat == "debian" and debian_version.is_file():
            version = debian_version.read_text().strip()
        facts.update(platform=plat, family=FAMILY.get(plat, ""), version=version)
    else:
        facts.update(platform=os_type, family="standalone" if os_type == "darwin" else "",
                     version=platform.mac_ver()[0] if os_type == "darwin" else platform.release())
    return facts


def _os_release(etc: Path) -> dict[str, str]:
    for p in (etc / "os-release", Path("/usr/lib/os-release")):
        if p.is_file():
            out: dict[str, str] = {}
            for line in p.read_text().splitlines():
                k, sep, v = line.partition("=")
                if sep and not k.startswith("#"):
                    out[k.strip()] = v.strip().strip('"').strip("'")
            return out
    return {}


__all__ = ["HostInfoConfig", "HostInfoDataSource", "host_facts"]
