"""The diagnostics of one load: collected once each (the same message at the same place is
reported once), errors and warnings apart, sorted by file and position for the report."""

from __future__ import annotations

from builder.errors import Diagnostic, Location


class Collector:
    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, d: Diagnostic) -> None:
        key = (d.summary, d.detail, str(d.location))
        if key in self._seen:
            return
        self._seen.add(key)
        self.diags.append(d)

    def extend(self, ds: list[Diagnostic]) -> None:
        for d in ds:
            self.add(d)

    def err(self, summary: str, detail: str, loc: Location | None) -> None:
        self.add(Diagnostic(summary, detail, loc))

    def warn(self, summary: str, detail: str, loc: Location | None) -> None:
        self.add(Diagnostic(summary, detail, loc, severity="warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diags if d.severity == "error"]


def sorted_by_location(diags: list[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[int, str, int, int]:
        loc = d.location
        if loc is None:
            return (0, "", 0, 0)
        return (1, loc.filename, loc.line, loc.col)

    return sorted(diags, key=key)
