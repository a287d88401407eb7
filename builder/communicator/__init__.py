"""Communicators: how pybuild reaches a running machine (``ssh``, ``none``).

- :mod:`.config` — :class:`CommConfig`, the communicator options a builder inherits
- :mod:`.keys` — temporary key pairs
- :mod:`.ssh` — :func:`connect` (waits for SSH) and :class:`SSHCommunicator`
- :mod:`.none` — :class:`NoneCommunicator`
"""

from __future__ import annotations

import importlib
from typing import Any

# resolved on first use: the SSH side pulls in paramiko, which a build only needs once
# QEMU is running (start-up time matters to every build)
_WHERE = {
    "CommConfig": "config",
    "KeyPair": "keys",
    "generate_keypair": "keys",
    "write_private_key": "keys",
    "NoneCommunicator": "none",
    "DisconnectedError": "ssh",
    "SSHCommunicator": "ssh",
    "connect": "ssh",
    "connect_from_config": "ssh",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


__all__ = [
    "CommConfig",
    "DisconnectedError",
    "KeyPair",
    "NoneCommunicator",
    "SSHCommunicator",
    "connect",
    "connect_from_config",
    "generate_keypair",
    "write_private_key",
]
