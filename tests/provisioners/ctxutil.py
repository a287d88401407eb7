"""A real UI capturing its output and events, and contexts built around it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.plugins import Communicator, PostProcessContext, ProvisionContext
from builder.ui import UI, EventSink


@dataclass
class Captured:
    out: io.StringIO = field(default_factory=io.StringIO)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.out.getvalue()

    def lines(self, stream: str | None = None, event: str = "provisioner_output") -> list[str]:
        return [e["line"] for e in self.events
                if e["event"] == event and (stream is None or e["stream"] == stream)]


def make_ui(cap: Captured, build: str = "qemu.test"):
    sink = EventSink(None)
    sink.listeners.append(cap.events.append)
    return UI(out=cap.out, events=sink).for_build(build)


def provision_ctx(comm: Communicator | None, tmp_path: Path, **kw: Any) -> tuple[ProvisionContext, Captured]:
    cap = Captured()
    ctx = ProvisionContext(build_name="qemu.test", build_type="qemu", ui=make_ui(cap), template_dir=tmp_path,
                           communicator=comm, http_addr="10.0.2.2:8080", **kw)
    return ctx, cap


def pp_ctx(tmp_path: Path) -> tuple[PostProcessContext, Captured]:
    cap = Captured()
    return PostProcessContext(build_name="qemu.test", build_type="qemu", ui=make_ui(cap),
                              template_dir=tmp_path), cap
