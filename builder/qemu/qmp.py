"""A small synchronous QMP client for the unix socket QEMU gets with
``-qmp unix:PATH,server=on,wait=off``.

Why not ``qemu.qmp.legacy.QEMUMonitorProtocol``: it drives an asyncio event loop
behind a synchronous facade, which does not mix well with pybuild's worker threads
(parallel builds) and signal handling, and is documented as transitional. QMP is
JSON lines over a socket; this client is a plain blocking socket with a lock,
a greeting/capabilities handshake, command ids, and asynchronous events kept
in :attr:`QMPClient.events`.

    qmp = QMPClient(sock_path)
    qmp.connect(timeout=10)
    qmp.execute("query-status")          # -> {"status": "running", ...}
    qmp.screendump(Path("fail.png"))
    qmp.system_powerdown()
    qmp.close()
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from builder.cancel import TOKEN, CancelToken
from builder.errors import PybuildError

log = logging.getLogger("pybuild.qmp")


class QMPError(PybuildError):
    """QMP transport failure (no socket, connection closed, bad greeting)."""


class QMPCommandError(QMPError):
    """QEMU answered a command with an error object."""

    def __init__(self, command: str, error_class: str, desc: str):
        self.command = command
        self.error_class = error_class
        self.desc = desc
        super().__init__(f"QMP command {command} failed: {error_class}: {desc}")


class QMPClient:
    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        self.events: list[dict[str, Any]] = []
        self.greeting: dict[str, Any] = {}
        self._sock: socket.socket | None = None
        self._buf = b""
        self._ids = itertools.count(1)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ connection

    def connect(self, timeout: float = 30.0, cancel: CancelToken | None = TOKEN) -> None:
        """Connect (retrying until the socket exists and accepts) and negotiate."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.settimeout(max(1.0, min(10.0, timeout)))
                s.connect(self.path)
                break
            except OSError as e:
                s.close()
                last = e
            if time.monotonic() >= deadline:
                raise QMPError(f"cannot connect to QMP socket {self.path}: {last}")
            if cancel is not None:
                cancel.sleep(0.1)
            else:
                time.sleep(0.1)
        with self._lock:
            self._sock = s
            self._buf = b""
            try:
                greeting = self._read_message(deadline=time.monotonic() + 10)
                if "QMP" not in greeting:
                    raise QMPError(f"unexpected QMP greeting: {greeting!r}")
                self.greeting = greeting["QMP"]
                self.execute("qmp_capabilities")
            except BaseException:
                self.close()
                raise

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.close()
                self._sock = None

    def __enter__(self) -> QMPClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ messages

    def _read_message(self, deadline: float | None = None) -> dict[str, Any]:
        sock = self._sock
        if sock is None:
            raise QMPError("QMP client is not connected")
        while b"\n" not in self._buf:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QMPError(f"timed out waiting for QMP on {self.path}")
                sock.settimeout(left)
            else:
                sock.settimeout(None)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as e:
                raise QMPError(f"QMP connection lost: {e}") from None
            if not chunk:
                raise QMPError("QMP connection closed by QEMU")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            msg = json.loads(line)
        except ValueError:
            raise QMPError(f"malformed QMP message: {line[:200]!r}") from None
        if not isinstance(msg, dict):
            raise QMPError(f"malformed QMP message: {line[:200]!r}")
        return msg

    def execute(self, command: str, timeout: float | None = 60.0, **arguments: Any) -> Any:
        """Run one command; return its ``return`` value or raise :class:`QMPCommandError`."""
        with self._lock:
            if self._sock is None:
                raise QMPError("QMP client is not connected")
            cid = f"pb-{next(self._ids)}"
            req: dict[str, Any] = {"execute": command, "id": cid}
            if arguments:
                req["arguments"] = arguments
            log.debug("qmp> %s", command)
            try:
                self._sock.sendall(json.dumps(req).encode() + b"\n")
            except OSError as e:
                raise QMPError(f"QMP connection lost: {e}") from None
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                msg = self._read_message(deadline)
                if "event" in msg:
                    self.events.append(msg)
                    continue
                if msg.get("id") != cid:
                    continue
                if "error" in msg:
                    err = msg["error"]
                    raise QMPCommandError(command, err.get("class", "?"), err.get("desc", ""))
                return msg.get("return")

    def wait_event(
        self, name: str, timeout: float, cancel: CancelToken | None = TOKEN
    ) -> dict[str, Any] | None:
        """Wait for an event (``SHUTDOWN``, ``POWERDOWN``...); None on timeout.

        Events that arrived earlier (also during :meth:`execute`) are returned first.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for i, ev in enumerate(self.events):
                    if ev.get("event") == name:
                        return self.events.pop(i)
                if time.monotonic() >= deadline:
                    return None
                try:
                    msg = self._read_message(min(deadline, time.monotonic() + 0.2))
                    if "event" in msg:
                        self.events.append(msg)
                except QMPError as e:
                    if "timed out" not in str(e):
                        raise
            if cancel is not None:
                cancel.check()

    # ------------------------------------------------------------------ helpers

    def query_status(self) -> str:
        return str(self.execute("query-status").get("status", ""))

    def system_powerdown(self) -> None:
        """ACPI power button (the guest decides whether to shut down)."""
        self.execute("system_powerdown")

    def quit(self) -> None:
        """Ask QEMU to exit at once. A connection closed before the reply is success."""
        try:
            self.execute("quit", timeout=10)
        except QMPCommandError:
            raise
        except QMPError:
            pass
        self.close()

    def screendump(self, png_path: str | os.PathLike[str], device: str | None = None) -> Path:
        """Save the guest screen as PNG (QEMU ≥ 7.1 writes PNG; else PPM → Pillow)."""
        out = Path(png_path).absolute()
        args: dict[str, Any] = {"filename": str(out), "format": "png"}
        if device:
            args["device"] = device
        try:
            self.execute("screendump", **args)
            return out
        except QMPCommandError as e:
            if "format" not in e.desc:  # QEMU < 7.1: "Parameter 'format' is unexpected"
                raise
        ppm = out.with_suffix(".ppm")
        del args["format"]
        args["filename"] = str(ppm)
        self.execute("screendump", **args)
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover - Pillow is normally installed
            log.warning("Pillow not installed: screenshot kept as %s", ppm)
            return ppm
        with Image.open(ppm) as im:
            im.save(out, "PNG")
        ppm.unlink()
        return out

    def send_key(self, qcodes: list[str], hold_time_ms: int = 50) -> None:
        """Press the keys together and release them ``hold_time_ms`` later."""
        keys = [{"type": "qcode", "data": q} for q in qcodes]
        self.execute("send-key", keys=keys, **{"hold-time": hold_time_ms})

    def key_event(self, qcode: str, down: bool) -> None:
        """Hold (``down``) or release one key via ``input-send-event``."""
        event = {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}
        self.execute("input-send-event", events=[event])

    def vnc_address(self) -> tuple[str, int] | None:
        """host and port of a TCP VNC server (``-vnc 127.0.0.1:0,to=99`` picks a free one)."""
        info = self.execute("query-vnc")
        if not info.get("enabled") or info.get("family") == "unix":
            return None
        return str(info.get("host")), int(info.get("service"))


__all__ = ["QMPClient", "QMPCommandError", "QMPError"]
