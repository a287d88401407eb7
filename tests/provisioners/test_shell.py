"""The shell provisioner over a real SSH connection."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from ctxutil import provision_ctx
from sshd_server import SSHServer, SSHUser, running_sshd

from builder import secrets
from builder.communicator.none import NoneCommunicator
from builder.communicator.ssh import SSHCommunicator, connect
from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.provisioners.shell import ShellConfig, ShellProvisioner


def shell(**raw: Any) -> ShellProvisioner:
    return ShellProvisioner(parse_config(ShellConfig, raw, component='provisioner "shell"'))


def remote_dir(comm: SSHCommunicator, user: SSHUser, name: str) -> str:
    path = f"{user.home}/{name}"
    assert comm.run(f"rm -rf {path} && mkdir -p {path}") == 0
    return path


def listing(comm: SSHCommunicator, path: str) -> list[str]:
    out: list[str] = []
    comm.run(f"ls -A {path}", on_stdout=out.append)
    return out


def test_inline_streams_output_and_env(comm: SSHCommunicator, ssh_user: SSHUser, tmp_path: Path) -> None:
    folder = remote_dir(comm, ssh_user, "inline")
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(
        inline=["echo build=$PACKER_BUILD_NAME type=$PACKER_BUILDER_TYPE http=$PACKER_HTTP_ADDR",
                "echo oops >&2", "echo \"$0\""],
        remote_folder=folder,
    ).provision(ctx)
    assert cap.lines("stdout")[0] == "build=test type=qemu http=10.0.2.2:8080"
    assert cap.lines("stderr") == ["oops"]
    assert cap.lines("stdout")[1].startswith(f"{folder}/script_")
    assert "    qemu.test: build=test type=qemu http=10.0.2.2:8080" in cap.text
    assert "==> qemu.test: Provisioning with shell script: <inline>" in cap.text
    assert listing(comm, folder) == []  # cleaned up


def test_inline_shebang_and_dash_e(comm: SSHCommunicator, ssh_user: SSHUser, tmp_path: Path) -> None:
    ctx, cap = provision_ctx(comm, tmp_path)
    with pytest.raises(BuildError, match=r"non-zero exit status: 1\. Allowed exit codes are: \[0\]"):
        shell(inline=["false", "echo not reached"]).provision(ctx)
    assert "not reached" not in cap.text
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(inline=["false", "echo reached"], inline_shebang="/bin/sh").provision(ctx)
    assert cap.lines() == ["reached"]


def test_inline_with_its_own_shebang_runs_with_that_interpreter(comm: SSHCommunicator, ssh_user: SSHUser,
                                                                tmp_path: Path) -> None:
    """Packer >= 1.13: commands that start with a #! line are the script (a templatefile
    result runs as written); a set inline_shebang still comes first."""
    ctx, cap = provision_ctx(comm, tmp_path)
    with pytest.raises(BuildError, match="non-zero exit status"):
        shell(inline=["#!/bin/sh -eu", 'head -1 "$0"', "echo $UNSET_VARIABLE", "echo not reached"]).provision(ctx)
    assert cap.lines("stdout") == ["#!/bin/sh -eu"]  # its own line, no "#!/bin/sh -e" before it
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(inline=["#!/bin/sh -eu", 'head -2 "$0"'], inline_shebang="/bin/sh").provision(ctx)
    assert cap.lines("stdout") == ["#!/bin/sh", "#!/bin/sh -eu"]


def test_scripts_in_order_with_crlf(comm: SSHCommunicator, ssh_user: SSHUser, tmp_path: Path) -> None:
    a = tmp_path / "a.sh"
    a.write_bytes(b"#!/bin/sh\r\necho first\r\n")
    b = tmp_path / "b.sh"
    b.write_text("#!/bin/sh\necho second $FOO\n")
    folder = remote_dir(comm, ssh_user, "scripts")
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(scripts=[str(a), str(b)], environment_vars=["FOO=bar"], remote_folder=folder,
          remote_file="run.sh").provision(ctx)
    assert cap.lines() == ["first", "second bar"]
    assert f"Provisioning with shell script: {a}" in cap.text
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(script=str(a), skip_clean=True, remote_path=f"{folder}/kept.sh").provision(ctx)
    assert listing(comm, folder) == ["kept.sh"]


def test_dev_null_is_an_empty_script(comm: SSHCommunicator, ssh_user: SSHUser, tmp_path: Path) -> None:
    # packer-maas's default customize script; Packer only requires the path to exist
    b = tmp_path / "b.sh"
    b.write_text("echo after\n")
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(scripts=["/dev/null", str(b)]).provision(ctx)
    assert cap.lines() == ["after"]
    assert "Provisioning with shell script: /dev/null" in cap.text


def test_env_values_are_quoted_safely(comm: SSHCommunicator, tmp_path: Path) -> None:
    tricky = "it's $HOME `id` \"q\" ; rm -rf / & |"
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(
        inline=['printf "%s\\n" "$A"', 'printf "%s\\n" "$B"', 'printf "%s\\n" "$EMPTY"'],
        environment_vars=[f"A={tricky}", "EMPTY=", "B=from-list"],
        env={"B": "from-map = wins"},
    ).provision(ctx)
    assert cap.lines() == [tricky, "from-map = wins", ""]


def test_valid_exit_codes(comm: SSHCommunicator, tmp_path: Path) -> None:
    ctx, _ = provision_ctx(comm, tmp_path)
    with pytest.raises(BuildError) as info:
        shell(inline=["exit 3"]).provision(ctx)
    assert str(info.value) == "Script exited with non-zero exit status: 3. Allowed exit codes are: [0]"
    shell(inline=["exit 3"], valid_exit_codes=[0, 3]).provision(ctx)


def test_custom_execute_command_and_env_var_file(comm: SSHCommunicator, tmp_path: Path) -> None:
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(inline=["echo hi $X"], environment_vars=["X=1"],
          execute_command="{{ .Vars }} sh -eux '{{ .Path }}'").provision(ctx)
    assert "hi 1" in cap.lines("stdout")
    assert "+ echo hi 1" in cap.lines("stderr")  # sh -x trace: the template's flags were used
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(inline=["echo file $X $PACKER_BUILDER_TYPE"], environment_vars=["X=it's"],
          use_env_var_file=True).provision(ctx)
    assert cap.lines() == ["file it's qemu"]


def test_password_is_masked(comm: SSHCommunicator, tmp_path: Path) -> None:
    secrets.add("hunter2-very-secret")
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(inline=["echo pw=$PW"], env={"PW": "hunter2-very-secret"}).provision(ctx)
    assert "pw=<sensitive>" in cap.text
    assert "hunter2-very-secret" not in cap.text
    assert cap.lines() == ["pw=<sensitive>"]


def _kill_when(sshd: SSHServer, cap_events: list[dict[str, Any]], marker: str) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if any(e.get("line") == marker for e in list(cap_events)):
                sshd.kill_sessions()
                return
            time.sleep(0.05)

    t = threading.Thread(target=watch)
    t.start()
    return t


def test_expect_disconnect(comm: SSHCommunicator, sshd: SSHServer, tmp_path: Path) -> None:
    ctx, cap = provision_ctx(comm, tmp_path)
    t = _kill_when(sshd, cap.events, "rebooting")
    try:
        shell(inline=["echo rebooting", "sleep 30"], expect_disconnect=True).provision(ctx)
    finally:
        t.join()
    assert "expect_disconnect" in cap.text
    # the next provisioner finds the machine again
    ctx, cap = provision_ctx(comm, tmp_path)
    shell(inline=["echo after"]).provision(ctx)
    assert cap.lines() == ["after"]


def test_unexpected_disconnect_fails(comm: SSHCommunicator, sshd: SSHServer, tmp_path: Path) -> None:
    ctx, cap = provision_ctx(comm, tmp_path)
    t = _kill_when(sshd, cap.events, "going")
    try:
        with pytest.raises(BuildError, match=r"disconnected unexpectedly.*expect_disconnect"):
            shell(inline=["echo going", "sleep 30"]).provision(ctx)
    finally:
        t.join()


def test_start_retry_while_machine_is_down(ssh_user: SSHUser, tmp_path: Path) -> None:
    """The server goes away (a reboot) and comes back: upload/start are retried."""
    with running_sshd(ssh_user) as server:
        port = server.port
        comm = connect(server.host, port, username=ssh_user.name, private_key_pem=ssh_user.key.private_pem,
                       timeout=10, handshake_attempts=1)
    # the server is stopped now; it comes back on the same port in 2 s
    restarted: list[SSHServer] = []
    t = threading.Timer(2.0, lambda: restarted.append(SSHServer(ssh_user, port, name="again").start()))
    t.start()
    try:
        ctx, cap = provision_ctx(comm, tmp_path)
        shell(inline=["echo back up"], start_retry_timeout="30s").provision(ctx)
        assert cap.lines() == ["back up"]
        assert "Retrying" in cap.text
    finally:
        t.join()
        comm.close()
        for s in restarted:
            s.stop()


def test_pause_after(comm: SSHCommunicator, tmp_path: Path) -> None:
    ctx, _ = provision_ctx(comm, tmp_path)
    t0 = time.monotonic()
    shell(inline=["true"], pause_after="1s").provision(ctx)
    assert time.monotonic() - t0 >= 1.0


def test_none_communicator_is_an_error(tmp_path: Path) -> None:
    ctx, _ = provision_ctx(NoneCommunicator(), tmp_path)
    with pytest.raises(BuildError, match="needs a communicator"):
        shell(inline=["true"]).provision(ctx)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "Either a script file or inline script must be specified"),
        ({"inline": ["x"], "script": "y"}, "Only one of inline, script, or scripts"),
        ({"script": "/nonexistent/x.sh"}, "Bad script '/nonexistent/x.sh'"),
        ({"inline": ["x"], "environment_vars": ["NOEQUALS"]}, "not in format 'key=value': NOEQUALS"),
        ({"inline": ["x"], "valid_exit_codes": "0"}, "a list is required"),
        ({"inline": ["x"], "remote_folderr": "/x"}, 'Did you mean "remote_folder"'),
    ],
)
def test_config_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(ShellConfig, raw, component='provisioner "shell"')
    assert message in info.value.render()


def test_config_defaults() -> None:
    c = parse_config(ShellConfig, {"inline": ["x"]}, component="shell")
    assert c.effective_execute_command == "chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}"
    assert c.inline_shebang == ""  # unset: "/bin/sh -e", unless the commands bring their own #! line
    assert c.effective_remote_path.startswith("/tmp/script_") and c.effective_remote_path.endswith(".sh")
    assert c.valid_exit_codes == [0] and c.start_retry_timeout == 300
