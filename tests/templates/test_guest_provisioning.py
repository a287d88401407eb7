"""The shared scripts and the admin_pass hook in a real Debian 12 guest (TCG QEMU).

What templates/debian12-cloud.pkr.hcl does, step by step, without the engine: boot a
copy of the cached base image with the template's own NoCloud seed (cd_content,
evaluated by pybuild's HCL engine, packed by builder.isofs), log in as the temporary
build user with the template's ssh_password, upload and run the template's scripts
with its environment and execute_command, shut down with its shutdown_command.
Then boot the result as a NEW instance with an OpenStack config drive carrying
admin_pass — the Nova `--admin-pass` path — and log in as root with that password.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

from builder.isofs import make_iso
from builder.ports import reserve_port
from builder.run import Process, run
from tests.templates._paths import HOOK
from tests.templates._render import ctx, load_template, provisioner_env, provisioner_scripts, source_config

pytestmark = pytest.mark.slow

BOOT_TIMEOUT = 300.0
QEMU = os.environ.get("PYBUILD_TEST_QEMU", "qemu-system-x86_64")
ADMIN_PASS = 'Adm1n "pa$$" wörd\\ #x'  # quotes, $, backslash, UTF-8, spaces


@dataclass
class VM:
    qemu: Process
    port: int
    serial: Path
    qga: Path

    def ssh(self, user: str, password: str, deadline: float = BOOT_TIMEOUT) -> paramiko.SSHClient:
        start = time.monotonic()
        last: Exception | None = None
        while time.monotonic() - start < deadline:
            if self.qemu.poll() is not None:
                pytest.fail(f"QEMU exited {self.qemu.poll()}")
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            try:
                client.connect("127.0.0.1", port=self.port, username=user, password=password,
                               timeout=10, banner_timeout=20, auth_timeout=20,
                               allow_agent=False, look_for_keys=False)
                return client
            except (paramiko.SSHException, OSError, EOFError) as e:
                client.close()
                last = e
                time.sleep(3)
        tail = self.serial.read_text(errors="replace")[-4000:] if self.serial.exists() else ""
        pytest.fail(f"no SSH login as {user} within {deadline:.0f}s ({last!r}); serial:\n{tail}")


def sh(client: paramiko.SSHClient, command: str, timeout: float = 600) -> tuple[int, str]:
    _, stdout, stderr = client.exec_command(command, timeout=timeout)
    out = stdout.read().decode(errors="replace") + stderr.read().decode(errors="replace")
    return stdout.channel.recv_exit_status(), out


def ok(client: paramiko.SSHClient, command: str) -> str:
    rc, out = sh(client, command)
    assert rc == 0, f"{command!r} exited {rc}:\n{out}"
    return out.strip()


@pytest.fixture
def boot(tmp_path: Path) -> Iterator:
    started: list[Process] = []
    leases = []

    def _boot(disk: Path, cdrom: Path, name: str) -> VM:
        lease = reserve_port(2222, 4444, purpose="test ssh")
        leases.append(lease)
        serial = tmp_path / f"{name}.serial.log"
        qga = tmp_path / f"{name}.qga.sock"
        argv = [
            QEMU, "-nodefaults", "-vga", "none", "-display", "none",
            "-accel", "tcg", "-machine", "pc", "-m", "1024", "-smp", "2", "-monitor", "none",
            "-serial", f"file:{serial}",
            "-drive", f"file={disk},if=virtio,format=qcow2,discard=unmap",
            "-drive", f"file={cdrom},media=cdrom,readonly=on",
            "-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{lease.port}-:22",
            "-device", "virtio-net-pci,netdev=n0", "-device", "virtio-rng-pci",
            "-chardev", f"socket,path={qga},server=on,wait=off,id=qga0",
            "-device", "virtio-serial", "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
        ]
        lease.release()  # QEMU binds the port itself right away
        p = Process(argv, log_path=tmp_path / f"{name}.qemu.log")
        started.append(p)
        return VM(p, lease.port, serial, qga)

    try:
        yield _boot
    finally:
        for p in started:
            p.stop()
        for lease in leases:
            lease.release()


def qga_ping(sock_path: Path) -> dict:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(str(sock_path))
        s.sendall(json.dumps({"execute": "guest-sync", "arguments": {"id": 4242}}).encode())
        buf = b""
        while b"4242" not in buf:
            chunk = s.recv(4096)
            assert chunk, "QGA closed the channel"
            buf += chunk
        s.sendall(json.dumps({"execute": "guest-info"}).encode())
        buf = b""
        while not buf.rstrip().endswith(b"}"):
            buf += s.recv(65536)
        return json.loads(buf.decode().strip().splitlines()[-1])


def test_debian12_cloud_scripts_and_admin_pass_in_a_real_guest(
    debian_base_image_copy: Path, tmp_path: Path, boot
) -> None:
    t = load_template("debian12-cloud")
    src = source_config(t)
    seed = make_iso(tmp_path / "cidata.iso", content=src["cd_content"], label=src["cd_label"])

    # ---- build phase: the template's provisioners over SSH as its build user
    t0 = time.monotonic()
    vm = boot(debian_base_image_copy, seed, "build")
    c = vm.ssh(src["ssh_username"], src["ssh_password"])
    boot_s = time.monotonic() - t0
    sftp = c.open_sftp()
    sftp.put(str(HOOK), "/tmp/pybuild-admin-pass-hook")
    env = provisioner_env(t)
    shell = next(p.evaluate(ctx(t)) for p in t.builds[0].provisioners if p.type == "shell")
    timings = {}
    for script in provisioner_scripts(t):
        remote = f"/tmp/script-{script.name}"
        sftp.put(str(script), remote)
        vars_ = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        cmd = shell["execute_command"].replace("{{ .Path }}", remote).replace("{{ .Vars }}", vars_)
        s0 = time.monotonic()
        rc, out = sh(c, cmd)
        timings[script.name] = round(time.monotonic() - s0, 1)
        assert rc == 0, f"{script.name} exited {rc}:\n{out}"
    sftp.close()

    # the image state the scripts promise
    print(f"\nbuild boot {boot_s:.0f}s, scripts {timings}")
    # cleanup removed the host keys: sshd -T needs one, a throwaway key outside /etc/ssh
    sshd = ok(c, "sudo sh -c 'ssh-keygen -q -t ed25519 -N \"\" -f /root/hk && "
                 "/usr/sbin/sshd -T -h /root/hk; rc=$?; rm -f /root/hk /root/hk.pub; exit $rc'")
    assert "permitrootlogin yes" in sshd.splitlines()
    assert "usedns no" in sshd.splitlines()
    assert "console=ttyS0,115200n8" in ok(c, "cat /boot/extlinux/extlinux.conf")
    ds = ok(c, "cat /etc/cloud/cloud.cfg.d/99_pybuild_datasources.cfg")
    assert ds == "datasource_list: [ ConfigDrive, OpenStack, NoCloud, None ]"
    assert ok(c, "sudo systemctl is-enabled pybuild-admin-pass.service") == "enabled"
    assert ok(c, "command -v growpart") == "/usr/bin/growpart"
    assert ok(c, "sudo cat /etc/machine-id") == ""
    assert ok(c, "ls /etc/ssh/ | grep -c ssh_host_ || true") == "0"
    assert ok(c, "sudo getent shadow root | cut -d: -f2") == "!"

    # ---- shutdown exactly as the template does it
    sh(c, src["shutdown_command"], timeout=60)
    c.close()
    assert vm.qemu.wait(timeout=180) == 0, "the guest did not power off"

    # ---- a new instance on OpenStack: config drive with admin_pass
    drive = tmp_path / "config-drive"
    (drive / "openstack" / "latest").mkdir(parents=True)
    meta = {"uuid": "0b7ff1b0-6b4e-4a39-9d6c-3f0d1a2b3c4d", "hostname": "vm-admin-pass",
            "name": "vm-admin-pass", "launch_index": 0, "availability_zone": "nova",
            "admin_pass": ADMIN_PASS, "meta": {}, "public_keys": {}, "project_id": "p"}
    (drive / "openstack" / "latest" / "meta_data.json").write_text(json.dumps(meta))
    cfg2 = run(["xorriso", "-as", "mkisofs", "-quiet", "-o", tmp_path / "config-2.iso",
                "-V", "config-2", "-J", "-r", drive])
    assert cfg2.returncode == 0
    t1 = time.monotonic()
    vm2 = boot(debian_base_image_copy, tmp_path / "config-2.iso", "instance")
    root = vm2.ssh("root", ADMIN_PASS)
    login_s = time.monotonic() - t1
    assert ok(root, "id -u") == "0"
    assert ok(root, "hostname") == "vm-admin-pass"  # cloud-init used the config drive
    journal = ok(root, "journalctl -b -u pybuild-admin-pass.service --no-pager")
    assert "password of root set from admin_pass" in journal
    assert ADMIN_PASS not in journal and "pa$$" not in journal
    assert ok(root, f"ls /var/lib/pybuild-admin-pass/{meta['uuid']}")
    assert ok(root, "getent passwd pybuild || echo gone") == "gone"  # the build user left
    assert ok(root, "systemctl is-active qemu-guest-agent") == "active"
    root.close()
    info = qga_ping(vm2.qga)
    assert "guest-set-user-password" in json.dumps(info)
    print(f"admin_pass root login after {login_s:.0f}s")
