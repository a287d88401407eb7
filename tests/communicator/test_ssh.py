"""The SSH communicator against a real OpenSSH server on 127.0.0.1."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from sshd_server import SSHServer, SSHUser, free_port, running_sshd

from builder import secrets
from builder.cancel import CancelToken
from builder.communicator.ssh import AuthenticationFailed, DisconnectedError, SSHCommunicator, connect
from builder.errors import Cancelled, CommunicatorError
from builder.ui import UI, EventSink


def test_connect_with_key_runs_command(sshd: SSHServer, ssh_user: SSHUser) -> None:
    with connect(sshd.host, sshd.port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                 timeout=20, handshake_attempts=2) as c:
        lines: list[str] = []
        assert c.run("id -un", on_stdout=lines.append) == 0
        assert lines == [ssh_user.name]


def test_connect_with_password_and_secret_masked(sshd: SSHServer, ssh_user: SSHUser) -> None:
    out = io.StringIO()
    ui = UI(out=out, events=EventSink(None)).for_build("qemu.test")
    with connect(sshd.host, sshd.port, username=ssh_user.name, password=ssh_user.password,
                 timeout=20, handshake_attempts=2, ui=ui) as c:
        # echo the password back through the UI: it must come out masked
        assert c.run(f"echo secret is {ssh_user.password}", on_stdout=ui.message) == 0
    text = out.getvalue()
    assert "Connected to SSH!" in text
    assert "secret is <sensitive>" in text
    assert ssh_user.password not in text
    assert secrets.is_secret(ssh_user.password)


def test_wrong_password_fails_after_handshake_attempts(sshd: SSHServer, ssh_user: SSHUser) -> None:
    start = time.monotonic()
    with pytest.raises(AuthenticationFailed, match=r"failed 2 times") as info:
        connect(sshd.host, sshd.port, username=ssh_user.name, password="wrong-password-xyz",
                timeout=60, handshake_attempts=2, retry_interval=0.2, auth_retry_interval=0.2)
    assert time.monotonic() - start < 30  # well before ssh_timeout
    assert "wrong-password-xyz" not in str(info.value)


def test_timeout_when_nothing_listens() -> None:
    port = free_port()
    start = time.monotonic()
    with pytest.raises(CommunicatorError, match=r"Timeout waiting for SSH.*Connection ?Refused|refused"):
        connect("127.0.0.1", port, username="x", password="y", timeout=2, handshake_attempts=3,
                retry_interval=0.2)
    assert 1.5 < time.monotonic() - start < 10


def test_waits_through_connection_refused(ssh_user: SSHUser) -> None:
    port = free_port()
    started: list[SSHServer] = []
    stop = threading.Event()

    def late_start() -> None:
        time.sleep(2.0)
        if not stop.is_set():
            from sshd_server import SSHServer as S

            started.append(S(ssh_user, port, name="late").start())

    t = threading.Thread(target=late_start)
    t.start()
    try:
        t0 = time.monotonic()
        with connect("127.0.0.1", port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                     timeout=30, handshake_attempts=1, retry_interval=0.3) as c:
            assert time.monotonic() - t0 >= 1.5
            assert c.run("true") == 0
    finally:
        stop.set()
        t.join()
        for s in started:
            s.stop()


def test_connect_is_cancellable() -> None:
    token = CancelToken()
    threading.Timer(0.5, token.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        connect("127.0.0.1", free_port(), username="x", password="y", timeout=60, cancel=token,
                retry_interval=0.2)
    assert time.monotonic() - t0 < 5


def test_run_streams_stdout_stderr_and_exit_code(comm: SSHCommunicator) -> None:
    events: list[tuple[float, str, str]] = []
    script = "echo one; sleep 1; echo err1 >&2; printf 'partial'; exit 3"
    rc = comm.run(
        script,
        on_stdout=lambda line: events.append((time.monotonic(), "out", line)),
        on_stderr=lambda line: events.append((time.monotonic(), "err", line)),
    )
    assert rc == 3
    assert [(s, line) for _, s, line in events] == [("out", "one"), ("err", "err1"), ("out", "partial")]
    # live: "one" arrived about a second before the command ended
    assert events[1][0] - events[0][0] > 0.5


def test_run_utf8_and_crlf(comm: SSHCommunicator) -> None:
    lines: list[str] = []
    assert comm.run(r"printf 'h\303\251llo\r\nworld\n'", on_stdout=lines.append) == 0
    assert lines == ["héllo", "world"]


def test_command_timeout(comm: SSHCommunicator) -> None:
    with pytest.raises(CommunicatorError, match="timed out"):
        comm.run("sleep 30", timeout=1)
    assert comm.run("true") == 0  # the connection is still usable


def test_disconnect_mid_command_raises(comm: SSHCommunicator, sshd: SSHServer) -> None:
    seen = threading.Event()

    def killer() -> None:
        seen.wait(10)
        sshd.kill_sessions()

    t = threading.Thread(target=killer)
    t.start()
    try:
        with pytest.raises(DisconnectedError):
            comm.run("echo started; sleep 30", on_stdout=lambda _line: seen.set(), timeout=20)
    finally:
        t.join()
    # the next call reconnects by itself
    assert comm.run("echo back") == 0


def test_upload_download_files(comm: SSHCommunicator, ssh_user: SSHUser, tmp_path: Path) -> None:
    remote = f"{ssh_user.home}/up.txt"
    comm.upload(b"hello bytes\n", remote, mode=0o600)
    lines: list[str] = []
    comm.run(f"stat -c %a {remote}; cat {remote}", on_stdout=lines.append)
    assert lines == ["600", "hello bytes"]
    src = tmp_path / "src.bin"
    src.write_bytes(bytes(range(256)) * 1000)
    comm.upload(src, f"{ssh_user.home}/src.bin", mode=0o755)
    dst = tmp_path / "back.bin"
    comm.download(f"{ssh_user.home}/src.bin", dst)
    assert dst.read_bytes() == src.read_bytes()
    with pytest.raises(CommunicatorError, match="no such file"):
        comm.download(f"{ssh_user.home}/missing", tmp_path / "x")
    with pytest.raises(CommunicatorError):
        comm.upload(b"x", "/root/forbidden/file")


def test_upload_download_dirs(comm: SSHCommunicator, ssh_user: SSHUser, tmp_path: Path) -> None:
    src = tmp_path / "tree"
    (src / "a" / "b").mkdir(parents=True)
    (src / "top.txt").write_text("top")
    (src / "a" / "b" / "deep.sh").write_text("#!/bin/sh\necho deep\n")
    (src / "a" / "b" / "deep.sh").chmod(0o755)
    (src / "empty").mkdir()
    remote = f"{ssh_user.home}/tree/copy"
    comm.upload_dir(src, remote)
    lines: list[str] = []
    assert comm.run(f"cd {remote} && find . | sort && ./a/b/deep.sh", on_stdout=lines.append) == 0
    assert lines == [".", "./a", "./a/b", "./a/b/deep.sh", "./empty", "./top.txt", "deep"]
    back = tmp_path / "back"
    comm.download_dir(remote, back)
    assert (back / "top.txt").read_text() == "top"
    assert (back / "a" / "b" / "deep.sh").stat().st_mode & 0o777 == 0o755
    assert (back / "empty").is_dir()
    assert comm.is_dir(remote) and not comm.is_dir(f"{remote}/top.txt")


def test_stdin_is_closed(comm: SSHCommunicator) -> None:
    # a command reading stdin must not hang
    assert comm.run("cat", timeout=10) == 0
    lines: list[str] = []
    assert comm.run("cat", stdin=b"fed\n", on_stdout=lines.append, timeout=10) == 0
    assert lines == ["fed"]


def test_second_server_same_user(ssh_user: SSHUser) -> None:
    with running_sshd(ssh_user) as server, connect(
        server.host, server.port, username=ssh_user.name, password=ssh_user.password, timeout=10,
        handshake_attempts=1,
    ) as c:
        assert c.run("exit 7") == 7


def test_connect_from_config_with_pause(sshd: SSHServer, ssh_user: SSHUser) -> None:
    from builder.communicator.config import CommConfig
    from builder.communicator.ssh import connect_from_config
    from builder.config import parse_config

    c = parse_config(CommConfig, {"ssh_username": ssh_user.name, "ssh_password": ssh_user.password,
                                  "ssh_timeout": "20s", "pause_before_connecting": "1s"}, component="t")
    t0 = time.monotonic()
    with connect_from_config(c, sshd.host, sshd.port) as comm:
        assert time.monotonic() - t0 >= 1.0
        assert comm.run("true") == 0


def test_password_never_in_logs(sshd: SSHServer, ssh_user: SSHUser, tmp_path: Path) -> None:
    """Wrong and right passwords, debug logging on: the log file never holds the password."""
    import logging

    from builder.ui import add_build_log

    log_path = tmp_path / "build.log"
    handler = add_build_log(log_path)
    logger = logging.getLogger("pybuild")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        wrong = "Wrong-Pass-" + ssh_user.password
        with pytest.raises(AuthenticationFailed) as info:
            connect(sshd.host, sshd.port, username=ssh_user.name, password=wrong, timeout=20,
                    handshake_attempts=1)
        assert wrong not in str(info.value)
        with connect(sshd.host, sshd.port, username=ssh_user.name, password=ssh_user.password, timeout=20,
                     handshake_attempts=1) as c:
            c.run(f"echo {ssh_user.password}")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()
    text = log_path.read_text()
    assert "ssh run: echo <sensitive>" in text
    assert ssh_user.password not in text and "Wrong-Pass-" not in text


def test_clear_authorized_keys(comm: SSHCommunicator, ssh_user: SSHUser) -> None:
    from builder.communicator.keys import generate_keypair
    from builder.communicator.ssh import clear_authorized_keys

    temp = generate_keypair()
    other = generate_keypair()
    ak = f"{ssh_user.home}/.ssh/authorized_keys"
    comm.run(f"mkdir -p {ssh_user.home}/.ssh")
    comm.upload(f"{other.public_openssh}\n{temp.public_openssh}\n".encode(), ak, 0o600)
    assert clear_authorized_keys(comm, temp.public_openssh)
    lines: list[str] = []
    comm.run(f"cat {ak}", on_stdout=lines.append)
    assert lines == [other.public_openssh]


def test_auth_failures_tolerated_until_key_accepted(sshd: SSHServer, ssh_user: SSHUser) -> None:
    """Like an installer's sshd that refuses us until the installed system boots."""
    from builder.communicator.keys import generate_keypair

    late_key = generate_keypair()
    ak = ssh_user.workdir / "authorized_keys"
    original = ak.read_text()

    def authorize() -> None:
        ak.write_text(original + late_key.public_openssh + "\n")

    timer = threading.Timer(1.5, authorize)
    timer.start()
    try:
        t0 = time.monotonic()
        with connect(sshd.host, sshd.port, username=ssh_user.name, private_key_pem=late_key.private_pem,
                     timeout=30, handshake_attempts=30, auth_retry_interval=0.3) as c:
            assert time.monotonic() - t0 >= 1.0
            assert c.run("true") == 0
    finally:
        timer.join()
        ak.write_text(original)


