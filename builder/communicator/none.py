"""``communicator = "none"``: no connection to the machine.

The build waits for the machine to power itself off (install-and-poweroff pattern);
provisioners that need the machine fail with a clear message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.errors import CommunicatorError

_WHY = 'the build uses communicator = "none", so there is no connection to the machine'


class NoneCommunicator:
    """Implements :class:`builder.plugins.Communicator` by refusing every operation."""

    def run(
        self,
        command: str,
        *,
        on_stdout: Callable[[str], None] | None = None,
        on_stderr: Callable[[str], None] | None = None,
        timeout: float | None = None,
    ) -> int:
        raise CommunicatorError(f"cannot run a command: {_WHY}")

    def upload(self, source: Path | bytes, remote_path: str, mode: int = 0o644) -> None:
        raise CommunicatorError(f"cannot upload {remote_path}: {_WHY}")

    def upload_dir(self, local_dir: Path, remote_dir: str) -> None:
        raise CommunicatorError(f"cannot upload {local_dir}: {_WHY}")

    def download(self, remote_path: str, local_path: Path) -> None:
        raise CommunicatorError(f"cannot download {remote_path}: {_WHY}")

    def download_dir(self, remote_dir: str, local_dir: Path) -> None:
        raise CommunicatorError(f"cannot download {remote_dir}: {_WHY}")

    def close(self) -> None:
        pass


__all__ = ["NoneCommunicator"]
