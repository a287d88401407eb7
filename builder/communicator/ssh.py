"""The SSH communicator (paramiko): wait for SSH, run commands, move files over SFTP.

:func:`connect` retries until the machine answers. Connection errors (refused, reset,
no banner yet, handshake cut short) only cost time: a guest that is still booting
looks like that. Authentication failures are counted against
``handshake_attempts``: an installer's own sshd (Ubuntu's live installer, for
instance) accepts connections but refuses our user, and must not end the wait early,
yet a wrong password must not wait the whole ``ssh_timeout`` either.

:class:`SSHCommunicator` implements :class:`builder.plugins.Communicator`. A
connection that drops while a command runs raises :class:`DisconnectedError` (the shell
provisioner's ``expect_disconnect`` accepts it); a later call reconnects once before
giving up, so provisioners after a reboot find the machine again.

Host keys are not checked (the machine is being built; its key is new every time),
like Packer. Passwords and keys are never logged.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import select
import shlex
import socket
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import paramiko

from builder import secrets
from builder.cancel import TOKEN, CancelToken
from builder.communicator.keys import load_private_key
from builder.errors import Cancelled, CommunicatorError
from builder.ui import BuildUI

if TYPE_CHECKING:
    from builder.communicator.config import CommConfig

log = logging.getLogger("pybuild.ssh")
# paramiko logs every refused handshake while a guest boots as an ERROR with a traceback;
# what matters is logged here at debug level instead
logging.getLogger("paramiko").addHandler(logging.NullHandler())
logging.getLogger("paramiko.transport").setLevel(logging.CRITICAL)

LineCallback = Callable[[str], None]


class DisconnectedError(CommunicatorError):
    """The SSH connection dropped while a command was running (a reboot, a crash)."""


class AuthenticationFailed(CommunicatorError):
    """The server refused every credential we offered ``handshake_attempts`` times."""


@dataclass
class SSHParams:
    host: str
    port: int
    username: str
    password: str | None = None
    private_key_pem: str | None = None
    keepalive: float = 5.0
    pty: bool = False
    read_write_timeout: float = 0.0
    agent_auth: bool = False
    connect_timeout: float = 15.0

    def __repr__(self) -> str:
        return f"SSHParams({self.username}@{self.host}:{self.port})"


# --------------------------------------------------------------------------- connecting


class _NotReady(OSError):
    """No server answered before the deadline (its message is the last error seen)."""


_ATTEMPT_SPACING = 1.0  # seconds between new connection attempts
_MAX_PENDING = 5  # attempts kept open at once
_BANNER_WAIT = 15.0  # an attempt silent this long is dropped


def _socket_with_banner(host: str, port: int, deadline: float | None, cancel: CancelToken) -> socket.socket:
    """A TCP connection on which the server has started to talk (its SSH banner).

    QEMU's user-mode network accepts a forwarded connection on the host at once, even while
    the guest cannot answer yet, and such a connection may stay silent for a long time. So
    a new attempt starts every second while up to five earlier ones stay open, and the first
    that speaks wins: a guest whose sshd just came up is found within about a second, and a
    slow sshd (a loaded TCG guest) is not given up on after a short probe.
    """
    pending: list[tuple[socket.socket, float]] = []  # (socket, started)
    next_try = 0.0
    last_error = "no answer yet"
    try:
        while True:
            cancel.check()
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise _NotReady(last_error)
            while pending and (len(pending) > _MAX_PENDING or now - pending[0][1] > _BANNER_WAIT):
                pending.pop(0)[0].close()
                last_error = f"no SSH banner within {_BANNER_WAIT:.0f}s"
            if now >= next_try:
                next_try = now + _ATTEMPT_SPACING
                try:
                    sock = socket.create_connection((host, port), timeout=_ATTEMPT_SPACING * 5)
                    pending.append((sock, now))
                except OSError as e:
                    last_error = f"{type(e).__name__}: {e}"
            wait = max(0.01, next_try - time.monotonic())
            if not pending:
                cancel.sleep(wait)
                continue
            readable, _, _ = select.select([sk for sk, _ in pending], [], [], min(wait, 0.5))
            for sock in readable:
                try:
                    data = sock.recv(4, socket.MSG_PEEK)
                except OSError as e:
                    data = b""
                    last_error = f"{type(e).__name__}: {e}"
                else:
                    last_error = "connection closed before the SSH banner"
                pending = [(sk, t) for sk, t in pending if sk is not sock]
                if data:
                    return sock
                sock.close()
    finally:
        for sock, _ in pending:
            sock.close()


def _open_transport(p: SSHParams, timeout: float, sock: socket.socket | None = None) -> paramiko.Transport:
    """One connection (or ``sock``, already connected) + handshake + authentication attempt."""
    if sock is None:
        sock = socket.create_connection((p.host, p.port), timeout=timeout)
    try:
        transport = paramiko.Transport(sock)
    except BaseException:
        sock.close()
        raise
    try:
        transport.banner_timeout = timeout
        transport.handshake_timeout = timeout
        transport.auth_timeout = timeout
        transport.start_client(timeout=timeout)
        _authenticate(transport, p)
        if p.keepalive > 0:
            # keep-alives are what notice a peer that vanished without a FIN (a rebooted
            # guest behind QEMU's user networking); they rely on paramiko's own short
            # socket timeout, so the socket must never be made blocking
            transport.set_keepalive(max(1, int(p.keepalive)))
        return transport
    except BaseException:
        transport.close()
        raise


def _authenticate(t: paramiko.Transport, p: SSHParams) -> None:
    errors: list[str] = []
    keys: list[paramiko.PKey] = []
    if p.private_key_pem:
        keys.append(load_private_key(p.private_key_pem))
    if p.agent_auth:
        try:
            keys.extend(paramiko.Agent().get_keys())
        except paramiko.SSHException as e:
            errors.append(f"agent: {e}")
    for key in keys:
        try:
            t.auth_publickey(p.username, key)
        except paramiko.BadAuthenticationType as e:
            errors.append(f"publickey not allowed (server allows {', '.join(e.allowed_types)})")
            break
        except paramiko.AuthenticationException:
            errors.append(f"{key.get_name()} key refused")
        if t.is_authenticated():
            return
    if p.password:
        try:
            t.auth_password(p.username, p.password)
        except paramiko.BadAuthenticationType as e:
            if "keyboard-interactive" in e.allowed_types:
                password = p.password

                def answer(title: str, instructions: str, prompts: list[tuple[str, bool]]) -> list[str]:
                    return [password for _ in prompts]

                try:
                    t.auth_interactive(p.username, answer)
                except paramiko.AuthenticationException:
                    errors.append("keyboard-interactive password refused")
            else:
                errors.append(f"password not allowed (server allows {', '.join(e.allowed_types)})")
        except paramiko.AuthenticationException:
            errors.append("password refused")
        if t.is_authenticated():
            return
    if not keys and not p.password:
        errors.append("no password or private key to offer")
    raise paramiko.AuthenticationException("; ".join(errors) or "authentication failed")


def connect(
    host: str,
    port: int,
    *,
    username: str,
    password: str | None = None,
    private_key_pem: str | None = None,
    timeout: float = 300.0,
    handshake_attempts: int = 10,
    ui: BuildUI | None = None,
    cancel: CancelToken = TOKEN,
    keepalive: float = 5.0,
    pty: bool = False,
    read_write_timeout: float = 0.0,
    agent_auth: bool = False,
    retry_interval: float = 0.5,
    auth_retry_interval: float = 5.0,
) -> SSHCommunicator:
    """Wait until ``username@host:port`` accepts us; ``timeout`` 0 waits without a time limit.

    ``retry_interval`` is the pause after a failed handshake, ``auth_retry_interval`` the
    steady pause after a refused login (Packer's 5 s; the first retries come sooner).
    """
    secrets.add(password, private_key_pem)
    params = SSHParams(host, port, username, password or None, private_key_pem or None, keepalive, pty,
                       read_write_timeout, agent_auth)
    transport = _wait_for_transport(params, timeout, handshake_attempts, ui, cancel, retry_interval,
                                    auth_retry_interval)
    return SSHCommunicator(transport, params, cancel=cancel)


def _wait_for_transport(
    p: SSHParams, timeout: float, handshake_attempts: int, ui: BuildUI | None, cancel: CancelToken,
    retry_interval: float, auth_retry_interval: float | None = None,
) -> paramiko.Transport:
    start = time.monotonic()
    deadline = start + timeout if timeout > 0 else None
    auth_failures = 0
    attempts = 0
    last_error = ""
    if ui is not None:
        ui.say(f"Waiting for SSH to become available on {p.host}:{p.port}...")
    while True:
        cancel.check()
        attempts += 1
        wait = retry_interval
        try:
            sock = _socket_with_banner(p.host, p.port, deadline, cancel)
            remaining = deadline - time.monotonic() if deadline is not None else p.connect_timeout
            transport = _open_transport(p, max(1.0, min(p.connect_timeout, remaining)), sock)
        except paramiko.AuthenticationException as e:
            auth_failures += 1
            # the credentials often start to work a moment after sshd does (cloud-init sets
            # the password and keys while sshd already runs): retry soon at first, then at
            # the steady pace
            steady = retry_interval if auth_retry_interval is None else auth_retry_interval
            wait = min(steady, float(auth_failures))
            last_error = f"authentication failed: {e}"
            log.debug("SSH %s@%s:%d: %s (%d/%d)", p.username, p.host, p.port, last_error, auth_failures,
                      handshake_attempts)
            if auth_failures >= max(1, handshake_attempts):
                raise AuthenticationFailed(
                    f"SSH authentication as {p.username!r} on {p.host}:{p.port} failed "
                    f"{auth_failures} times (ssh_handshake_attempts = {handshake_attempts}): {e}"
                ) from None
        except CommunicatorError:
            raise  # an unusable private key: retrying will not help
        except (OSError, EOFError, paramiko.SSHException) as e:
            last_error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            log.debug("SSH %s:%d not ready: %s", p.host, p.port, last_error)
        else:
            elapsed = time.monotonic() - start
            log.debug("SSH connected to %s:%d after %.1fs, %d attempts", p.host, p.port, elapsed, attempts)
            if ui is not None:
                ui.say("Connected to SSH!")
            return transport
        if deadline is not None and time.monotonic() >= deadline:
            raise CommunicatorError(
                f"Timeout waiting for SSH on {p.host}:{p.port} after {timeout:.0f}s "
                f"({attempts} attempts; last error: {last_error})"
            )
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        cancel.sleep(wait)


def connect_from_config(
    cfg: CommConfig,
    host: str,
    port: int,
    *,
    private_key_pem: str | None = None,
    ui: BuildUI | None = None,
    cancel: CancelToken = TOKEN,
) -> SSHCommunicator:
    """Connect with a builder's communicator options, including ``pause_before_connecting``."""

    def once() -> SSHCommunicator:
        return connect(
            host, port, username=cfg.ssh_username, password=cfg.ssh_password or None,
            private_key_pem=private_key_pem, timeout=cfg.effective_ssh_timeout,
            handshake_attempts=cfg.effective_handshake_attempts, ui=ui, cancel=cancel,
            keepalive=float(cfg.ssh_keep_alive_interval), pty=cfg.ssh_pty,
            read_write_timeout=float(cfg.ssh_read_write_timeout), agent_auth=cfg.ssh_agent_auth,
        )

    comm = once()
    if cfg.pause_before_connecting > 0:
        comm.close()
        if ui is not None:
            ui.say(f"Pausing {cfg.pause_before_connecting:.0f}s before connecting again...")
        cancel.sleep(float(cfg.pause_before_connecting))
        comm = once()
    return comm


# --------------------------------------------------------------------------- the communicator


class _LineSplitter:
    """Bytes in, complete text lines out (``\\r\\n`` and partial UTF-8 sequences handled)."""

    def __init__(self, cb: LineCallback | None):
        self.cb = cb
        self.buf = ""
        self.dec = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data: bytes) -> None:
        self.buf += self.dec.decode(data)
        if "\n" not in self.buf:
            return
        *lines, self.buf = self.buf.split("\n")
        for line in lines:
            self._emit(line)

    def flush(self) -> None:
        self.buf += self.dec.decode(b"", final=True)
        if self.buf:
            self._emit(self.buf)
            self.buf = ""

    def _emit(self, line: str) -> None:
        if self.cb is None:
            return
        try:
            self.cb(line.rstrip("\r"))
        except Exception:  # a UI callback must never break the command
            log.exception("line callback failed")


