"""A real QEMU (TCG) for boot-command tests: VNC, QMP and a logged serial console.

Every VM is stopped by the fixtures in conftest.py (also when a test fails)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from builder.bootcommand.vnc import RFBClient
from builder.qemu.qmp import QMPClient
from builder.qemu.serial import SerialConsole
from builder.run import Process


@dataclass
class Vm:
    """One running QEMU with its sockets (short paths: unix sockets max 107 bytes)."""

    dir: Path
    proc: Process
    qmp: QMPClient
    serial: SerialConsole
    vnc_unix: Path | None
    vnc_password: str = ""
    clients: list[RFBClient] = field(default_factory=list)

    def vnc(self) -> RFBClient:
        if self.vnc_unix is not None:
            c = RFBClient(unix_path=self.vnc_unix, password=self.vnc_password)
        else:
            addr = self.qmp.vnc_address()
            assert addr is not None
            c = RFBClient(addr[0], addr[1], password=self.vnc_password)
        self.clients.append(c)
        return c

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        self.serial.close()
        try:
            if self.qmp.connected and self.proc.poll() is None:
                self.qmp.quit()
        except Exception:
            pass
        self.qmp.close()
        self.proc.stop(grace=2)


def start_vm(
    iso: Path | None, *, vnc: str = "unix", vnc_password: str = "", memory: int = 256, net: bool = False,
    smp: int = 1,
) -> Vm:
    """vnc: "unix" (``-vnc unix:PATH``) or "tcp" (``-vnc 127.0.0.1:0,to=99``, port via QMP)."""
    d = Path(tempfile.mkdtemp(prefix="pb-bc-", dir="/tmp"))
    qmp_sock, ser_sock, ser_log = d / "qmp.sock", d / "ser.sock", d / "serial.log"
    vnc_unix = d / "vnc.sock" if vnc == "unix" else None
    vnc_arg = f"unix:{vnc_unix}" if vnc_unix else "127.0.0.1:0,to=99"
    if vnc_password:
        vnc_arg += ",password=on"
    argv: list[str | Path] = [
        "qemu-system-x86_64", "-accel", "tcg", "-nodefaults", "-vga", "std", "-display", "none",
        "-m", str(memory), "-smp", str(smp), "-monitor", "none",
        "-vnc", vnc_arg,
        "-qmp", f"unix:{qmp_sock},server=on,wait=off",
        "-chardev", f"socket,id=serial0,path={ser_sock},server=on,wait=off,logfile={ser_log},logappend=on",
        "-serial", "chardev:serial0",
    ]
    # user networking: the guest reaches the host's loopback as 10.0.2.2
    argv += ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"] if net else ["-net", "none"]
    if iso is not None:
        argv += ["-cdrom", iso, "-boot", "d"]
    proc = Process(argv, log_path=d / "qemu.log")
    qmp = QMPClient(qmp_sock)
    vm = Vm(d, proc, qmp, SerialConsole(ser_sock, ser_log), vnc_unix, vnc_password)
    try:
        qmp.connect(timeout=20)
        if vnc_password:
            qmp.execute("change-vnc-password", password=vnc_password)
    except BaseException:
        log = (d / "qemu.log").read_text(errors="replace") if (d / "qemu.log").exists() else ""
        vm.stop()
        shutil.rmtree(d, ignore_errors=True)
        raise AssertionError(f"QEMU did not start: {log}") from None
    return vm
