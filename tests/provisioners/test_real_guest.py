"""The communicator and provisioners against a real Debian guest under QEMU (TCG):
wait for SSH while it boots, a reboot with ``expect_disconnect``, the next provisioner
finding the machine again, file transfer both ways, ``ssh_clear_authorized_keys``.

Measured on a loaded 2-core machine: SSH up after ~2-4 min, back after the reboot in
~2-3 min (TCG); the whole test ~5 min."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ctxutil import provision_ctx
from sshd_server import free_port

from builder.communicator.keys import KeyPair, generate_keypair
from builder.communicator.ssh import AuthenticationFailed, SSHCommunicator, clear_authorized_keys, connect
from builder.config import parse_config
from builder.provisioners.file import FileConfig, FileProvisioner
from builder.provisioners.shell import ShellConfig, ShellProvisioner
from builder.run import Process, run

pytestmark = pytest.mark.slow


@dataclass
class Guest:
    port: int
    key: KeyPair
    password: str
    serial: Path

    def connect(self, **kw: Any) -> SSHCommunicator:
        args: dict[str, Any] = {"timeout": 1200, "handshake_attempts": 30, "private_key_pem": self.key.private_pem}
        args.update(kw)
        return connect("127.0.0.1", self.port, username="debian", **args)


@pytest.fixture
def guest(debian_base_image_copy: Path, tmp_path: Path) -> Iterator[Guest]:
    key = generate_keypair()
    password = "guest-pw-4711"  # the console login, for debugging
    (tmp_path / "meta-data").write_text("instance-id: iid-comm-test\nlocal-hostname: commtest\n")
    (tmp_path / "user-data").write_text(
        "#cloud-config\n"
        "ssh_pwauth: true\n"
        f"password: {password}\n"
        "chpasswd: { expire: false }\n"
        f"ssh_authorized_keys:\n  - {key.public_openssh}\n"
        "ssh_genkeytypes: [ed25519]\n"
    )
    seed = tmp_path / "seed.iso"
    run(["cloud-localds", seed, tmp_path / "user-data", tmp_path / "meta-data"])
    port = free_port()
    serial = tmp_path / "serial.log"
    qemu = Process(
        [
            "qemu-system-x86_64", "-accel", "tcg", "-nodefaults", "-display", "none", "-m", "1024",
            "-smp", "2",
            "-drive", f"file={debian_base_image_copy},if=virtio,format=qcow2",
            "-drive", f"file={seed},if=virtio,format=raw,readonly=on",
            "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:22",
            "-device", "virtio-net-pci,netdev=n0",
            "-serial", f"file:{serial}",
        ],
        log_path=tmp_path / "qemu.log",
    )
    try:
        yield Guest(port, key, password, serial)
    finally:
        qemu.stop(grace=2.0)
        keep = os.environ.get("PYBUILD_TEST_KEEP_SERIAL")
        if keep and serial.exists():
            shutil.copy(serial, keep)


def _boot_id(comm: SSHCommunicator) -> str:
    out: list[str] = []
    assert comm.run("cat /proc/sys/kernel/random/boot_id", on_stdout=out.append) == 0
    return out[0]


def test_reboot_and_files_on_a_real_guest(guest: Guest, tmp_path: Path) -> None:
    t0 = time.monotonic()
    comm = guest.connect()
    try:
        boot_wait = time.monotonic() - t0
        first_boot = _boot_id(comm)
        ctx, cap = provision_ctx(comm, tmp_path)

        # a script that reboots the machine: the dropped connection is expected
        ShellProvisioner(parse_config(ShellConfig, {
            "inline": ["echo rebooting now", "sudo systemctl reboot", "sleep 120"],
            "expect_disconnect": True,
        }, component="shell")).provision(ctx)
        assert "rebooting now" in cap.lines()

        # the next provisioner retries until the machine is back
        t1 = time.monotonic()
        ShellProvisioner(parse_config(ShellConfig, {
            "inline": ["echo user=$(id -un) build=$PACKER_BUILD_NAME"],
            "start_retry_timeout": "20m",
        }, component="shell")).provision(ctx)
        reboot_wait = time.monotonic() - t1
        assert "user=debian build=test" in cap.lines()
        assert _boot_id(comm) != first_boot

        # files both ways
        src = tmp_path / "payload"
        (src / "sub").mkdir(parents=True)
        (src / "sub" / "data.txt").write_text("payload data\n")
        FileProvisioner(parse_config(FileConfig, {"source": str(src), "destination": "/tmp/"},
                                     component="file")).provision(ctx)
        FileProvisioner(parse_config(FileConfig, {"source": "/tmp/payload/", "destination": str(tmp_path / "back"),
                                                  "direction": "download"}, component="file")).provision(ctx)
        assert (tmp_path / "back" / "sub" / "data.txt").read_text() == "payload data\n"

        # ssh_clear_authorized_keys: afterwards the key no longer logs in, the password still does
        assert clear_authorized_keys(comm, guest.key.public_openssh, ctx.ui)
    finally:
        comm.close()
    # the key no longer logs in
    with pytest.raises(AuthenticationFailed):
        guest.connect(timeout=60, handshake_attempts=1)
    print(f"SSH up after {boot_wait:.0f}s; back after reboot in {reboot_wait:.0f}s")