def test_pty_and_cancel_during_command(sshd: SSHServer, ssh_user: SSHUser) -> None:
    token = CancelToken()
    with connect(sshd.host, sshd.port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                 timeout=20, pty=True, cancel=token) as c:
        lines: list[str] = []
        assert c.run("tty", on_stdout=lines.append) == 0
        assert lines[0].startswith("/dev/pts/")
        threading.Timer(0.5, token.cancel).start()
        t0 = time.monotonic()
        with pytest.raises(Cancelled):
            c.run("sleep 30")
        assert time.monotonic() - t0 < 5


def test_large_output(comm: SSHCommunicator) -> None:
    lines: list[str] = []
    t0 = time.monotonic()
    assert comm.run("seq 1 200000", on_stdout=lines.append) == 0
    assert len(lines) == 200000 and lines[0] == "1" and lines[-1] == "200000"
    assert time.monotonic() - t0 < 20


def test_global_token_cancels_even_with_a_private_token(sshd: SSHServer, ssh_user: SSHUser) -> None:
    """The connect step passes a private token; Ctrl-C (the global TOKEN) must still stop commands."""
    from builder.cancel import TOKEN

    with connect(sshd.host, sshd.port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                 timeout=20, cancel=CancelToken()) as c:
        timer = threading.Timer(0.5, TOKEN.cancel)
        timer.start()
        try:
            t0 = time.monotonic()
            with pytest.raises(Cancelled):
                c.run("sleep 30")
            assert time.monotonic() - t0 < 5
        finally:
            timer.join()
            TOKEN.reset()


def test_silent_vanish_is_noticed_by_keepalive(sshd: SSHServer, ssh_user: SSHUser) -> None:
    """A rebooted guest behind SLiRP: no FIN ever arrives; the keep-alive must find out."""
    from sshd_server import VanishingProxy

    proxy = VanishingProxy(sshd.port)
    try:
        c = connect("127.0.0.1", proxy.port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                    timeout=20, keepalive=1)
        started = threading.Event()
        threading.Thread(target=lambda: started.wait(10) and proxy.vanish(), daemon=True).start()
        t0 = time.monotonic()
        with pytest.raises(DisconnectedError):
            c.run("echo started; sleep 60", on_stdout=lambda _l: started.set(), timeout=30)
        assert time.monotonic() - t0 < 10
        c.close()
    finally:
        proxy.close()
