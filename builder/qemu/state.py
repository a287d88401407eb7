"""The typed state shared by the qemu builder's steps (Packer uses an untyped bag)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from builder.communicator.keys import KeyPair
    from builder.httpserver import HTTPServer
    from builder.installer.kernel import KernelBoot
    from builder.installer.remaster import Remastered
    from builder.leftovers import OutputLock
    from builder.plugins import Artifact, BuildContext, Communicator
    from builder.ports import PortLease
    from builder.qemu.config import QemuConfig
    from builder.qemu.qmp import QMPClient
    from builder.qemu.serial import SerialConsole
    from builder.run import Process
    from builder.ui import BuildUI


@dataclass
class QemuState:
    cfg: QemuConfig
    ctx: BuildContext
    # identity
    build_name: str
    source_name: str
    vm_name: str
    output_dir: Path
    accelerator: str = ""
    accelerator_forced: bool = False  # PYBUILD_ACCELERATOR chose it (no "much slower" warning)
    # each resource below is acquired and released by one step (named after it)
    private_dir: Path | None = None  # run_dir: the private 0700 temp dir (sockets, keys)
    output_lock: OutputLock | None = None  # output_dir: no second run builds into it
    # produced by steps
    iso_path: Path | None = None
    iso_remote: str = ""  # iso_skip_cache: the URL QEMU reads itself (no local copy)
    cd_path: Path | None = None
    floppy_path: Path | None = None
    disk_paths: list[Path] = field(default_factory=list)
    http: HTTPServer | None = None
    http_port: int = 0
    http_ip: str = "10.0.2.2"
    ssh_lease: PortLease | None = None
    vnc_lease: PortLease | None = None
    keypair: KeyPair | None = None
    efi_code: str = ""
    efivars_path: Path | None = None
    swtpm: Process | None = None  # vtpm: the software TPM
    vtpm_socket: Path | None = None
    kernel_boot: KernelBoot | None = None  # boot_method = "kernel"
    remastered: Remastered | None = None  # boot_method = "remaster": the edited copy of the ISO
    qemu: Process | None = None
    qemu_argv: list[str] = field(default_factory=list)
    qmp: QMPClient | None = None
    serial: SerialConsole | None = None
    comm: Communicator | None = None
    artifact: Artifact | None = None
    failed: bool = False
    output_dir_created: bool = False

    @property
    def ui(self) -> BuildUI:
        return self.ctx.ui

    @property
    def run_dir(self) -> Path:
        """The private temp dir made by the run_dir step (the first one)."""
        if self.private_dir is None:
            raise RuntimeError("the run directory does not exist: the run_dir step has not run")
        return self.private_dir

    @property
    def serial_log(self) -> Path:
        return self.output_dir / "serial.log"

    @property
    def qmp_path(self) -> Path:
        if self.cfg.qmp_socket_path:
            return Path(self.cfg.qmp_socket_path)
        return self.run_dir / "qmp.sock"

    @property
    def serial_sock(self) -> Path:
        return self.run_dir / "serial.sock"

    @property
    def ssh_host_port(self) -> int:
        return self.ssh_lease.port if self.ssh_lease else 0

    def template_data(self) -> dict[str, Any]:
        """Go-template data for boot_command and qemuargs (Packer's names)."""
        return {
            "HTTPIP": self.http_ip,
            "HTTPPort": self.http_port,
            "HTTPDir": self.cfg.http_directory,
            "HTTPContent": self.cfg.http_content,
            "OutputDir": str(self.output_dir),
            "Name": self.vm_name,
            "SSHHostPort": self.ssh_host_port,
            "SSHPublicKey": self.keypair.public_openssh if self.keypair else "",
        }
