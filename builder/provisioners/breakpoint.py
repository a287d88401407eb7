"""The ``breakpoint`` provisioner: pause the build until Enter is pressed.

When standard input is not a terminal (CI, cron, a pipe) nobody can press Enter: the
breakpoint says so and the build goes on; it never hangs. The wait is cancellable.
"""

from __future__ import annotations

import os
import select
import sys
from dataclasses import dataclass
from typing import TextIO

from builder.config import BaseConfig, opt
from builder.plugins import ProvisionContext, Provisioner


@dataclass(kw_only=True)
class BreakpointConfig(BaseConfig):
    disable: bool = opt(False, help="Skip this breakpoint.")
    note: str = opt("", help="Text shown while paused.")


class BreakpointProvisioner(Provisioner[BreakpointConfig]):
    Config = BreakpointConfig
    stdin: TextIO | None = None  # tests put a pseudo-terminal here; None = sys.stdin

    def provision(self, ctx: ProvisionContext) -> None:
        if self.config.disable:
            ctx.ui.say("Breakpoint disabled, continuing...")
            return
        note = f' with note "{self.config.note}"' if self.config.note else ""
        stream = self.stdin if self.stdin is not None else sys.stdin
        if stream is None or not _isatty(stream):
            ctx.ui.say(f"Breakpoint{note}: standard input is not a terminal, not pausing.")
            return
        ctx.ui.say(f"Pausing at breakpoint{note}. Press Enter to continue.")
        fd = stream.fileno()
        while True:
            ctx.cancel.check()
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            data = os.read(fd, 1024)
            if not data or b"\n" in data or b"\r" in data:
                break
        ctx.ui.say("Continuing after the breakpoint.")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


__all__ = ["BreakpointConfig", "BreakpointProvisioner"]
