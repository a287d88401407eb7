"""A minimal RFB (VNC) client: enough to type keys into QEMU.

RFB 3.3/3.7/3.8 handshake, security "None" (1) and "VNC authentication" (2, DES of the
16-byte challenge keyed with the password's first 8 bytes, each byte bit-reversed),
ClientInit with shared=true, then KeyEvent messages (type 4). The client never asks
for framebuffer updates, so the server sends nothing we need to read.

Connects to ``host:port`` (QEMU ``-vnc 127.0.0.1:N`` listens on 5900+N) or to a unix
socket (QEMU ``-vnc unix:PATH``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import time

from builder.cancel import TOKEN, CancelToken
from builder.errors import PybuildError

SEC_NONE = 1
SEC_VNC_AUTH = 2


class VNCError(PybuildError):
    pass


def _des_encrypt(key8: bytes, data: bytes) -> bytes:
    try:  # cryptography >= 43 keeps DES under "decrepit"
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    except ImportError:  # pragma: no cover
        from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES  # type: ignore
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    enc = Cipher(TripleDES(key8 * 3), modes.ECB()).encryptor()  # K1=K2=K3: single DES
    return enc.update(data) + enc.finalize()


def _reverse_bits(b: int) -> int:
    return int(f"{b:08b}"[::-1], 2)


def vnc_auth_response(password: str, challenge: bytes) -> bytes:
    """The 16-byte answer to a VNC-auth challenge."""
    key = password.encode("latin-1", "replace")[:8].ljust(8, b"\0")
    key = bytes(_reverse_bits(b) for b in key)
    return _des_encrypt(key, challenge)


class RFBClient:
    """``RFBClient("127.0.0.1", 5901)`` or ``RFBClient(unix_path="/run/vnc.sock")``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5900,
        *,
        unix_path: str | os.PathLike[str] | None = None,
        password: str = "",
    ):
        self.host = host
        self.port = port
        self.unix_path = os.fspath(unix_path) if unix_path is not None else None
        self.password = password
        self.width = 0
        self.height = 0
        self.name = ""
        self.version = ""
        self._sock: socket.socket | None = None

    def __repr__(self) -> str:
        where = f"unix:{self.unix_path}" if self.unix_path else f"{self.host}:{self.port}"
        return f"RFBClient({where})"

    # ------------------------------------------------------------------ connect

    def connect(self, timeout: float = 30.0, cancel: CancelToken | None = TOKEN) -> None:
        """Connect (retrying while QEMU starts) and do the RFB handshake."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                s = self._open()
                break
            except OSError as e:
                if time.monotonic() >= deadline:
                    raise VNCError(f"cannot connect to VNC {self!r}: {e}") from None
            if cancel is not None:
                cancel.sleep(0.2)
            else:
                time.sleep(0.2)
        s.settimeout(max(5.0, deadline - time.monotonic()))
        self._sock = s
        try:
            self._handshake()
        except OSError as e:
            self.close()
            raise VNCError(f"VNC handshake with {self!r} failed: {e}") from None
        except BaseException:
            self.close()
            raise
        s.settimeout(10.0)

    def _open(self) -> socket.socket:
        if self.unix_path is not None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.unix_path)
            except OSError:
                s.close()
                raise
            return s
        s = socket.create_connection((self.host, self.port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def _recv(self, n: int) -> bytes:
        assert self._sock is not None
        buf = b""
        while len(buf) < n:
            chunk = self._sock.recv(n - len(buf))
            if not chunk:
                raise VNCError(f"VNC server {self!r} closed the connection during the handshake")
            buf += chunk
        return buf

    def _send(self, data: bytes) -> None:
        if self._sock is None:
            raise VNCError("VNC client is not connected")
        try:
            self._sock.sendall(data)
        except OSError as e:
            raise VNCError(f"VNC connection {self!r} lost: {e}") from None

    def _reason(self) -> str:
        (n,) = struct.unpack(">I", self._recv(4))
        return self._recv(n).decode("utf-8", "replace") if n else ""

    def _handshake(self) -> None:
        server = self._recv(12)
        if not server.startswith(b"RFB "):
            raise VNCError(f"{self!r} is not a VNC server (got {server!r})")
        major, minor = int(server[4:7]), int(server[8:11])
        if (major, minor) >= (3, 8):
            minor = 8
        elif (major, minor) >= (3, 7):
            minor = 7
        else:
            minor = 3
        self.version = f"3.{minor}"
        self._send(b"RFB 003.%03d\n" % minor)
        if minor == 3:
            (sec,) = struct.unpack(">I", self._recv(4))
            if sec == 0:
                raise VNCError(f"VNC server refused the connection: {self._reason()}")
        else:
            (count,) = struct.unpack(">B", self._recv(1))
            if count == 0:
                raise VNCError(f"VNC server refused the connection: {self._reason()}")
            offered = list(self._recv(count))
            if SEC_NONE in offered and not self.password:
                sec = SEC_NONE
            elif SEC_VNC_AUTH in offered:
                sec = SEC_VNC_AUTH
            elif SEC_NONE in offered:
                sec = SEC_NONE
            else:
                raise VNCError(f"no supported VNC security type (server offers {offered})")
            self._send(bytes([sec]))
        if sec == SEC_VNC_AUTH:
            if not self.password:
                raise VNCError("the VNC server requires a password (vnc_password)")
            challenge = self._recv(16)
            self._send(vnc_auth_response(self.password, challenge))
        if sec == SEC_VNC_AUTH or minor == 8:
            (result,) = struct.unpack(">I", self._recv(4))
            if result != 0:
                reason = self._reason() if minor == 8 else ""
                raise VNCError(f"VNC authentication failed{': ' + reason if reason else ''}")
        self._send(b"\x01")  # ClientInit: shared
        self.width, self.height = struct.unpack(">HH", self._recv(4))
        self._recv(16)  # pixel format
        (n,) = struct.unpack(">I", self._recv(4))
        self.name = self._recv(n).decode("utf-8", "replace")

    # ------------------------------------------------------------------ keys

    def key_event(self, keysym: int, down: bool) -> None:
        self._send(struct.pack(">BBHI", 4, 1 if down else 0, 0, keysym))

    def close(self) -> None:
        s, self._sock = self._sock, None
        if s is not None:
            with contextlib.suppress(OSError):
                s.close()


__all__ = ["RFBClient", "VNCError", "vnc_auth_response"]
