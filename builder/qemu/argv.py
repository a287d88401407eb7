"""The QEMU command line, as a pure function of the configuration and the run's facts.

Packer's defaults are a map *flag → values*; any flag present in ``qemuargs``
replaces all default values of that flag, repeated flags accumulate, and a user
``-device`` list without the NIC gets the NIC re-appended. pybuild's own plumbing
(QMP socket, serial console chardev) is added after the overrides: QEMU takes several
``-qmp`` options, so pybuild's socket is always there (a user ``-qmp`` adds another);
a user ``-serial`` replaces pybuild's serial console.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.qemu.config import QemuConfig, smp_arg


@dataclass
class RunFacts:
    """What the steps before ``qemu_run`` produced."""

    vm_name: str
    accelerator: str
    disk_paths: list[str]
    iso_path: str = ""  # install ISO (empty for disk_image)
    cd_path: str = ""  # cd_files/cd_content ISO
    answers_path: str = ""  # boot_method = "kernel": the OEMDRV / cidata CD with the unattended file
    floppy_path: str = ""
    vnc_display: int | None = None  # port - 5900; None when VNC is disabled
    ssh_host_port: int = 0
    guest_port: int = 22
    qmp_path: str = ""
    serial_sock: str = ""
    serial_log: str = ""
    efivars_path: str = ""
    efi_code: str = ""
    vtpm_socket: str = ""  # swtpm's control socket when vtpm = true
    template_data: Mapping[str, Any] = field(default_factory=dict)
    has_display: bool = False
    kernel: str = ""  # boot_method = "kernel": the installer kernel, initrd and command line
    initrd: str = ""
    append: str = ""
    boot_disk: bool = False  # the second boot after a direct installer-kernel boot


def default_args(cfg: QemuConfig, f: RunFacts) -> dict[str, list[str]]:
    """Packer's default flag map (dict preserves QEMU argument order)."""
    args: dict[str, list[str]] = {}
    args["-name"] = [f.vm_name]
    if f.accelerator == "none":
        args["-machine"] = [f"type={cfg.machine_type}"]
    else:
        args["-machine"] = [f"type={cfg.machine_type},accel={f.accelerator}"]
    if not cfg.efi_boot:
        args["-boot"] = ["c" if cfg.disk_image or f.boot_disk else "once=d"]
    if cfg.communicator == "none" or cfg.skip_nat_mapping:
        args["-netdev"] = ["user,id=user.0"]
    else:
        bind = cfg.vnc_bind_address or "127.0.0.1"
        args["-netdev"] = [f"user,id=user.0,hostfwd=tcp:{bind}:{f.ssh_host_port}-:{f.guest_port}"]
    devices = [f"{cfg.net_device},netdev=user.0"]
    drives: list[str] = []
    for i, disk in enumerate(f.disk_paths):
        opts = f"cache={cfg.disk_cache},discard={cfg.disk_discard},format={cfg.format}"
        if cfg.disk_detect_zeroes != "off":
            opts += f",detect-zeroes={cfg.disk_detect_zeroes}"
        if cfg.disk_interface == "virtio-scsi":
            if i == 0:
                devices.append("virtio-scsi-pci,id=scsi0")
            devices.append(f"scsi-hd,bus=scsi0.0,drive=drive{i}")
            drives.append(f"if=none,file={disk},id=drive{i},{opts}")
        else:
            drives.append(f"file={disk},if={cfg.disk_interface},{opts}")
    cds = [p for p in (f.iso_path, f.cd_path, f.answers_path) if p]
    for i, cd in enumerate(cds):
        if cfg.cdrom_interface == "virtio-scsi":
            if i == 0:
                devices.append("virtio-scsi-device")
            devices.append(f"scsi-cd,drive=cdrom{i}")
            drives.append(f"file={cd},if=none,index={i},id=cdrom{i},media=cdrom")
        elif cfg.cdrom_interface:
            drives.append(f"file={cd},if={cfg.cdrom_interface},index={i},id=cdrom{i},media=cdrom")
        else:
            drives.append(f"file={cd},media=cdrom")
    if cfg.firmware and cfg.use_pflash:
        drives.append(f"file={cfg.firmware},if=pflash,format=raw,readonly=on")
    if cfg.efi_boot:
        drives.append(f"file={f.efi_code},if=pflash,unit=0,format=raw,readonly=on")
        drives.append(f"file={f.efivars_path},if=pflash,unit=1,format=raw")
    if cfg.vtpm:
        devices.append(f"{cfg.tpm_device_type},tpmdev=tpm0")
    args["-device"] = devices
    args["-drive"] = drives
    if f.vnc_display is not None:
        bind = cfg.vnc_bind_address or "127.0.0.1"
        args["-vnc"] = [f"{bind}:{f.vnc_display}" + (",password=on" if cfg.vnc_use_password else "")]
    args["-m"] = [f"{cfg.memory_mb()}M"]
    args["-smp"] = [smp_arg(cfg)]
    if cfg.cpu_model:
        args["-cpu"] = [cfg.cpu_model]
    if f.floppy_path:
        args["-fda"] = [f.floppy_path]
    if not cfg.headless and not cfg.use_default_display and f.has_display:
        disp = cfg.display if cfg.display and cfg.display != "none" else "gtk"
        args["-display"] = [disp]
    elif not cfg.use_default_display:
        args["-display"] = ["none"]
    if cfg.firmware and not cfg.use_pflash:
        args["-bios"] = [cfg.firmware]
    if cfg.vtpm:
        args["-chardev"] = [f"socket,id=vtpm,path={f.vtpm_socket}"]
        args["-tpmdev"] = ["emulator,id=tpm0,chardev=vtpm"]
    if cfg.vga:
        args["-vga"] = [cfg.vga]
    if f.kernel:  # direct kernel boot: the install ends in a power-off, the next boot is the disk's
        args["-kernel"] = [f.kernel]
        if f.initrd:
            args["-initrd"] = [f.initrd]
        args["-append"] = [f.append]
        args["-no-reboot"] = [""]
    return args


