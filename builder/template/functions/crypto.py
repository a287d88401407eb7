"""Hashes, ``bcrypt``, ``rsadecrypt`` and UUIDs."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from builder.template.functions.values import FunctionError, arg_int, arg_str


def _bcrypt(s: Any, *cost: Any) -> str:
    import bcrypt as _bc

    if len(cost) > 1:
        raise FunctionError("bcrypt() takes at most two arguments")
    rounds = arg_int(cost[0], "cost") if cost else 10
    if rounds < 4 or rounds > 31:
        raise FunctionError(
            f"error occurred generating password crypto/bcrypt: cost {rounds} is outside allowed range (4,31)"
        )
    data = arg_str(s, "str").encode()
    if len(data) > 72:
        raise FunctionError("error occurred generating password: password length exceeds 72 bytes")
    return _bc.hashpw(data, _bc.gensalt(rounds=rounds, prefix=b"2a")).decode()


def _hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        return hashlib.new(algo, arg_str(s, "str").encode()).hexdigest()

    fn.__name__ = algo
    return fn


def _rsadecrypt(ciphertext: Any, privatekey: Any) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        raw = base64.b64decode(arg_str(ciphertext, "ciphertext"), validate=True)
    except ValueError:
        raise FunctionError("failed to decode input: illegal base64 data") from None
    try:
        key = serialization.load_pem_private_key(arg_str(privatekey, "privatekey").encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise FunctionError(f"failed to parse key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise FunctionError("failed to parse key: not an RSA private key")
    try:
        return key.decrypt(raw, padding.PKCS1v15()).decode()
    except ValueError:
        raise FunctionError("failed to decrypt: crypto/rsa: decryption error") from None


def _uuidv4() -> str:
    return str(uuid.uuid4())


_UUID_NS = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}


def _uuidv5(namespace: Any, name: Any) -> str:
    ns = arg_str(namespace, "namespace")
    if ns in _UUID_NS:
        space = _UUID_NS[ns]
    else:
        try:
            space = uuid.UUID(ns)
        except ValueError:
            raise FunctionError(f"uuidv5() doesn't support namespace {ns} (invalid UUID length)") from None
    return str(uuid.uuid5(space, arg_str(name, "name")))


TABLE: dict[str, Callable[..., Any]] = {
    "bcrypt": _bcrypt,
    "md5": _hash("md5"),
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
    "rsadecrypt": _rsadecrypt,
    "uuidv4": _uuidv4,
    "uuidv5": _uuidv5,
}
