"""The ``qemu`` builder's configuration: Packer's option names, defaults and validation.

The config squashes the shared mixins (ISO, HTTP, CD/floppy, boot command,
communicator), as Packer's qemu plugin does, plus QEMU's own options below.
"""

from __future__ import annotations

import os
import secrets as pysecrets
import string
from dataclasses import dataclass
from typing import Any

from builder import secrets
from builder.bootcommand.config import BootConfig
from builder.communicator.config import CommConfig
from builder.config import Duration, opt
from builder.httpserver import HTTPConfig
from builder.installer import unattended
from builder.isofs import CDConfig, FloppyConfig
from builder.media import ISOConfig
from builder.units import normalize_size, parse_size

ACCELERATORS = ("none", "kvm", "tcg", "xen", "hax", "hvf", "whpx")
DISK_INTERFACES = ("ide", "sata", "scsi", "sd", "virtio", "virtio-scsi")
DISK_CACHES = ("writethrough", "writeback", "none", "unsafe", "directsync")
TPM_DEVICES = ("tpm-tis", "tpm-crb", "tpm-tis-device", "tpm-spapr", "tpm-tis-i2c")  # QEMU's TPM front ends


@dataclass(kw_only=True)
class QemuConfig(ISOConfig, HTTPConfig, CDConfig, FloppyConfig, BootConfig, CommConfig):
    # machine
    accelerator: str = opt(
        "", help="kvm, tcg, ...; empty = kvm when /dev/kvm opens, else tcg. Env PYBUILD_ACCELERATOR wins."
    )
    machine_type: str = opt("pc", help="QEMU machine type (-machine type=)")
    memory: int = opt(512, help="guest memory in MiB (< 10 means 512)")
    cpus: int = opt(0, help="vCPUs (-smp); 0 = 1 or sockets*cores*threads")
    sockets: int = opt(0, help="CPU sockets")
    cores: int = opt(0, help="cores per socket")
    threads: int = opt(0, help="threads per core")
    cpu_model: str = opt("", help="-cpu model (e.g. host, max, Nehalem)")
    qemu_binary: str = opt("qemu-system-x86_64", help="QEMU system emulator on PATH")
    qemuargs: list[list[str]] = opt([], help="override QEMU command-line flags (Packer semantics)")
    firmware: str = opt("", help="-bios file (or pflash with use_pflash)")
    use_pflash: bool = opt(False, help="attach firmware as pflash")
    vga: str = opt("", help="-vga type")
    net_device: str = opt("virtio-net", help="guest NIC model")
    net_bridge: str = opt("", help="bridge networking (not supported by pybuild)")
    vtpm: bool = opt(False, help="give the guest a software TPM (swtpm, started per build)")
    use_tpm1: bool = opt(False, help="emulate TPM 1.2 instead of 2.0")
    tpm_device_type: str = opt("tpm-tis", help="QEMU TPM device (tpm-crb; tpm-tis-device on ARM)",
                               choices=TPM_DEVICES)
    # disks
    disk_image: bool = opt(False, help="iso_url is a bootable disk image to clone")
    use_backing_file: bool = opt(False, help="qcow2 overlay over the source image")
    skip_resize_disk: bool = opt(False, help="do not resize a disk_image to disk_size")
    disk_size: str = opt("40960M", help="disk size; unitless means MiB")
    disk_additional_size: list[str] = opt([], help="extra disks <vm_name>-1, -2, ...")
    disk_interface: str = opt("virtio", help="disk bus", choices=DISK_INTERFACES)
    disk_cache: str = opt("writeback", help="disk cache mode", choices=DISK_CACHES)
    disk_discard: str = opt("ignore", help="unmap or ignore", choices=("unmap", "ignore"))
    disk_detect_zeroes: str = opt("off", help="unmap, on or off", choices=("unmap", "on", "off"))
    format: str = opt("qcow2", help="output format", choices=("qcow2", "raw"))
    skip_compaction: bool = opt(False, help="skip the final qemu-img convert")
    disk_compression: bool = opt(False, help="compress during the final convert (-c)")
    disk_compression_type: str = opt(
        "", choices=("", "zlib", "zstd"),
        help="pybuild: qcow2 compression algorithm of the final convert (zstd: ~5x faster, slightly "
             "smaller, needs QEMU >= 5.1 wherever the image is used; default zlib)")
    qemu_img_args: dict[str, list[str]] = opt({}, help="block: convert/create/resize extra args")
    cdrom_interface: str = opt("", help="ide, scsi, virtio or virtio-scsi")
    # EFI
    efi_boot: bool = opt(False, help="boot with UEFI firmware")
    efi_firmware_code: str = opt("", help="OVMF code file (found from QEMU's firmware descriptors)")
    efi_firmware_vars: str = opt("", help="OVMF vars template")
    efi_drop_efivars: bool = opt(False, help="leave efivars.fd out of the artifact")
    # display / VNC / QMP
    headless: bool = opt(False, help="no display window (pybuild is headless when there is no DISPLAY)")
    display: str = opt("", help="-display backend when not headless")
    use_default_display: bool = opt(False, help="omit -display")
    vnc_bind_address: str = opt("127.0.0.1", help="VNC and SSH-forward bind address")
    vnc_port_min: int = opt(5900, help="lowest VNC port")
    vnc_port_max: int = opt(6000, help="highest VNC port")
    vnc_use_password: bool = opt(False, help="protect VNC with a password")
    vnc_password: str = opt("", help="VNC password (max 8 chars)", sensitive=True)
    qmp_enable: bool = opt(False, help="(pybuild always runs QMP; kept for compatibility)")
    qmp_socket_path: str = opt("", help="QMP socket path (default: private run directory)")
    # shutdown / output
    shutdown_command: str = opt("", help="command that powers the guest off")
    shutdown_timeout: Duration = opt(Duration(300), help="wait for QEMU to exit")
    output_directory: str = opt("", help="default output-<build name>")
    vm_name: str = opt("", help="disk file name; default packer-<build name>")
    run_once: bool = opt(False, help="ignored (Packer compatibility)")
    # pybuild: installs with zero typed keys (builder/installer)
    boot_method: str = opt(
        "keys", choices=unattended.BOOT_METHODS,
        help='pybuild: "keys" types boot_command (as Packer); "kernel" boots the ISO\'s installer kernel '
        'directly (-kernel/-initrd/-append, -no-reboot), no key typed; "remaster" boots a copy of the ISO '
        "with the unattended file inside and boot menus (isolinux, GRUB, the EFI image's GRUB) that need no key",
    )
    unattended_file: str = opt(
        "", help='pybuild, boot_method = "kernel" or "remaster": kickstart / preseed / autoinstall user-data: '
        "a path served by http_directory/http_content (fetched over HTTP) or a local file (kernel: Debian's "
        'appended to the initrd, RHEL-likes\' on an "OEMDRV" CD, Ubuntu\'s on a "cidata" CD; remaster: put on '
        "the ISO, a Debian preseed into its initrd)",
    )
    installer_append: str = opt(
        "", help='pybuild, boot_method = "kernel" or "remaster": extra installer kernel arguments '
        "(Go templates: {{ .HTTPIP }})",
    )

    def __post_init__(self) -> None:
        for fn in _own_methods(self, "__post_init__", QemuConfig):
            fn(self)
        if self.efi_firmware_code or self.efi_firmware_vars:
            self.efi_boot = True
        # Packer: 0 means "not set"
        self.vnc_port_min = self.vnc_port_min or 5900
        self.vnc_port_max = self.vnc_port_max or 6000
        if self.vnc_use_password and not self.vnc_password:
            # Packer generates one; it reaches QEMU over QMP only, never the command line
            alphabet = string.ascii_letters + string.digits
            self.vnc_password = "".join(pysecrets.choice(alphabet) for _ in range(8))
        secrets.add(self.vnc_password)

    def disk_size_qemu(self) -> str:
        """As qemu-img reads it; Packer's rule: a bare number is MiB, "" or "0" the default."""
        s = self.disk_size.strip()
        if s in ("", "0"):
            return "40960M"
        return normalize_size(s, default_unit="M")

    def memory_mb(self) -> int:
        return 512 if self.memory < 10 else self.memory

    def validate(self) -> list[str]:
        errs = mixin_errors(self, QemuConfig)
        if self.disk_size and self.disk_size != "0":
            try:
                parse_size(self.disk_size.strip(), default_unit="M")
            except ValueError as e:
                errs.append(f"disk_size: {e}")
        for extra in self.disk_additional_size:
            try:  # handed to qemu-img as written: a bare number is bytes there (Packer's rule)
                parse_size(extra.strip(), default_unit="B")
            except ValueError as e:
                errs.append(f"disk_additional_size: {e}")
        if self.accelerator and self.accelerator not in ACCELERATORS:
            errs.append(
                "accelerator: invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', "
                "'whpx', or 'none' are allowed"
            )
        if self.iso_skip_cache and self.disk_image:
            errs.append("iso_skip_cache: pybuild reads a disk_image from the cache only; "
                        "drop iso_skip_cache (QEMU can read only an installation ISO from its URL)")
        if self.use_backing_file and not (self.disk_image and self.format == "qcow2"):
            errs.append("use_backing_file: use_backing_file=true is only valid with disk_image=true and format=qcow2")
        if self.skip_resize_disk and not self.disk_image:
            errs.append("skip_resize_disk: skip_resize_disk=true is only valid with disk_image=true")
        if not (5900 <= self.vnc_port_min <= self.vnc_port_max <= 65535):
            errs.append("vnc_port_min: vnc_port_min must be >= 5900, <= vnc_port_max and <= 65535")
        if len(self.vnc_password) > 8:
            errs.append("vnc_password: VNC password must be at most 8 characters")
        for n in ("cpus", "sockets", "cores", "threads"):
            if getattr(self, n) < 0:
                errs.append(f"{n}: {n} must be non-negative")
        if self.net_bridge:
            errs.append("net_bridge: bridge networking is not supported by pybuild (use user networking)")
        if self.vtpm and self.use_tpm1 and self.tpm_device_type == "tpm-crb":
            errs.append("use_tpm1: QEMU's tpm-crb device is TPM 2.0 only (use tpm-tis for TPM 1.2)")
        if self.cdrom_interface and self.cdrom_interface not in ("ide", "scsi", "virtio", "virtio-scsi"):
            errs.append("cdrom_interface: must be one of ide, scsi, virtio, virtio-scsi")
        for row in self.qemuargs:
            if not row:
                errs.append("qemuargs: empty row")
        errs += unattended.validate(self, self.boot_method, has_boot_command=bool(self.steps()),
                                    disk_image=self.disk_image)
        if self.installer_append and self.boot_method not in ("kernel", "remaster"):
            errs.append('installer_append: only used with boot_method = "kernel" or "remaster"')
        if self.boot_method == "remaster" and self.iso_skip_cache:
            errs.append('iso_skip_cache: boot_method = "remaster" reads the ISO from the cache')
        if self.disk_compression_type and not (self.disk_compression and self.format == "qcow2"):
            errs.append("disk_compression_type: only with disk_compression = true and format = \"qcow2\"")
        unknown = set(self.qemu_img_args) - {"convert", "create", "resize"}
        if unknown:
            errs.append(f"qemu_img_args: unknown keys {sorted(unknown)} (convert, create, resize)")
        return errs

    @property
    def raw_compaction(self) -> bool:
        return self.format == "qcow2" and not self.skip_compaction and not self.use_backing_file


