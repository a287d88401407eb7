"""Build output: Packer-style UI lines, machine-readable output, JSON events, log files.

Every message passes through :func:`builder.secrets.mask` before it leaves the process; the
build name in front of it is the template's own name and is never masked.

    ==> qemu.debian: Starting HTTP server on port 8123      (say)
        qemu.debian: provisioner output line                 (message)
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from builder import secrets

log = logging.getLogger("pybuild")


@dataclass
class UIOptions:
    timestamp: bool = False
    machine_readable: bool = False
    color: bool = False


class EventSink:
    """One JSON object per line (``--log-json FILE``); thread-safe."""

    def __init__(self, path: Path | None):
        # the event log is readable by the user only (like the build logs)
        self._fh: TextIO | None = (
            os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8")
            if path
            else None
        )
        self._lock = threading.Lock()
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

    def emit(self, event: str, **fields: Any) -> None:
        rec = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event}
        rec.update(secrets.mask_obj(fields))
        if "build" in fields:  # the build's name, not a value
            rec["build"] = fields["build"]
        for cb in self.listeners:
            cb(rec)
        if self._fh is None:
            return
        line = json.dumps(rec, default=str)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh:
            self._fh.close()
            self._fh = None


class UI:
    """The root UI of one pybuild run; :meth:`for_build` gives each build its prefix."""

    def __init__(
        self,
        out: TextIO | None = None,
        options: UIOptions | None = None,
        events: EventSink | None = None,
    ):
        self.out = out or sys.stdout
        self.options = options or UIOptions()
        self.events = events or EventSink(None)
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        """Write one line; the caller has masked what it holds (build names stay as they are)."""
        with self._lock:
            self.out.write(text + "\n")
            self.out.flush()

    def _stamp(self) -> str:
        if self.options.timestamp:
            return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + ": "
        return ""

    def machine(self, target: str, kind: str, *data: str) -> None:
        """Packer's -machine-readable line: timestamp,target,type,data... (data masked by the caller)."""
        esc = [d.replace(",", "%!(PACKER_COMMA)").replace("\n", "\\n") for d in data]
        self._write(",".join([str(int(time.time())), target, kind, *esc]))

    def say(self, text: str, build: str = "") -> None:
        """A step's headline (``==> build: text``)."""
        self._ui_line("say", "==> ", text, build)

    def message(self, text: str, build: str = "") -> None:
        """Detail under a headline (indented)."""
        self._ui_line("message", "    ", text, build)

    def _ui_line(self, kind: str, lead: str, text: str, build: str) -> None:
        text = secrets.mask(text)
        log.info("%s%s", f"{build}: " if build else "", text, extra=_PREMASKED)
        prefix = f"{lead}{build}: " if build else lead
        if self.options.machine_readable:
            self.machine(build, "ui", kind, f"{prefix}{text}" if build else text)
            return
        for line in text.splitlines() or [""]:
            self._write(f"{self._stamp()}{prefix}{line}")

    def error(self, text: str, build: str = "") -> None:
        text = secrets.mask(text)
        log.error("%s%s", f"{build}: " if build else "", text, extra=_PREMASKED)
        if self.options.machine_readable:
            self.machine(build, "ui", "error", text)
            return
        prefix = f"==> {build}: " if build else ""
        for line in text.splitlines() or [""]:
            self._write(f"{self._stamp()}{prefix}{line}")

    def warn(self, text: str, build: str = "") -> None:
        self.say(f"WARNING: {text}", build)

    def for_build(self, name: str) -> BuildUI:
        return BuildUI(self, name)


@dataclass
class BuildUI:
    """A UI bound to one build name; what steps, provisioners and hooks write to."""

    root: UI
    name: str
    last_output: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.root.say(text, self.name)

    def message(self, text: str) -> None:
        self.root.message(text, self.name)
        self.last_output.append(secrets.mask(text))
        if len(self.last_output) > 500:
            del self.last_output[:100]

    def error(self, text: str) -> None:
        self.root.error(text, self.name)

    def warn(self, text: str) -> None:
        self.root.warn(text, self.name)

    def event(self, event: str, **fields: Any) -> None:
        self.root.events.emit(event, build=self.name, **fields)


# a log record whose text the UI has masked already (its build-name prefix stays readable)
_PREMASKED = {"pybuild_premasked": True}


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "pybuild_premasked", False):
            return True
        record.msg = secrets.mask(record.getMessage())
        record.args = None
        return True


def setup_logging(debug: bool, log_path: Path | None) -> None:
    """PYBUILD_LOG=1 → debug logs on stderr; PYBUILD_LOG_PATH → also to a file."""
    root = logging.getLogger("pybuild")
    root.setLevel(logging.DEBUG)
    root.propagate = False
    fmt = logging.Formatter("%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    if debug:
        h = logging.StreamHandler(sys.stderr)
        h.setLevel(logging.DEBUG)
        h.setFormatter(fmt)
        h.addFilter(MaskingFilter())
        root.addHandler(h)
    if log_path:
        fh = logging.FileHandler(log_path, encoding="utf-8")
        fh.setLevel(logging.DEBUG)
        fh.setFormatter(fmt)
        fh.addFilter(MaskingFilter())
        root.addHandler(fh)


def add_build_log(path: Path) -> logging.Handler:
    """Attach a per-build log file (always written); returns the handler to remove later."""
    fh = logging.FileHandler(path, encoding="utf-8")
    fh.setLevel(logging.DEBUG)
    fh.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] %(name)s: %(message)s"))
    fh.addFilter(MaskingFilter())
    logging.getLogger("pybuild").addHandler(fh)
    return fh
