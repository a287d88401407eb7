"""Fixtures: a real OpenSSH server (session-wide) and a connected communicator (per test)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sshd_server import comm, ssh_user, sshd  # noqa: F401