def _own_methods(obj: Any, name: str, own: type) -> list[Any]:
    fns = []
    for klass in type(obj).__mro__:
        fn = klass.__dict__.get(name)
        if fn is not None and klass is not own and klass.__name__ != "BaseConfig" and fn not in fns:
            fns.append(fn)
    return fns


def mixin_errors(obj: Any, own: type) -> list[str]:
    """Run the validate() of every mixin class (each checks its own fields); de-duplicated."""
    errs: list[str] = []
    for fn in _own_methods(obj, "validate", own):
        for e in fn(obj):
            if e not in errs:
                errs.append(e)
    return errs


def resolve_accelerator(configured: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Return (accelerator, why). PYBUILD_ACCELERATOR beats the template; "" = Packer's auto rule."""
    from builder.run import kvm_usable

    env = dict(os.environ) if env is None else env
    forced = env.get("PYBUILD_ACCELERATOR", "").strip()
    if forced:
        return forced, "PYBUILD_ACCELERATOR"
    if configured:
        return configured, "template"
    if kvm_usable():
        return "kvm", "auto (/dev/kvm opens)"
    return "tcg", "auto (/dev/kvm cannot be opened)"


def smp_arg(cfg: QemuConfig) -> str:
    """``-smp``: cpus, capped by sockets*cores*threads when a topology is given (as Packer
    does; QEMU refuses more CPUs than the topology holds); unset cpus = the product."""
    topo = [cfg.sockets, cfg.cores, cfg.threads]
    cpus = cfg.cpus
    prod = 1
    for t in topo:
        prod *= t or 1
    if cpus <= 0:
        cpus = prod if any(topo) else 1
    elif any(topo):
        cpus = min(cpus, prod)
    parts = [str(cpus)]
    for name, val in zip(("sockets", "cores", "threads"), topo, strict=True):
        if val > 0:
            parts.append(f"{name}={val}")
    return ",".join(parts)


def qemu_img_extra(cfg: QemuConfig, kind: str) -> list[str]:
    val: Any = cfg.qemu_img_args.get(kind, [])
    return [str(v) for v in val]
