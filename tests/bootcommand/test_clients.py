"""Client error paths that need no VM: clear errors, bounded waits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from builder.bootcommand.vnc import RFBClient, VNCError, vnc_auth_response
from builder.qemu.qmp import QMPClient, QMPError
from builder.qemu.serial import SerialConsole, SerialError


def test_qmp_missing_socket_times_out(tmp_path: Path) -> None:
    t0 = time.monotonic()
    with pytest.raises(QMPError, match="cannot connect to QMP socket"):
        QMPClient(tmp_path / "nope.sock").connect(timeout=0.3)
    assert time.monotonic() - t0 < 3


@contextmanager
def _one_shot_peer(path: str, greeting: bytes) -> Iterator[None]:
    """A unix socket at ``path`` whose one peer says ``greeting`` and hangs up."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def serve() -> None:
        conn, _ = srv.accept()
        conn.sendall(greeting)
        time.sleep(0.2)
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield
    finally:
        t.join(2)
        srv.close()


def test_qmp_rejects_a_non_qmp_peer(tmp_path: Path) -> None:
    path = str(tmp_path / "fake.sock")
    with _one_shot_peer(path, b'{"hello": 1}\n'), pytest.raises(QMPError, match="unexpected QMP greeting"):
        QMPClient(path).connect(timeout=2)


def test_vnc_refuses_non_rfb_server(tmp_path: Path) -> None:
    path = str(tmp_path / "fake.sock")
    with _one_shot_peer(path, b"SSH-2.0-OpenSSH\r\n"), pytest.raises(VNCError, match="is not a VNC server"):
        RFBClient(unix_path=path).connect(timeout=2)


def test_vnc_connection_refused_is_a_vnc_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        with pytest.raises(VNCError, match="cannot connect to VNC"):
            RFBClient("127.0.0.1", port).connect(timeout=0.3)


def test_vnc_auth_response_is_des_with_bit_reversed_key() -> None:
    challenge = bytes(range(16))
    a = vnc_auth_response("password", challenge)
    assert len(a) == 16 and a != challenge
    # only the first 8 characters count, like every VNC server
    assert vnc_auth_response("password-and-more", challenge) == a
    assert vnc_auth_response("passwore", challenge) != a


def test_serial_console_read_only_and_missing_socket(tmp_path: Path) -> None:
    log = tmp_path / "serial.log"
    con = SerialConsole(None, log)
    assert con.mark() == 0 and con.read_since(0) == ""
    with pytest.raises(SerialError, match="read-only"):
        con.connect()
    log.write_bytes(b"hello\r\nlogin: ")
    assert con.wait_for("login:", timeout=1, offset=0) == "login:"
    assert con.mark() == 14 and con.read_since(7) == "login: "
    with pytest.raises(SerialError, match="cannot connect"):
        SerialConsole(tmp_path / "none.sock", log).connect(timeout=0.2)


def test_des_known_answer() -> None:
    from builder.bootcommand.vnc import _des_encrypt

    # FIPS 81 / classic DES example: key 0123456789ABCDEF, "Now is t" -> 3FA40E8A984D4815
    out = _des_encrypt(bytes.fromhex("0123456789ABCDEF"), b"Now is t")
    assert out.hex().upper() == "3FA40E8A984D4815"


def test_serial_wait_for_follows_a_growing_log(tmp_path: Path) -> None:
    import re

    log = tmp_path / "serial.log"
    log.write_bytes(b"old boot: output\n")
    con = SerialConsole(None, log)
    start = con.mark()

    def writer() -> None:
        for chunk in (b"Loading ", b"linux... ok\r\nbo", b"ot", "é: ".encode()):
            time.sleep(0.1)
            with open(log, "ab") as f:
                f.write(chunk)

    t = threading.Thread(target=writer)
    t.start()
    try:
        # a match split over two writes, found only after the offset (not the old "boot:")
        assert con.wait_for("booté:", timeout=5, offset=start) == "booté:"
        assert con.wait_for(re.compile(r"linux\.\.\. (\w+)"), timeout=1, offset=start) == "linux... ok"
    finally:
        t.join()