class SSHCommunicator:
    """A live SSH connection; see :class:`builder.plugins.Communicator`."""

    def __init__(self, transport: paramiko.Transport, params: SSHParams, *, cancel: CancelToken = TOKEN):
        self._transport: paramiko.Transport | None = transport
        self._sftp: paramiko.SFTPClient | None = None
        self.params = params
        self.cancel = cancel

    def __repr__(self) -> str:
        return f"SSHCommunicator({self.params.username}@{self.params.host}:{self.params.port})"

    def __enter__(self) -> SSHCommunicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._transport is not None and self._transport.is_active()

    # ------------------------------------------------------------------ connection

    def reconnect(self, timeout: float | None = None) -> None:
        """Drop the current connection and open a new one (one attempt unless ``timeout``)."""
        self._drop()
        p = self.params
        if timeout:
            self._transport = _wait_for_transport(p, timeout, 1, None, self.cancel, 1.0)
        else:
            try:
                self._transport = _open_transport(p, p.connect_timeout)
            except paramiko.AuthenticationException as e:
                raise AuthenticationFailed(f"SSH reconnect to {p.host}:{p.port} refused: {e}") from None
            except (OSError, EOFError, paramiko.SSHException) as e:
                raise CommunicatorError(f"SSH reconnect to {p.host}:{p.port} failed: {e or type(e).__name__}")

    def _live_transport(self) -> paramiko.Transport:
        if not self.connected:
            log.debug("SSH connection to %s:%d is gone; reconnecting", self.params.host, self.params.port)
            self.reconnect()
        assert self._transport is not None
        return self._transport

    def _open_session(self) -> paramiko.Channel:
        try:
            return self._live_transport().open_session(timeout=self.params.connect_timeout)
        except (paramiko.SSHException, EOFError, OSError):
            self.reconnect()  # a half-dead connection: one fresh try
            assert self._transport is not None
            try:
                return self._transport.open_session(timeout=self.params.connect_timeout)
            except (paramiko.SSHException, EOFError, OSError) as e:
                raise CommunicatorError(f"cannot open an SSH session: {e or type(e).__name__}") from None

    def _sftp_client(self) -> paramiko.SFTPClient:
        if self._sftp is not None and self.connected:
            return self._sftp
        transport = self._live_transport()
        try:
            self._sftp = paramiko.SFTPClient.from_transport(transport)
        except (paramiko.SSHException, EOFError, OSError) as e:
            raise CommunicatorError(
                f"cannot start SFTP on {self.params.host}:{self.params.port}: {e or type(e).__name__} "
                "(pybuild transfers files over SFTP: the guest's sshd needs its sftp subsystem)"
            ) from None
        if self._sftp is None:
            raise CommunicatorError("the SSH server refused the SFTP subsystem")
        return self._sftp

    def _drop(self) -> None:
        if self._sftp is not None:
            try:
                self._sftp.close()
            except Exception:
                pass
            self._sftp = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def close(self) -> None:
        self._drop()

    # ------------------------------------------------------------------ commands

    def run(
        self,
        command: str,
        *,
        on_stdout: LineCallback | None = None,
        on_stderr: LineCallback | None = None,
        timeout: float | None = None,
        stdin: bytes | None = None,
    ) -> int:
        """Run ``command`` with the remote user's shell; stream lines; return the exit status.

        A command ended by a signal returns -1 (SSH reports no number for it).
        """
        log.debug("ssh run: %s", secrets.mask(command))
        chan = self._open_session()
        out, err = _LineSplitter(on_stdout), _LineSplitter(on_stderr)
        start = last_io = time.monotonic()
        rw_timeout = self.params.read_write_timeout
        try:
            if self.params.pty:
                chan.get_pty()
            chan.exec_command(command)
            if stdin:
                chan.sendall(stdin)
            chan.shutdown_write()
            while True:
                if self.cancel.cancelled or TOKEN.cancelled:  # a private token, or the run's
                    chan.close()
                    self.cancel.check()
                    TOKEN.check()
                moved = False
                while chan.recv_ready():
                    out.feed(chan.recv(65536))
                    moved = True
                while chan.recv_stderr_ready():
                    err.feed(chan.recv_stderr(65536))
                    moved = True
                now = time.monotonic()
                if moved:
                    last_io = now
                    continue
                if chan.closed or (chan.exit_status_ready() and chan.eof_received):
                    break
                if timeout is not None and now - start > timeout:
                    raise CommunicatorError(
                        f"command timed out after {timeout:.0f}s: {secrets.mask(command)}"
                    )
                if rw_timeout > 0 and now - last_io > rw_timeout and not chan.exit_status_ready():
                    raise DisconnectedError(
                        f"no data from the SSH connection for {rw_timeout:.0f}s (ssh_read_write_timeout)"
                    )
                if not self.connected:
                    break
                select.select([chan], [], [], 0.2)
        except (Cancelled, CommunicatorError):
            chan.close()
            raise
        except (OSError, EOFError, paramiko.SSHException) as e:
            chan.close()
            raise DisconnectedError(f"SSH connection lost while running a command: {e or type(e).__name__}")
        finally:
            out.flush()
            err.flush()
        status = chan.exit_status if chan.status_event.is_set() else -1
        transport_alive = self.connected
        chan.close()
        if status == -1 and not transport_alive:
            raise DisconnectedError(
                f"SSH connection to {self.params.host}:{self.params.port} was lost while the command ran"
            )
        log.debug("ssh exit %d after %.2fs", status, time.monotonic() - start)
        return status

    # ------------------------------------------------------------------ files (SFTP)

    def upload(self, source: Path | bytes, remote_path: str, mode: int = 0o644) -> None:
        sftp = self._sftp_client()
        try:
            if isinstance(source, (bytes, bytearray)):
                sftp.putfo(io.BytesIO(source), remote_path)
            else:
                with open(source, "rb") as fh:
                    sftp.putfo(fh, remote_path)
            sftp.chmod(remote_path, mode)
        except OSError as e:
            raise CommunicatorError(f"upload to {remote_path} failed: {_sftp_error(e)}") from None
        except (EOFError, paramiko.SSHException) as e:
            raise DisconnectedError(f"upload to {remote_path} failed: {e or type(e).__name__}") from None

    def upload_dir(self, local_dir: Path, remote_dir: str) -> None:
        """Copy the *contents* of ``local_dir`` into ``remote_dir`` (created if needed)."""
        sftp = self._sftp_client()
        local_dir = Path(local_dir)
        try:
            self._mkdirs(sftp, remote_dir)
            for root, dirs, files in os.walk(local_dir):
                rel = Path(root).relative_to(local_dir)
                rdir = str(PurePosixPath(remote_dir, *rel.parts))
                for d in sorted(dirs):
                    target = f"{rdir}/{d}"
                    self._mkdirs(sftp, target)
                    sftp.chmod(target, stat.S_IMODE(os.stat(Path(root, d)).st_mode))
                for f in sorted(files):
                    lp = Path(root, f)
                    with open(lp, "rb") as fh:
                        sftp.putfo(fh, f"{rdir}/{f}")
                    sftp.chmod(f"{rdir}/{f}", stat.S_IMODE(os.stat(lp).st_mode))
        except OSError as e:
            msg = f"upload of {local_dir} to {remote_dir} failed: {_sftp_error(e)}"
            raise CommunicatorError(msg) from None
        except (EOFError, paramiko.SSHException) as e:
            raise DisconnectedError(f"upload to {remote_dir} failed: {e or type(e).__name__}") from None

    def download(self, remote_path: str, local_path: Path) -> None:
        sftp = self._sftp_client()
        local_path = Path(local_path)
        try:
            with open(local_path, "wb") as fh:
                sftp.getfo(remote_path, fh)
        except OSError as e:
            raise CommunicatorError(f"download of {remote_path} failed: {_sftp_error(e)}") from None
        except (EOFError, paramiko.SSHException) as e:
            raise DisconnectedError(f"download of {remote_path} failed: {e or type(e).__name__}") from None

    def download_dir(self, remote_dir: str, local_dir: Path) -> None:
        """Copy the *contents* of ``remote_dir`` into ``local_dir`` (created if needed)."""
        sftp = self._sftp_client()
        try:
            self._get_tree(sftp, remote_dir.rstrip("/") or "/", Path(local_dir))
        except OSError as e:
            raise CommunicatorError(f"download of {remote_dir} failed: {_sftp_error(e)}") from None
        except (EOFError, paramiko.SSHException) as e:
            raise DisconnectedError(f"download of {remote_dir} failed: {e or type(e).__name__}") from None

    def is_dir(self, remote_path: str) -> bool:
        """True when ``remote_path`` is a directory on the machine (False if missing)."""
        sftp = self._sftp_client()
        try:
            st = sftp.stat(remote_path)
        except OSError:
            return False
        return stat.S_ISDIR(st.st_mode or 0)

    def _get_tree(self, sftp: paramiko.SFTPClient, remote: str, local: Path) -> None:
        local.mkdir(parents=True, exist_ok=True)
        for entry in sftp.listdir_attr(remote):
            rpath = f"{remote}/{entry.filename}"
            mode = entry.st_mode or 0
            if stat.S_ISDIR(mode):
                self._get_tree(sftp, rpath, local / entry.filename)
            elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                lpath = local / entry.filename
                with open(lpath, "wb") as fh:
                    sftp.getfo(rpath, fh)
                os.chmod(lpath, stat.S_IMODE(mode) or 0o644)

    @staticmethod
    def _mkdirs(sftp: paramiko.SFTPClient, path: str) -> None:
        cur: PurePosixPath | None = None
        for part in PurePosixPath(path).parts:
            cur = PurePosixPath(part) if cur is None else cur / part
            if str(cur) == "/":
                continue
            try:
                st = sftp.stat(str(cur))
            except FileNotFoundError:
                sftp.mkdir(str(cur))
                continue
            if not stat.S_ISDIR(st.st_mode or 0):
                raise NotADirectoryError(f"{cur} exists and is not a directory")


