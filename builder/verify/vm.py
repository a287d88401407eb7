"""Boot an image like Nova: copy-on-write overlay with a bigger "flavor" disk, a config
drive (``config-2``) or NoCloud seed, the qemu-guest-agent virtio-serial channel, the
serial console to a log, user networking restricted to the SSH host forward."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder import run, secrets
from builder.errors import PybuildError
from builder.isofs import make_iso
from builder.ports import reserve_port
from builder.qemu.config import resolve_accelerator
from builder.qemu.qmp import QMPClient
from builder.run import Process


@dataclass
class Instance:
    """What Nova would put in the metadata."""

    hostname: str = "verify-vm"
    admin_pass: str = ""
    public_key: str = ""
    user_data: str = ""
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))

    def meta_data(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "hostname": self.hostname,
            "name": self.hostname,
            "availability_zone": "nova",
            "launch_index": 0,
            "admin_pass": self.admin_pass,
            "public_keys": {"verify": self.public_key},
            "keys": [{"name": "verify", "type": "ssh", "data": self.public_key}],
            "meta": {},
            "project_id": "pybuild-verify",
        }


def config_drive(out: Path, inst: Instance) -> Path:
    content = {}
    md = json.dumps(inst.meta_data())
    for version in ("latest", "2012-08-10"):
        content[f"openstack/{version}/meta_data.json"] = md
        if inst.user_data:
            content[f"openstack/{version}/user_data"] = inst.user_data
    return make_iso(out, content=content, label="config-2")


def nocloud_seed(out: Path, inst: Instance) -> Path:
    meta = f"instance-id: {inst.uuid}\nlocal-hostname: {inst.hostname}\n"
    user = inst.user_data or "#cloud-config\n"
    if inst.public_key and "ssh_authorized_keys" not in user:
        user += f"ssh_authorized_keys:\n  - {inst.public_key}\n"
    return make_iso(out, content={"meta-data": meta, "user-data": user}, label="cidata")


class VM:
    """A running verification VM; always :meth:`stop` it (or use ``with``)."""

    def __init__(self, image: Path, *, disk_size: int, instance: Instance, datasource: str = "configdrive",
                 memory: int = 1024, cpus: int = 2, workdir: Path | None = None):
        self.image = image
        self.disk_size = disk_size
        self.instance = instance
        self.datasource = datasource
        self.memory = memory
        self.cpus = cpus
        self.dir = Path(tempfile.mkdtemp(prefix="pybuild-verify-", dir=workdir))
        os.chmod(self.dir, 0o700)
        self.serial_log = self.dir / "serial.log"
        self.qga_sock = self.dir / "qga.sock"
        self.qmp_path = self.dir / "qmp.sock"
        self.proc: Process | None = None
        self.qmp: QMPClient | None = None
        self.lease: Any = None
        self.started = 0.0

    @property
    def ssh_port(self) -> int:
        return int(self.lease.port) if self.lease else 0

    def start(self) -> None:
        overlay = self.dir / "overlay.qcow2"
        fmt = _image_format(self.image)
        run.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(self.image.resolve()), "-F", fmt,
                 str(overlay), str(self.disk_size)])
        seed = self.dir / "seed.iso"
        (config_drive if self.datasource == "configdrive" else nocloud_seed)(seed, self.instance)
        os.chmod(seed, 0o600)
        self.lease = reserve_port(2222, 4444, "127.0.0.1", purpose="verify-ssh")
        accel, _ = resolve_accelerator("")
        argv = [
            "qemu-system-x86_64", "-name", "pybuild-verify", "-machine", f"type=pc,accel={accel}",
            "-nodefaults", "-vga", "std", "-display", "none", "-m", f"{self.memory}M", "-smp", str(self.cpus),
            "-drive", f"file={overlay},if=virtio,format=qcow2,cache=unsafe",
            "-drive", f"file={seed},media=cdrom,readonly=on",
            "-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{self.ssh_port}-:22",
            "-device", "virtio-net-pci,netdev=n0",
            "-chardev", f"socket,id=qga0,path={self.qga_sock},server=on,wait=off",
            "-device", "virtio-serial",
            "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-chardev", f"file,id=ser0,path={self.serial_log}",
            "-serial", "chardev:ser0",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
        ]
        if hasattr(self.lease, "close_socket"):
            self.lease.close_socket()
        self.started = time.monotonic()
        self.proc = Process(argv, log_path=self.dir / "qemu.log")
        if self.proc.wait(0.5) is not None:
            raise PybuildError("verify: QEMU exited at once: " + (self.dir / "qemu.log").read_text()[-2000:])
        self.qmp = QMPClient(str(self.qmp_path))
        self.qmp.connect(timeout=30)

    def serial_text(self) -> str:
        try:
            return self.serial_log.read_text(errors="replace")
        except OSError:
            return ""

    def qga(self, command: str, arguments: dict[str, Any] | None = None, timeout: float = 10.0) -> Any:
        """One qemu-guest-agent command (a fresh connection, guest-sync-delimited first)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(str(self.qga_sock))
            token = int(time.time() * 1000) % 2**31
            s.sendall(b"\xff" + json.dumps({"execute": "guest-sync-delimited", "arguments": {"id": token}}).encode())
            buf = b""
            deadline = time.monotonic() + timeout
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError("qemu-guest-agent did not answer guest-sync")
                buf += s.recv(4096)
                if b"\xff" in buf:
                    buf = buf[buf.rindex(b"\xff") + 1 :]
                if b"\n" in buf and str(token).encode() in buf:
                    break
            msg: dict[str, Any] = {"execute": command}
            if arguments:
                msg["arguments"] = arguments
            s.sendall(json.dumps(msg).encode())
            data = b""
            while b"\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            reply = json.loads(data.split(b"\n")[0].decode() or "{}")
            if "error" in reply:
                raise PybuildError(f"qemu-guest-agent {command}: {reply['error'].get('desc')}")
            return reply.get("return")
        finally:
            s.close()

    def set_password(self, user: str, password: str) -> None:
        secrets.add(password)
        self.qga("guest-set-user-password", {"username": user, "crypted": False,
                                             "password": base64.b64encode(password.encode()).decode()})

    def screenshot(self, out: Path) -> Path | None:
        if self.qmp is None:
            return None
        try:
            return self.qmp.screendump(str(out))
        except Exception:
            return None

    def stop(self) -> None:
        if self.qmp is not None:
            try:
                self.qmp.close()
            except Exception:
                pass
            self.qmp = None
        if self.proc is not None:
            self.proc.stop(grace=2.0)
            self.proc = None
        if self.lease is not None:
            self.lease.release()
            self.lease = None

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> VM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _image_format(path: Path) -> str:
    out = run.run(["qemu-img", "info", "--output=json", "-U", str(path)]).stdout
    return str(json.loads(out).get("format", "qcow2"))


def image_info(path: Path) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(run.run(["qemu-img", "info", "--output=json", "-U", str(path)]).stdout)
    return info
