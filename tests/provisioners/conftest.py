"""Provisioner tests share the real-sshd fixtures of tests/communicator."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "communicator"))

from sshd_server import comm, ssh_user, sshd  # noqa: F401
