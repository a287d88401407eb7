"""Temporary SSH key pairs: generate, load, write with mode 0600.

Every private key that passes through here is registered with :mod:`builder.secrets`
so it is masked in all output. ``temporary_key_pair_type`` accepts Packer's names;
pybuild's default is ed25519 (instant to generate, accepted by every OpenSSH ≥ 6.5),
while ``rsa`` gives Packer's exact behaviour (4096 bits unless
``temporary_key_pair_bits`` says otherwise).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from builder import secrets
from builder.errors import CommunicatorError

if TYPE_CHECKING:
    import paramiko

KEY_TYPES = ("ed25519", "rsa", "ecdsa")
DEFAULT_BITS = {"rsa": 4096, "ecdsa": 521, "ed25519": 256}
_CURVES: dict[int, ec.EllipticCurve] = {256: ec.SECP256R1(), 384: ec.SECP384R1(), 521: ec.SECP521R1()}


@dataclass(frozen=True)
class KeyPair:
    private_pem: str  # OpenSSH private key format ("-----BEGIN OPENSSH PRIVATE KEY-----")
    public_openssh: str  # "ssh-ed25519 AAAA... comment"

    def __repr__(self) -> str:  # never print the private half
        return f"KeyPair(public_openssh={self.public_openssh!r})"


def generate_keypair(kind: str = "ed25519", bits: int = 0, comment: str = "pybuild") -> KeyPair:
    """A new key pair; ``bits`` 0 means the type's default (rsa 4096, ecdsa 521)."""
    kind = kind.lower()
    bits = bits or DEFAULT_BITS.get(kind, 0)
    key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    elif kind == "rsa":
        if bits < 2048:
            raise ValueError(f"temporary_key_pair_bits: RSA keys need at least 2048 bits, got {bits}")
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    elif kind == "ecdsa":
        if bits not in _CURVES:
            raise ValueError(f"temporary_key_pair_bits: ECDSA supports 256, 384 or 521 bits, got {bits}")
        key = ec.generate_private_key(_CURVES[bits])
    else:
        raise ValueError(f"temporary_key_pair_type: unsupported key type {kind!r} (use one of {KEY_TYPES})")
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    secrets.add(private_pem)
    return KeyPair(private_pem, f"{public} {comment}".strip())


def load_private_key(pem: str, password: str | None = None) -> paramiko.PKey:
    """Parse a private key of any type paramiko knows (OpenSSH or PEM format)."""
    import paramiko  # not at module load: see builder.communicator

    errors = []
    for cls in (paramiko.Ed25519Key, paramiko.RSAKey, paramiko.ECDSAKey):
        try:
            return cls.from_private_key(io.StringIO(pem), password=password)
        except paramiko.PasswordRequiredException:
            raise CommunicatorError("the SSH private key is encrypted; pybuild needs an unencrypted key")
        except (paramiko.SSHException, ValueError) as e:
            errors.append(f"{cls.__name__}: {e}")
    raise CommunicatorError("cannot parse SSH private key (" + "; ".join(errors) + ")")


def read_private_key_file(path: str | os.PathLike[str]) -> tuple[str, KeyPair]:
    """Read ``ssh_private_key_file`` (``~`` expanded); returns (text, pair with its public key)."""
    p = Path(os.path.expanduser(os.fspath(path)))
    try:
        text = p.read_text()
    except OSError as e:
        raise CommunicatorError(f"cannot read SSH private key file {p}: {e.strerror}") from None
    secrets.add(text)
    key = load_private_key(text)
    return text, KeyPair(text, f"{key.get_name()} {key.get_base64()}")


def keypair_from_text(private: str, public: str = "") -> KeyPair:
    """A key pair from a private key's text; the public half is derived unless given."""
    secrets.add(private)
    if not public:
        key = load_private_key(private)
        public = f"{key.get_name()} {key.get_base64()}"
    return KeyPair(private, public.strip())


def write_private_key(pem: str, path: str | os.PathLike[str]) -> Path:
    """Write a private key file readable only by its owner (created 0600, never wider)."""
    p = Path(path)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem.encode())
    finally:
        os.close(fd)
    return p


__all__ = ["KEY_TYPES", "KeyPair", "generate_keypair", "keypair_from_text", "load_private_key", "read_private_key_file",
           "write_private_key"]
