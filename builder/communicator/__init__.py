"""Communicators: how pybuild reaches a running machine (``ssh``, ``none``).

- :mod:`.config` — :class:`CommConfig`, the communicator options a builder inherits
- :mod:`.keys` — temporary key pairs
- :mod:`.ssh` — :func:`connect` (waits for SSH) and :class:`SSHCommunicator`
- :mod:`.none` — :class:`NoneCommunicator`
"""

from __future__ import annotations

from builder.communicator.config import CommConfig
from builder.communicator.keys import KeyPair, generate_keypair, write_private_key
from builder.communicator.none import NoneCommunicator
from builder.communicator.ssh import DisconnectedError, SSHCommunicator, connect, connect_from_config

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
