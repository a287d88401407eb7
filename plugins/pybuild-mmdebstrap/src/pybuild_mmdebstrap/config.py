"""The ``mmdebstrap`` builder's settings table (see :mod:`builder.config`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from builder.config import BaseConfig, Duration, opt

# Where an empty ``mirror`` is taken from: this machine's own apt sources (deb822, then one-line).
# With neither, no mirror is passed and mmdebstrap uses its own default for the suite.
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))

VARIANTS = ("extract", "custom", "essential", "apt", "required", "minbase", "buildd",
            "important", "debootstrap", "standard")
FORMATS = ("qcow2", "raw")

# What a cloud guest needs: init, SSH, cloud-init with growpart, the guest agent,
# DHCP through ifupdown (cloud-init's ENI renderer), and the tools growpart calls.
DEFAULT_PACKAGES = [
    "systemd-sysv", "udev", "initramfs-tools", "zstd", "openssh-server", "cloud-init",
    "cloud-guest-utils", "qemu-guest-agent", "ifupdown", "isc-dhcp-client", "e2fsprogs",
    "fdisk", "sudo", "netbase", "iproute2", "ca-certificates",
]
DEFAULT_DATASOURCES = ["NoCloud", "ConfigDrive", "OpenStack", "None"]

_SIZE_RE = re.compile(r"^(\d+)([KMGT]?)(i?B)?$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_PKG_RE = re.compile(r"^[a-z0-9][a-z0-9+.\-]*(:[a-z0-9\-]+)?([=/][A-Za-z0-9.+~:\-]+)?$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?$")
_DATASOURCE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
MIN_DISK = 512 << 20
PARTITION_OFFSET = 1 << 20  # the one partition starts at 1 MiB (sector 2048)


def parse_size(text: str) -> int:
    """``"2G"`` → bytes (binary units, like qemu-img and truncate). Raises ValueError."""
    m = _SIZE_RE.match(text.strip())
    if not m:
        raise ValueError(f'invalid size "{text}" (examples: "2G", "2048M", "4GiB")')
    return int(m.group(1)) * _UNITS[m.group(2).upper()]


def default_mirror(sources: tuple[Path, ...] = APT_SOURCES) -> str:
    """The first Debian archive URI of this machine's apt sources (a deb822 ``URIs:`` line or a
    one-line ``deb URI suite ...``), or ``""``: then mmdebstrap picks its own default mirror."""
    for path in sources:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            words = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0]).split()  # drop [options]
            if len(words) >= 2 and words[0] in ("URIs:", "deb"):
                return words[1]
    return ""


def default_apt_cache_dir() -> Path:
    base = os.environ.get("PYBUILD_CACHE_DIR") or str(Path.home() / ".cache" / "pybuild")
    return Path(base) / "apt-archives"


@dataclass(kw_only=True)
class Config(BaseConfig):
    suite: str = opt("bookworm", help="Debian suite (codename) to install.")
    mirror: str = opt(
        "",
        help="Debian mirror URL. Empty: the first archive URI of this machine's apt sources "
        "(debian.sources, then sources.list), else mmdebstrap's own default.",
    )
    variant: str = opt("minbase", choices=VARIANTS, help="mmdebstrap --variant.")
    kernel_package: str = opt("linux-image-cloud-amd64", help="Kernel package to install.")
    packages: list[str] = opt(
        DEFAULT_PACKAGES,
        help="Base package set (replaces the default set; the kernel is added separately).",
    )
    extra_packages: list[str] = opt([], help="Packages installed in addition to `packages`.")
    disk_size: str = opt("2G", help='Virtual disk size ("2G", "2048M"); the root partition fills it.')
    format: str = opt("qcow2", choices=FORMATS, help="Output disk format.")
    output_directory: str = opt(
        "", help='Where the disk is written. Empty: "output-<source name>". Must not exist '
        "unless -force is given."
    )
    vm_name: str = opt(
        "", help='Disk file name in output_directory. Empty: "<source name>.<format>" '
        '(e.g. "debian12-base.qcow2").'
    )
    hostname: str = opt("debian", help="/etc/hostname of the image (cloud-init may change it).")
    root_password: str = opt(
        "", sensitive=True, help="Root password, for debugging on the console. Empty: root stays locked."
    )
    customize_commands: list[str] = opt(
        [], help="Shell commands run inside the new root (chroot) after all packages are installed."
    )
    files: dict[str, str] = opt({}, help="Files to write into the image: guest path → content.")
    kernel_cmdline_extra: str = opt("", help="Appended to the kernel command line in extlinux.conf.")
    apt_cache_dir: str = opt(
        "",
        help="Host directory of reused .deb files (fast rebuilds). Empty: "
        "$PYBUILD_CACHE_DIR/apt-archives or ~/.cache/pybuild/apt-archives.",
    )
    cloud_init_datasources: list[str] = opt(
        DEFAULT_DATASOURCES, help="cloud-init datasource_list written to /etc/cloud/cloud.cfg.d."
    )
    copy_kernel: bool = opt(
        False, help="Also copy the kernel and initrd into output_directory (for -kernel/-initrd boots)."
    )
    mmdebstrap_timeout: Duration = opt(Duration(1800), help="Time limit for mmdebstrap.")

    def validate(self) -> list[str]:
        errs: list[str] = []
        try:
            size = parse_size(self.disk_size)
            if size < MIN_DISK:
                errs.append(f'disk_size: "{self.disk_size}" is too small (at least 512M)')
        except ValueError as e:
            errs.append(f"disk_size: {e}")
        if not re.match(r"^[a-z][a-z0-9\-]*$", self.suite):
            errs.append(f'suite: "{self.suite}" is not a Debian suite name (e.g. "bookworm")')
        if self.mirror and not re.match(r"^(https?|file|ftp)://\S+$", self.mirror):
            errs.append(f'mirror: "{self.mirror}" is not a URL (http://, https://, file://)')
        for field_name, pkgs in (
            ("kernel_package", [self.kernel_package] if self.kernel_package else []),
            ("packages", self.packages),
            ("extra_packages", self.extra_packages),
        ):
            for p in pkgs:
                if not _PKG_RE.match(p):
                    errs.append(f'{field_name}: "{p}" is not a Debian package name')
        if not _HOSTNAME_RE.match(self.hostname):
            errs.append(f'hostname: "{self.hostname}" is not a valid host name')
        if "/" in self.vm_name or self.vm_name in (".", ".."):
            errs.append(f'vm_name: "{self.vm_name}" must be a file name, not a path')
        if self.apt_cache_dir and any(c.isspace() for c in self.apt_cache_dir):
            errs.append("apt_cache_dir: must not contain white space (mmdebstrap sync hooks)")
        for path in self.files:
            if not path.startswith("/") or path.endswith("/") or "/../" in f"{path}/":
                errs.append(f'files: "{path}" must be an absolute file path in the guest')
        for ds in self.cloud_init_datasources:
            if not _DATASOURCE_RE.match(ds):
                errs.append(f'cloud_init_datasources: "{ds}" is not a datasource name')
        if "\n" in self.kernel_cmdline_extra:
            errs.append("kernel_cmdline_extra: must be one line")
        if self.mmdebstrap_timeout <= 0:
            errs.append("mmdebstrap_timeout: must be positive")
        return errs

    # ----------------------------------------------------------------- resolved values

    def effective_mirror(self) -> str:
        return self.mirror or default_mirror()

    def effective_apt_cache_dir(self) -> Path:
        return Path(self.apt_cache_dir).expanduser() if self.apt_cache_dir else default_apt_cache_dir()

    def all_packages(self) -> list[str]:
        """Kernel + packages + extra_packages, first occurrence kept."""
        seen: dict[str, None] = {}
        for p in ([self.kernel_package] if self.kernel_package else []) + self.packages + self.extra_packages:
            seen.setdefault(p, None)
        return list(seen)

    def disk_bytes(self) -> int:
        return parse_size(self.disk_size)

    def disk_name(self, source_name: str) -> str:
        return self.vm_name or f"{source_name}.{self.format}"

    def output_dir(self, source_name: str) -> Path:
        return Path(self.output_directory or f"output-{source_name}")