def apply_overrides(
    defaults: dict[str, list[str]],
    qemuargs: list[list[str]],
    net_device: str,
    render: Any = None,
) -> dict[str, list[str]]:
    """Packer's qemuargs semantics (see module docstring)."""
    if not qemuargs:
        return defaults
    user: dict[str, list[str]] = {}
    for row in qemuargs:
        cells = [render(c) if render else c for c in row]
        flag, value = cells[0], "".join(cells[1:])
        user.setdefault(flag, []).append(value)
    if "-device" in user and not any(net_device in v for v in user["-device"]):
        user["-device"].append(f"{net_device},netdev=user.0")
    merged = {k: v for k, v in defaults.items() if k not in user}
    merged.update(user)
    return merged


def plumbing_args(f: RunFacts, user_flags: set[str]) -> list[str]:
    """pybuild's QMP socket (always: QEMU serves several) and serial console (unless the
    user set ``-serial``)."""
    out: list[str] = []
    if f.qmp_path:
        out += ["-qmp", f"unix:{f.qmp_path},server=on,wait=off"]
    if f.serial_sock and "-serial" not in user_flags:
        out += [
            "-chardev",
            f"socket,id=pybuild-serial0,path={f.serial_sock},server=on,wait=off,"
            f"logfile={f.serial_log},logappend=on",
            "-serial",
            "chardev:pybuild-serial0",
        ]
    return out


def build_argv(cfg: QemuConfig, f: RunFacts, render: Any = None) -> list[str]:
    """The complete QEMU command line."""
    merged = apply_overrides(default_args(cfg, f), cfg.qemuargs, cfg.net_device, render)
    argv = [cfg.qemu_binary]
    for flag, values in merged.items():
        for v in values:
            argv.append(flag)
            if v != "":
                argv.append(v)
    argv += plumbing_args(f, set(merged) - set(default_args(cfg, f)) | {r[0] for r in cfg.qemuargs})
    return argv


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
