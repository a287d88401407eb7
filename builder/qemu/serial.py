"""The guest's first serial port, as QEMU is started by the builder::

    -chardev socket,id=serial0,path=SOCK,server=on,wait=off,logfile=LOG,logappend=on
    -serial chardev:serial0

QEMU writes everything the guest sends to LOG whether or not a client is connected,
so reading follows the log file (offsets are byte offsets in LOG); writing (typing a
boot command over serial) goes through the socket. While connected, a background
thread drains the socket so a slow reader can never stall the guest's UART.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import socket
import threading
import time
from pathlib import Path

from builder.cancel import TOKEN, CancelToken
from builder.errors import PybuildError


class SerialError(PybuildError):
    pass


class SerialTimeout(SerialError):
    def __init__(self, pattern: str, timeout: float, tail: str):
        self.pattern = pattern
        self.tail = tail
        msg = f"timed out after {timeout:.0f}s waiting for {pattern!r} on the serial console"
        if tail.strip():
            msg += "\n--- serial console (last lines) ---\n" + tail.rstrip()
        super().__init__(msg)


class SerialConsole:
    def __init__(self, sock_path: str | os.PathLike[str] | None, log_path: str | os.PathLike[str]):
        self.sock_path = os.fspath(sock_path) if sock_path is not None else None
        self.log_path = Path(log_path)
        self._sock: socket.socket | None = None
        self._drain: threading.Thread | None = None
        self._wlock = threading.Lock()

    # ------------------------------------------------------------------ socket

    def connect(self, timeout: float = 30.0, cancel: CancelToken | None = TOKEN) -> None:
        if self.sock_path is None:
            raise SerialError("no serial socket configured: the console is read-only")
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock_path)
                break
            except OSError as e:
                s.close()
                if time.monotonic() >= deadline:
                    raise SerialError(f"cannot connect to serial socket {self.sock_path}: {e}") from None
            if cancel is not None:
                cancel.sleep(0.1)
            else:
                time.sleep(0.1)
        self._sock = s
        self._drain = threading.Thread(target=self._drain_loop, args=(s,), daemon=True)
        self._drain.start()

    def _drain_loop(self, s: socket.socket) -> None:
        # the data is also in the log file; reading only keeps QEMU's socket flowing
        with contextlib.suppress(OSError):
            while s.recv(65536):
                pass

    def write(self, data: bytes) -> None:
        with self._wlock:
            if self._sock is None:
                raise SerialError("serial console is not connected")
            try:
                self._sock.sendall(data)
            except OSError as e:
                raise SerialError(f"serial console write failed: {e}") from None

    def close(self) -> None:
        s, self._sock = self._sock, None
        if s is not None:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        if self._drain is not None:
            self._drain.join(2)
            self._drain = None

    def __enter__(self) -> SerialConsole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ log

    def mark(self) -> int:
        """The current end of the log: pass it to :meth:`read_since`/:meth:`wait_for`."""
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def read_bytes_since(self, offset: int) -> bytes:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read()
        except FileNotFoundError:
            return b""

    def read_since(self, offset: int = 0) -> str:
        return self.read_bytes_since(offset).decode("utf-8", "replace")

    def tail(self, lines: int = 20) -> str:
        start = max(0, self.mark() - 64 * 1024)
        text = self.read_since(start)
        return "\n".join(text.replace("\r", "").splitlines()[-lines:])

    def wait_for(
        self,
        pattern: str | re.Pattern[str],
        timeout: float,
        cancel: CancelToken | None = TOKEN,
        offset: int | None = None,
        poll: float = 0.05,
    ) -> str:
        """Wait until ``pattern`` (plain text, or a compiled regex) appears in the log
        after ``offset`` (default: now); return the matched text.
        Raises :class:`SerialTimeout` (with the console's last lines) or Cancelled."""
        pos = self.mark() if offset is None else offset
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        plain = not isinstance(pattern, re.Pattern)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        text = ""
        deadline = time.monotonic() + timeout
        while True:
            new = self.read_bytes_since(pos)
            if new:
                pos += len(new)
                searched = len(text)
                text += decoder.decode(new)
                # plain text: only the tail that can hold a new match is searched again
                start = max(0, searched - len(pattern) + 1) if plain else 0  # type: ignore[arg-type]
                m = rx.search(text, start)
                if m is not None:
                    return m.group(0)
            if time.monotonic() >= deadline:
                raise SerialTimeout(rx.pattern if isinstance(pattern, re.Pattern) else pattern,
                                    timeout, self.tail())
            if cancel is not None:
                cancel.sleep(poll)
            else:
                time.sleep(poll)


__all__ = ["SerialConsole", "SerialError", "SerialTimeout"]
