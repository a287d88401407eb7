"""CommConfig (Packer's communicator options) and temporary key pairs."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import paramiko
import pytest

from builder import secrets
from builder.communicator.config import CommConfig
from builder.communicator.keys import (
    generate_keypair,
    load_private_key,
    read_private_key_file,
    write_private_key,
)
from builder.communicator.none import NoneCommunicator
from builder.config import parse_config
from builder.errors import CommunicatorError, ConfigError


def cfg(**raw: Any) -> CommConfig:
    return parse_config(CommConfig, raw, component='source "qemu" "x"')


def errors_of(**raw: Any) -> str:
    with pytest.raises(ConfigError) as info:
        cfg(**raw)
    return info.value.render()


def test_defaults() -> None:
    c = cfg(ssh_username="root")
    assert c.communicator == "ssh" and c.ssh_port == 22
    assert c.effective_ssh_timeout == 300 and c.effective_handshake_attempts == 10
    assert c.host_port_min == 2222 and c.host_port_max == 4444
    assert c.ssh_keep_alive_interval == 5 and c.ssh_file_transfer_method == "scp"
    assert c.temporary_key_pair_type == "ed25519"


def test_timeout_rules() -> None:
    assert cfg(ssh_username="u", ssh_timeout="20m").effective_ssh_timeout == 1200
    assert cfg(ssh_username="u", ssh_timeout="20m").effective_handshake_attempts == 10
    # only handshake attempts set: no time limit (Packer sets the 5m default only when both are unset)
    only_attempts = cfg(ssh_username="u", ssh_handshake_attempts=50)
    assert only_attempts.effective_ssh_timeout == 0 and only_attempts.effective_handshake_attempts == 50
    # the old name wins
    assert cfg(ssh_username="u", ssh_timeout="1m", ssh_wait_timeout="2h").effective_ssh_timeout == 7200


def test_deprecated_port_aliases() -> None:
    c = cfg(ssh_username="u", ssh_host_port_min=3000, ssh_host_port_max=3001)
    assert (c.host_port_min, c.host_port_max) == (3000, 3001)


def test_password_registered_as_secret() -> None:
    cfg(ssh_username="u", ssh_password="s3cret-from-template")
    assert secrets.mask("pw s3cret-from-template") == "pw <sensitive>"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "An ssh_username must be specified"),
        ({"communicator": "winrm"}, '"winrm" is not supported'),
        ({"communicator": "telnet"}, 'unknown communicator "telnet"'),
        ({"ssh_username": "u", "host_port_min": 5000, "host_port_max": 4000}, "host_port_min: must be less"),
        ({"ssh_username": "u", "ssh_bastion_host": "jump"}, "ssh_bastion_host: this option is not supported"),
        ({"ssh_username": "u", "ssh_proxy_host": "p"}, "ssh_proxy_host: this option is not supported"),
        ({"ssh_username": "u", "ssh_private_key_file": "/nonexistent/key"}, "file not found"),
        ({"ssh_username": "u", "ssh_file_transfer_method": "rsync"}, "is not one of"),
        ({"ssh_username": "u", "ssh_timeout": "5 minutes"}, 'unknown unit " minutes" in duration "5 minutes"'),  # Go's message
        ({"ssh_username": "u", "temporary_key_pair_type": "rsa", "temporary_key_pair_bits": 1024}, "2048"),
        ({"ssh_username": "u", "temporary_key_pair_type": "dsa"}, "dsa"),
        ({"ssh_username": "u", "ssh_usrname": "x"}, 'Did you mean "ssh_username"'),
    ],
)
def test_validation(raw: dict[str, Any], message: str) -> None:
    assert message in errors_of(**raw)


def test_communicator_none_needs_no_username() -> None:
    assert cfg(communicator="none").uses_ssh is False


def test_key_file_must_parse(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n")
    assert "cannot parse SSH private key" in errors_of(ssh_username="u", ssh_private_key_file=str(bad))
    good = tmp_path / "good"
    write_private_key(generate_keypair().private_pem, good)
    assert cfg(ssh_username="u", ssh_private_key_file=str(good)).ssh_private_key_file == str(good)


@pytest.mark.parametrize(("kind", "bits", "prefix"), [("ed25519", 0, "ssh-ed25519 "), ("rsa", 2048, "ssh-rsa "),
                                                     ("ecdsa", 256, "ecdsa-sha2-nistp256 ")])
def test_generate_keypair(kind: str, bits: int, prefix: str, tmp_path: Path) -> None:
    pair = generate_keypair(kind, bits)
    assert pair.public_openssh.startswith(prefix) and pair.public_openssh.endswith(" pybuild")
    key = load_private_key(pair.private_pem)
    assert f"{key.get_name()} {key.get_base64()}" == pair.public_openssh.rsplit(" ", 1)[0]
    assert secrets.is_secret(pair.private_pem.strip("\n"))
    assert "PRIVATE" not in repr(pair)
    path = write_private_key(pair.private_pem, tmp_path / "id")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _, again = read_private_key_file(path)
    assert again.public_openssh == pair.public_openssh.rsplit(" ", 1)[0]
    # OpenSSH's own tool accepts the file
    assert isinstance(paramiko.PKey.from_path(path), paramiko.PKey)


def test_default_rsa_is_4096() -> None:
    key = load_private_key(generate_keypair("rsa").private_pem)
    assert key.get_bits() == 4096


def test_bad_key_type() -> None:
    with pytest.raises(ValueError, match="unsupported key type"):
        generate_keypair("dsa")


def test_none_communicator_refuses_everything(tmp_path: Path) -> None:
    c = NoneCommunicator()
    with pytest.raises(CommunicatorError, match='communicator = "none"'):
        c.run("true")
    with pytest.raises(CommunicatorError):
        c.upload(b"x", "/tmp/x")
    with pytest.raises(CommunicatorError):
        c.download("/tmp/x", tmp_path / "x")
    c.close()
