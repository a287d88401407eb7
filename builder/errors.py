"""One exception hierarchy for pybuild, rendered once by the CLI.

    PybuildError                 exit_code 1 unless stated
    ├── UsageError               bad command line (exit 2)
    ├── TemplateError            one or more Diagnostics (exit 2 for validate/inspect, 1 for build)
    ├── ConfigError              component configuration invalid (a TemplateError subclass)
    ├── BuildError               a build step failed; carries the step name
    ├── CommandError             an external tool failed (argv, exit code, stderr tail)
    ├── CommunicatorError        SSH connect / command transport failed
    ├── HostError                the host lacks tools/files the builds need (exit 2)
    └── Cancelled                SIGINT/SIGTERM/SIGHUP (exit 130)
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from builder import secrets


@dataclass(frozen=True)
class Location:
    """A place in a source file (1-based line and column)."""

    filename: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.filename
        return f"{self.filename}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a template, rendered Packer-style."""

    summary: str
    detail: str = ""
    location: Location | None = None
    severity: str = "error"  # "error" | "warning"

    def render(self, mask: Callable[[str], str] = str) -> str:
        """The diagnostic as text; ``mask`` applies to the summary and detail, never the location."""
        head = "Error" if self.severity == "error" else "Warning"
        lines = [f"{head}: {mask(self.summary)}"]
        if self.location is not None:
            lines.append("")
            if self.location.line:
                lines.append(
                    f"  on {self.location.filename} line {self.location.line}"
                    f" (column {self.location.col}):"
                )
            else:
                lines.append(f"  in {self.location.filename}:")
        if self.detail:
            lines.append("")
            lines.extend(mask(self.detail).splitlines())
        return "\n".join(lines)


class PybuildError(Exception):
    exit_code = 1

    def render(self) -> str:
        return f"Error: {self}"

    def render_masked(self) -> str:
        """What the user sees: :meth:`render` with every secret masked."""
        return secrets.mask(self.render())


class UsageError(PybuildError):
    exit_code = 2


class TemplateError(PybuildError):
    """All problems of a template at once."""

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = [d for d in diagnostics if d.severity == "error"] or diagnostics
        super().__init__("; ".join(d.summary for d in self.diagnostics))

    def render(self) -> str:
        return "\n\n".join(d.render() for d in self.diagnostics)

    def render_masked(self) -> str:
        # a diagnostic about the template names what it is about (secrets.mask_template)
        return "\n\n".join(d.render(secrets.mask_template) for d in self.diagnostics)


class ConfigError(TemplateError):
    """Component configuration errors (schema, validation)."""


class BuildError(PybuildError):
    def __init__(self, message: str, *, step: str = "", build: str = ""):
        self.step = step
        self.build = build
        super().__init__(message)

    def render(self) -> str:
        where = f"step {self.step}: " if self.step else ""
        return f"Error: {where}{self}"


@dataclass
class _CommandInfo:
    argv: list[str]
    returncode: int
    stderr_tail: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class CommandError(PybuildError):
    """An external command failed. The message names the command line and stderr tail."""

    def __init__(self, argv: list[str], returncode: int, stderr_tail: str = "", hint: str = ""):
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        self.hint = hint
        cmd = shlex.join(self.argv)
        msg = f"command failed with exit code {returncode}: {cmd}"
        if returncode == 127:
            msg = f"command not found: {self.argv[0]} (is it installed and on PATH?)"
        if hint:
            msg += f"\n{hint}"
        if stderr_tail:
            msg += "\n--- stderr (last lines) ---\n" + stderr_tail.rstrip()
        super().__init__(msg)


class CommunicatorError(PybuildError):
    pass


class HostError(PybuildError):
    """The build host lacks what the selected builds need; one line per problem, each with
    the command that fixes it. ``report`` is a :class:`builder.hostcheck.Report`."""

    exit_code = 2

    def __init__(self, report: Any):
        self.report = report
        super().__init__(f"{len(report.problems)} host requirement(s) missing")

    def render(self) -> str:
        lines = ["Error: this host lacks what the build needs (nothing was started):"]
        lines += [f"  {f.line()}" for f in self.report.problems]
        fix_all = self.report.fix_all()
        if fix_all and len(self.report.problems) > 1:
            lines.append(f"  all at once: {fix_all}")
        return "\n".join(lines)


class Cancelled(PybuildError):
    exit_code = 130

    def __init__(self, message: str = "Build was cancelled."):
        super().__init__(message)
