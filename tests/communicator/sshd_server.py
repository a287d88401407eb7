"""A real OpenSSH server for tests: private config, host key, user and port on 127.0.0.1.

Needs root (a temporary user with a password is created and removed) and the
``openssh-server`` package (``/usr/sbin/sshd``). Nothing outside a fresh /tmp directory
is touched except the temporary user's passwd/shadow entries and ``/run/sshd``
(sshd's privilege-separation directory, created if missing).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets as pysecrets
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.communicator.keys import KeyPair, generate_keypair, write_private_key
from builder.communicator.ssh import SSHCommunicator, connect
from builder.run import Process, run
from tests.tools import require_root

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SFTP_SERVER = "internal-sftp"


@dataclass
class SSHUser:
    name: str
    password: str
    home: Path
    key: KeyPair
    workdir: Path  # readable by the user; holds authorized_keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require_environment() -> None:
    require_root("the sshd fixture creates a temporary user with a password")
    if not os.path.exists(SSHD):
        pytest.fail("sshd not found: install the openssh-server package (apt-get install openssh-server)")


@contextlib.contextmanager
def temporary_user() -> Iterator[SSHUser]:
    _require_environment()
    workdir = Path(tempfile.mkdtemp(prefix="pybuild-sshd-"))
    workdir.chmod(0o755)
    name = "pbt" + pysecrets.token_hex(4)
    password = "pw-" + pysecrets.token_urlsafe(12)
    home = workdir / "home"
    created = False
    try:
        run(["useradd", "-M", "-d", str(home), "-s", "/bin/sh", name])
        created = True
        home.mkdir()
        shutil.chown(home, name, name)
        run(["chpasswd"], input=f"{name}:{password}\n".encode())
        key = generate_keypair("ed25519")
        (workdir / "authorized_keys").write_text(key.public_openssh + "\n")
        (workdir / "authorized_keys").chmod(0o644)
        write_private_key(key.private_pem, workdir / "id_ed25519")
        yield SSHUser(name, password, home, key, workdir)
    finally:
        if created:
            _remove_user(name)
        shutil.rmtree(workdir, ignore_errors=True)


def _remove_user(name: str) -> None:
    """userdel, after ending the user's leftover processes (by pid); retried because
    userdel refuses while a process runs as the user or /etc/passwd is locked."""
    uid = pwd.getpwnam(name).pw_uid
    for _ in range(10):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        os.kill(int(entry), signal.SIGKILL)
                except (FileNotFoundError, ProcessLookupError):
                    pass
        if run(["userdel", name], check=False).returncode == 0:
            _remove_files_of(uid)
            return
        time.sleep(0.5)
    warnings.warn(f"could not remove the temporary test user {name}", stacklevel=1)


def _remove_files_of(uid: int) -> None:
    """What the user left in the shared temp dirs (e.g. a provisioner's /tmp/script_NNNN.sh
    when a test cut the connection): a later test user could not overwrite it (sticky /tmp)."""
    for top in ("/tmp", "/var/tmp"):
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(top):
                try:
                    if entry.stat(follow_symlinks=False).st_uid != uid:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)
                except FileNotFoundError:
                    pass


class SSHServer:
    """One sshd -D process on 127.0.0.1:port for ``user``."""

    def __init__(self, user: SSHUser, port: int | None = None, name: str = "sshd"):
        self.user = user
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.dir = user.workdir / f"{name}-{self.port}"
        self.dir.mkdir()
        self.log_path = self.dir / "sshd.log"
        self.proc: Process | None = None
        host_key = generate_keypair("ed25519")
        write_private_key(host_key.private_pem, self.dir / "host_key")
        self.config_path = self.dir / "sshd_config"
        self.config_path.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.dir / 'host_key'}",
                    f"PidFile {self.dir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {user.workdir / 'authorized_keys'}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication yes",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "PermitRootLogin no",
                    f"AllowUsers {user.name}",
                    "MaxAuthTries 20",
                    "MaxStartups 100",
                    "LogLevel VERBOSE",
                    f"Subsystem sftp {SFTP_SERVER}",
                    "",
                ]
            )
        )

    def start(self, wait: float = 10.0) -> SSHServer:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        run([SSHD, "-t", "-f", self.config_path])
        self.proc = Process([SSHD, "-D", "-e", "-f", self.config_path], log_path=self.log_path)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited early:\n{self.log_text()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(64).startswith(b"SSH-"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sshd did not answer on port {self.port}:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the daemon and its sessions (sshd puts each session in its own process group)."""
        if self.proc is not None:
            self.kill_sessions()
            self.proc.stop(grace=2.0)
            self.proc = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def session_pids(self) -> list[int]:
        """Every descendant of our sshd daemon: the per-connection sshd processes and commands."""
        if self.proc is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        out: list[int] = []
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            for c in children.get(pid, []):
                out.append(c)
                todo.append(c)
        return out

    def kill_sessions(self) -> list[int]:
        """Drop every client connection from the server side (SIGKILL to the session processes)."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids


@contextlib.contextmanager
def running_sshd(user: SSHUser, port: int | None = None) -> Iterator[SSHServer]:
    server = SSHServer(user, port)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- pytest fixtures
# imported by tests/communicator/conftest.py and tests/provisioners/conftest.py


@pytest.fixture(scope="session")
def ssh_user() -> Iterator[SSHUser]:
    with temporary_user() as user:
        yield user


@pytest.fixture(scope="session")
def sshd(ssh_user: SSHUser) -> Iterator[SSHServer]:
    with running_sshd(ssh_user) as server:
        yield server


@pytest.fixture
def comm(sshd: SSHServer, ssh_user: SSHUser) -> Iterator[SSHCommunicator]:
    c = connect(sshd.host, sshd.port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                timeout=20, handshake_attempts=3)
    try:
        yield c
    finally:
        c.close()


class VanishingProxy:
    """A TCP forwarder to sshd that can make the server vanish the way a rebooted guest
    behind QEMU's user networking does: the client's connection stays open and silent
    (no FIN), and only data sent into it afterwards gets a reset."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.vanished = threading.Event()
        self.closed = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                return
            if not data:
                return
            if self.vanished.is_set():
                if from_client:  # the "new guest" answers with a reset
                    src.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    src.close()
                    return
                continue  # the old server's words are lost
            try:
                dst.sendall(data)
            except OSError:
                return

    def vanish(self) -> None:
        self.vanished.set()

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.close()