def clear_authorized_keys(comm: SSHCommunicator, public_openssh: str, ui: BuildUI | None = None) -> bool:
    """``ssh_clear_authorized_keys``: remove the temporary public key from the login user's
    and root's ``authorized_keys`` (root's through ``sudo -n`` when not logged in as root).
    Best effort, like Packer: problems are warnings. True when the user's own file was cleaned."""
    parts = public_openssh.split()
    if len(parts) < 2:
        return False
    blob = parts[1]  # base64: letters, digits, + / = only, safe inside the sed address
    if not all(ch.isalnum() or ch in "+/=" for ch in blob):
        return False
    expr = shlex.quote(f"\\#{blob}#d")  # "#" as the sed delimiter: base64 contains "/"
    root_edit = shlex.quote(f"[ ! -f /root/.ssh/authorized_keys ] || sed -i {expr} /root/.ssh/authorized_keys")
    script = (
        f'f="$HOME/.ssh/authorized_keys"; if [ -f "$f" ]; then sed -i {expr} "$f" || exit 1; fi; '
        f'if [ "$(id -u)" = 0 ]; then sh -c {root_edit}; '
        f"else sudo -n sh -c {root_edit} 2>/dev/null || true; fi"
    )
    errors: list[str] = []
    try:
        status = comm.run(script, on_stderr=errors.append, timeout=60)
    except CommunicatorError as e:
        status, errors = -1, [str(e)]
    if status != 0 and ui is not None:
        ui.warn(f"could not remove the temporary SSH key from authorized_keys: {'; '.join(errors)}")
    return status == 0


def _sftp_error(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return f"no such file or directory{f': {e.filename}' if e.filename else ''}"
    if isinstance(e, PermissionError):
        return f"permission denied{f': {e.filename}' if e.filename else ''}"
    return str(e) or type(e).__name__


__all__ = ["AuthenticationFailed", "DisconnectedError", "SSHCommunicator", "SSHParams", "clear_authorized_keys",
           "connect", "connect_from_config"]
