"""Cooperative cancellation: SIGINT/SIGTERM/SIGHUP set one process-wide token.

Blocking waits in pybuild use :meth:`CancelToken.wait` or :meth:`CancelToken.check`
so that a signal ends any step promptly and the step cleanups run.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

from builder.errors import Cancelled


class CancelToken:
    def __init__(self, parent: CancelToken | None = None) -> None:
        self._event = threading.Event()
        self.signal_name = ""
        self._parent = parent

    def child(self) -> CancelToken:
        """A token cancelled by its own :meth:`cancel` or by this one (e.g. one provisioner
        attempt that a timeout ends, inside a run that a signal ends)."""
        return CancelToken(self)

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.cancelled)

    def cancel(self, reason: str = "") -> None:
        if reason and not self.signal_name:
            self.signal_name = reason
        self._event.set()

    def check(self) -> None:
        if self._parent is not None:
            self._parent.check()
        if self._event.is_set():
            why = f" ({self.signal_name})" if self.signal_name else ""
            raise Cancelled(f"Build was cancelled{why}.")

    def sleep(self, seconds: float) -> None:
        """Sleep, raising Cancelled as soon as the token is cancelled."""
        if self._parent is None:
            if seconds > 0 and self._event.wait(seconds):
                self.check()
            self.check()
            return
        end = time.monotonic() + seconds
        while True:
            self.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            self._event.wait(min(left, 0.1))

    def reset(self) -> None:
        self._event.clear()
        self.signal_name = ""


TOKEN = CancelToken()


def install_signal_handlers() -> None:
    """First signal cancels cooperatively; a second SIGINT raises KeyboardInterrupt."""

    def handler(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if TOKEN.cancelled and signum == signal.SIGINT:
            raise KeyboardInterrupt
        TOKEN.cancel(name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
