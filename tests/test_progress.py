"""The one progress display (builder.ui.Progress) used by downloads and Glance uploads:
lines and events when there is no terminal or PYBUILD_NO_PROGRESS is set, a rich bar on a
terminal, secrets masked either way."""

from __future__ import annotations

import io
import sys

import pytest

from builder import secrets
from builder.ui import UI, Progress


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def ui_out():
    out = io.StringIO()
    ui = UI(out=out)
    events: list[dict] = []
    ui.events.listeners.append(events.append)
    yield ui.for_build("b"), out, events
    secrets.clear()


def test_without_a_terminal_a_line_every_ten_percent_and_an_event(ui_out, monkeypatch) -> None:
    bui, out, events = ui_out
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with Progress(bui, event="download_progress", key="url") as p:
        t = p.task("disk.iso", 100 * 1024)
        for _ in range(100):
            t.advance(1024)
    lines = out.getvalue().splitlines()
    assert lines[0] == "    b: disk.iso: 1% (1.0 KiB of 100.0 KiB)"
    assert len(lines) == 11 and lines[-1] == "    b: disk.iso: 100% (100.0 KiB of 100.0 KiB)"
    assert events[-1] == {**events[-1], "event": "download_progress", "url": "disk.iso", "bytes": 102400,
                          "total": 102400}


@pytest.mark.parametrize("no_progress", ["1", ""])
def test_a_terminal_gets_a_bar_unless_pybuild_no_progress(ui_out, monkeypatch, no_progress: str) -> None:
    bui, out, _ = ui_out
    monkeypatch.setattr(sys, "stderr", _TTY())
    monkeypatch.setenv("PYBUILD_NO_PROGRESS", no_progress)
    with Progress(bui, event="glance.progress", key="target") as p:
        assert (p._bar is None) == bool(no_progress)
        p.task("up", 10).advance(10)
    assert ("up: 100%" in out.getvalue()) == bool(no_progress)


@pytest.mark.parametrize("tty", [False, True])
def test_labels_are_masked(ui_out, monkeypatch, tty: bool) -> None:
    bui, out, events = ui_out
    err = _TTY() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delenv("PYBUILD_NO_PROGRESS", raising=False)
    secrets.add("hunter2")
    with Progress(bui, event="download_progress", key="url") as p:
        t = p.task("https://u:hunter2@example.test/x.iso", 4)
        t.advance(4)
        assert "hunter2" not in t.label
    assert "hunter2" not in out.getvalue() + err.getvalue() + repr(events)
