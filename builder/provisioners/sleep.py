"""Packer's ``sleep`` provisioner: wait ``duration`` (a Go duration: "30s", "1m30s"),
as a step between others. The wait ends early, with the build, on cancellation."""

from __future__ import annotations

from dataclasses import dataclass

from builder.config import BaseConfig, Duration, opt
from builder.plugins import ProvisionContext, Provisioner


@dataclass(kw_only=True)
class SleepConfig(BaseConfig):
    duration: Duration = opt(Duration(0), help='How long to wait, e.g. "10s" or "1m30s".')

    def validate(self) -> list[str]:
        if self.duration < 0:
            return ["duration: must not be negative"]
        return []


class SleepProvisioner(Provisioner[SleepConfig]):
    Config = SleepConfig

    def provision(self, ctx: ProvisionContext) -> None:
        secs = float(self.config.duration)
        if secs <= 0:
            return
        ctx.ui.say(f"Sleeping for {secs:g}s")
        ctx.cancel.sleep(secs)


__all__ = ["SleepConfig", "SleepProvisioner"]
