"""The communicator options of a builder (Packer's names, types and defaults).

A builder's ``Config`` inherits :class:`CommConfig` and calls ``super().validate()``::

    @dataclass(kw_only=True)
    class QemuConfig(CommConfig, ...):
        ...
        def validate(self) -> list[str]:
            errors = super().validate()
            ...

Rules that differ from a plain default:

- ``ssh_timeout`` defaults to 5m and ``ssh_handshake_attempts`` to 10 only when *neither*
  is set; with only ``ssh_handshake_attempts`` set, there is no time limit (0).
- ``ssh_wait_timeout`` is the old name of ``ssh_timeout`` and wins over it.
- ``ssh_host_port_min``/``ssh_host_port_max`` are deprecated names of ``host_port_*``.
- ``temporary_key_pair_type``: pybuild generates ed25519 by default (fast); ``rsa``
  (4096 bits, Packer's default) and ``ecdsa`` are accepted.
- ``ssh_file_transfer_method``: both values are accepted; transfers always use SFTP
  (the guest sshd's ``sftp`` subsystem, present in every OpenSSH package), which
  behaves the same for files and directories.
- bastion/proxy/tunnel/certificate options are recognised so templates parse, but setting
  them is an error: pybuild does not implement them.
- ``winrm_*`` options are accepted and ignored, as Packer ignores them when the communicator
  is not winrm (chef/bento sets them on every source); the winrm communicator itself is an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from builder import secrets
from builder.communicator.keys import DEFAULT_BITS, KEY_TYPES
from builder.config import BaseConfig, Duration, opt
from builder.errors import CommunicatorError

# options pybuild recognises but does not implement; setting any of them is an error
UNSUPPORTED_SSH_OPTIONS = (
    "ssh_bastion_host", "ssh_bastion_port", "ssh_bastion_agent_auth", "ssh_bastion_username",
    "ssh_bastion_password", "ssh_bastion_interactive", "ssh_bastion_private_key_file",
    "ssh_bastion_certificate_file", "ssh_proxy_host", "ssh_proxy_port", "ssh_proxy_username",
    "ssh_proxy_password", "ssh_local_tunnels", "ssh_remote_tunnels", "ssh_certificate_file",
    "ssh_ciphers", "ssh_key_exchange_algorithms", "ssh_keypair_name", "ssh_interface",
    "ssh_ip_version",
)

DEFAULT_SSH_TIMEOUT = 300.0
DEFAULT_HANDSHAKE_ATTEMPTS = 10


@dataclass(kw_only=True)
class CommConfig(BaseConfig):
    communicator: str = opt("ssh", help='How to reach the machine: "ssh" or "none" (winrm is not supported).')
    pause_before_connecting: Duration = opt(
        Duration(0), help="Wait this long after the first successful connection, then reconnect."
    )
    ssh_host: str = opt("", help="Address to connect to; empty = the builder decides (127.0.0.1 for QEMU).")
    ssh_port: int = opt(22, help="The guest's SSH port (QEMU forwards a host port to it).")
    ssh_username: str = opt("", help="User to log in as. Required for the ssh communicator.")
    ssh_password: str = opt("", help="Password for ssh_username.", sensitive=True)
    ssh_private_key_file: str = opt(
        "", help="Private key to log in with (~ expanded). Without it pybuild makes a temporary key pair."
    )
    ssh_timeout: Duration | None = opt(
        None, help='How long to wait for SSH to come up (default "5m" unless ssh_handshake_attempts is set).'
    )
    ssh_wait_timeout: Duration | None = opt(None, help="Deprecated name of ssh_timeout (wins if both set).")
    ssh_handshake_attempts: int | None = opt(
        None, help="Auth failures tolerated while waiting (default 10); connection errors do not."
    )
    ssh_pty: bool = opt(False, help="Request a pseudo-terminal for commands.")
    ssh_keep_alive_interval: Duration = opt(
        Duration(5), help="Send a keep-alive this often; negative disables."
    )
    ssh_read_write_timeout: Duration = opt(
        Duration(0), help="Fail a command when no data moves for this long (0 = never)."
    )
    ssh_file_transfer_method: str = opt(
        "scp", choices=("scp", "sftp"), help="Accepted for compatibility; pybuild transfers files over SFTP."
    )
    ssh_clear_authorized_keys: bool = opt(
        False, help="Remove the temporary public key from authorized_keys at the end of provisioning."
    )
    ssh_agent_auth: bool = opt(False, help="Also offer the keys of the local ssh-agent.")
    ssh_disable_agent_forwarding: bool = opt(False, help="Do not forward the local ssh-agent.")
    temporary_key_pair_type: str = opt(
        "ed25519", choices=(*KEY_TYPES, "dsa"), help='"ed25519" (default), "rsa" or "ecdsa".'
    )
    temporary_key_pair_bits: int = opt(0, help="Key size; 0 = 4096 for rsa, 521 for ecdsa.")
    host_port_min: int = opt(2222, aliases=("ssh_host_port_min",), help="Lowest host port to forward.")
    host_port_max: int = opt(4444, aliases=("ssh_host_port_max",), help="Highest host port to forward.")
    skip_nat_mapping: bool = opt(False, help="Connect to ssh_host:ssh_port directly, without a port forward.")
    # recognised, not implemented (an error when set)
    ssh_bastion_host: str = opt("", help="Not supported by pybuild.")
    ssh_bastion_port: int = opt(22, help="Not supported by pybuild.")
    ssh_bastion_agent_auth: bool = opt(False, help="Not supported by pybuild.")
    ssh_bastion_username: str = opt("", help="Not supported by pybuild.")
    ssh_bastion_password: str = opt("", help="Not supported by pybuild.", sensitive=True)
    ssh_bastion_interactive: bool = opt(False, help="Not supported by pybuild.")
    ssh_bastion_private_key_file: str = opt("", help="Not supported by pybuild.")
    ssh_bastion_certificate_file: str = opt("", help="Not supported by pybuild.")
    ssh_proxy_host: str = opt("", help="Not supported by pybuild.")
    ssh_proxy_port: int = opt(1080, help="Not supported by pybuild.")
    ssh_proxy_username: str = opt("", help="Not supported by pybuild.")
    ssh_proxy_password: str = opt("", help="Not supported by pybuild.", sensitive=True)
    ssh_local_tunnels: list[str] = opt([], help="Not supported by pybuild.")
    ssh_remote_tunnels: list[str] = opt([], help="Not supported by pybuild.")
    ssh_certificate_file: str = opt("", help="Not supported by pybuild.")
    ssh_ciphers: list[str] = opt([], help="Not supported by pybuild (paramiko's defaults are used).")
    ssh_key_exchange_algorithms: list[str] = opt([], help="Not supported by pybuild.")
    ssh_keypair_name: str = opt("", help="Cloud builders only; not supported by pybuild.")
    ssh_interface: str = opt("", help="Cloud builders only; not supported by pybuild.")
    ssh_ip_version: str = opt("", help="Cloud builders only; not supported by pybuild.")
    # the winrm communicator's options: accepted and ignored (pybuild has no winrm)
    winrm_username: str = opt("", help="Ignored (winrm is not supported).")
    winrm_password: str = opt("", help="Ignored (winrm is not supported).", sensitive=True)
    winrm_host: str = opt("", help="Ignored (winrm is not supported).")
    winrm_no_proxy: bool = opt(False, help="Ignored (winrm is not supported).")
    winrm_port: int = opt(0, help="Ignored (winrm is not supported).")
    winrm_timeout: Duration = opt(Duration(0), help="Ignored (winrm is not supported).")
    winrm_use_ssl: bool = opt(False, help="Ignored (winrm is not supported).")
    winrm_insecure: bool = opt(False, help="Ignored (winrm is not supported).")
    winrm_use_ntlm: bool = opt(False, help="Ignored (winrm is not supported).")

    def __post_init__(self) -> None:
        secrets.add(self.ssh_password, self.ssh_bastion_password, self.ssh_proxy_password, self.winrm_password,
                    from_template=True)

    # ------------------------------------------------------------------ derived values

    @property
    def effective_ssh_timeout(self) -> float:
        """Seconds to wait for SSH (0 = no time limit)."""
        if self.ssh_wait_timeout is not None:
            return float(self.ssh_wait_timeout)
        if self.ssh_timeout is not None:
            return float(self.ssh_timeout)
        if self.ssh_handshake_attempts is not None:
            return 0.0
        return DEFAULT_SSH_TIMEOUT

    @property
    def effective_handshake_attempts(self) -> int:
        if self.ssh_handshake_attempts:
            return self.ssh_handshake_attempts
        return DEFAULT_HANDSHAKE_ATTEMPTS

    @property
    def effective_key_bits(self) -> int:
        return self.temporary_key_pair_bits or DEFAULT_BITS.get(self.temporary_key_pair_type, 0)

    @property
    def uses_ssh(self) -> bool:
        return self.communicator == "ssh"

    # ------------------------------------------------------------------ validation

    def validate(self) -> list[str]:
        errors = super().validate()
        errors.extend(self.validate_communicator())
        return errors

    def validate_communicator(self) -> list[str]:
        errors: list[str] = []
        if self.communicator == "winrm":
            errors.append('communicator: "winrm" is not supported: Windows guests are not supported yet '
                          '(use "ssh" or "none")')
            return errors
        if self.communicator not in ("ssh", "none"):
            errors.append(f'communicator: unknown communicator "{self.communicator}" (use "ssh" or "none")')
            return errors
        for name in UNSUPPORTED_SSH_OPTIONS:
            value = getattr(self, name)
            default = type(self).__dataclass_fields__[name].default
            if value and value != default:
                errors.append(f"{name}: this option is not supported by pybuild")
        if self.host_port_min < 0:
            errors.append("host_port_min: must be 0 or more")
        if self.host_port_max > 65535:
            errors.append("host_port_max: must be 65535 or less")
        if self.host_port_min > self.host_port_max:
            errors.append("host_port_min: must be less than or equal to host_port_max")
        if self.pause_before_connecting < 0:
            errors.append("pause_before_connecting: must not be negative")
        if not self.uses_ssh:
            return errors
        if not self.ssh_username:
            errors.append("ssh_username: An ssh_username must be specified")
        if not 0 < self.ssh_port < 65536:
            errors.append(f"ssh_port: {self.ssh_port} is not a valid port")
        for name in ("ssh_timeout", "ssh_wait_timeout"):
            v = getattr(self, name)
            if v is not None and v < 0:
                errors.append(f"{name}: must not be negative")
        if self.ssh_handshake_attempts is not None and self.ssh_handshake_attempts < 0:
            errors.append("ssh_handshake_attempts: must not be negative")
        if self.ssh_read_write_timeout < 0:
            errors.append("ssh_read_write_timeout: must not be negative")
        if self.temporary_key_pair_type == "dsa":
            errors.append('temporary_key_pair_type: "dsa" keys are refused by modern OpenSSH; use "ed25519"')
        elif self.temporary_key_pair_bits:
            kind, bits = self.temporary_key_pair_type, self.temporary_key_pair_bits
            if kind == "rsa" and bits < 2048:
                errors.append("temporary_key_pair_bits: RSA keys need at least 2048 bits")
            if kind == "ecdsa" and bits not in (256, 384, 521):
                errors.append("temporary_key_pair_bits: ECDSA keys are 256, 384 or 521 bits")
            if kind == "ed25519" and bits != 256:
                errors.append("temporary_key_pair_bits: ed25519 keys have a fixed size (256)")
        if self.ssh_private_key_file:
            errors.extend(self._check_key_file())
        return errors

    def _check_key_file(self) -> list[str]:
        from builder.communicator.keys import read_private_key_file

        path = Path(os.path.expanduser(self.ssh_private_key_file))
        if not path.is_file():
            return [f"ssh_private_key_file: file not found: {path}"]
        try:
            read_private_key_file(path)
        except CommunicatorError as e:
            return [f"ssh_private_key_file: {path}: {e}"]
        return []


__all__ = ["DEFAULT_HANDSHAKE_ATTEMPTS", "DEFAULT_SSH_TIMEOUT", "UNSUPPORTED_SSH_OPTIONS", "CommConfig"]
