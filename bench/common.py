"""Shared helpers of the benchmark parts: statistics, tables, machine facts, results.

Every part returns a :class:`Part` (tables + goal verdicts + notes); ``python -m bench``
prints it, stores it as JSON under the results directory and renders all stored parts
into ``RESULTS.md`` (so a part can be re-measured alone without losing the others).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "tests" / "fixtures", ROOT / "tests" / "bootcommand"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))


@dataclass
class Stat:
    """Median and range of a series of measurements."""

    values: list[float]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def lo(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def hi(self) -> float:
        return max(self.values) if self.values else float("nan")

    def fmt(self, digits: int = 2, unit: str = "") -> str:
        if not self.values:
            return "–"
        if self.n == 1:
            return f"{self.median:.{digits}f}{unit}"
        return f"{self.median:.{digits}f}{unit} ({self.lo:.{digits}f}–{self.hi:.{digits}f})"


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]

    def markdown(self) -> str:
        out = [f"**{self.title}**", "", "| " + " | ".join(self.headers) + " |",
               "|" + "|".join("---" for _ in self.headers) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(out)

    def text(self) -> str:
        cols = [self.headers, *self.rows]
        widths = [max(len(r[i]) for r in cols) for i in range(len(self.headers))]
        line = "  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True))
        out = [self.title, line, "-" * len(line)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        return "\n".join(out)


@dataclass
class Goal:
    text: str
    met: bool | None  # None: not measured
    why: str = ""


@dataclass
class Part:
    key: str
    title: str
    runs: int
    quick: bool
    tables: list[Table] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: str = ""
    seconds: float = 0.0
    load: list[float] = field(default_factory=list)  # 1-min load average: start, end

    def markdown(self) -> str:
        out = [f"## {self.title}", "",
               f"_{self.started}, {self.runs} run(s) per figure{' (quick)' if self.quick else ''}, "
               f"{self.seconds:.0f} s, load average {self.load[0]:.1f} → {self.load[-1]:.1f}_", ""]
        for t in self.tables:
            out += [t.markdown(), ""]
        if self.goals:
            out += ["Goals:", ""]
            for g in self.goals:
                mark = {True: "**met**", False: "**missed**", None: "not measured"}[g.met]
                out.append(f"- {g.text}: {mark}{' — ' + g.why if g.why else ''}")
            out.append("")
        out += [f"- {n}" for n in self.notes]
        return "\n".join(out).rstrip() + "\n"

    def text(self) -> str:
        out = [f"=== {self.title} ({self.runs} run(s), load {self.load[0]:.1f} → {self.load[-1]:.1f})"]
        for t in self.tables:
            out += ["", t.text()]
        for g in self.goals:
            mark = {True: "MET", False: "MISSED", None: "n/a"}[g.met]
            out.append(f"goal [{mark}] {g.text}{': ' + g.why if g.why else ''}")
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)

    def save(self, results_dir: Path) -> Path:
        results_dir.mkdir(parents=True, exist_ok=True)
        p = results_dir / f"{self.key}.json"
        p.write_text(json.dumps(asdict(self), indent=1))
        return p

    @staticmethod
    def load_file(path: Path) -> Part:
        d = json.loads(path.read_text())
        d["tables"] = [Table(**t) for t in d["tables"]]
        d["goals"] = [Goal(**g) for g in d["goals"]]
        return Part(**d)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def load1() -> float:
    return os.getloadavg()[0]


def _first_line(argv: Sequence[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (p.stdout or p.stderr).strip()
    return text.splitlines()[0] if text else "?"


def _grep(path: str, pattern: str) -> str:
    """The first group of ``pattern``'s first match (multi-line) in a file, or "?"."""
    try:
        m = re.search(pattern, Path(path).read_text(), re.M)
    except OSError:
        return "?"
    return m.group(1) if m else "?"


def machine_info() -> dict[str, str]:
    cpu = _grep("/proc/cpuinfo", r"^model name\s*:\s*(.+)$")
    kib = _grep("/proc/meminfo", r"^MemTotal:\s*(\d+)")
    mem = f"{int(kib) / 2**20:.1f} GiB" if kib != "?" else "?"
    try:
        from importlib.metadata import version

        pyb = version("pybuild")
    except Exception:
        pyb = "?"
    git = _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    os_name = _grep("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)')
    return {
        "CPU": f"{cpu}, {os.cpu_count()} CPUs (nproc)",
        "RAM": mem,
        "OS": f"{os_name}, kernel {platform.release()}",
        "pybuild": f"{pyb} (git {git})",
        "Python": platform.python_version(),
        "Packer": _first_line(["packer", "version"]),
        "QEMU": _first_line(["qemu-system-x86_64", "--version"]),
        "libguestfs": _first_line(["virt-sparsify", "--version"]),
        "curl": _first_line(["curl", "--version"]),
        "accelerator": "TCG (nested KVM hangs guests on this machine)",
    }


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.0f} %" if b else "–"


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def render_results(parts: Iterable[Part], info: dict[str, str], command: str, extra: str = "") -> str:
    parts = list(parts)
    out = ["# pybuild benchmarks", "",
           f"Written by `{command}` (see README, \"Benchmarks\"). Medians with min–max in "
           "parentheses. Each part records when it ran and the machine's load average: the "
           "machine is shared, so compare rows of one table (they ran interleaved, under the "
           "same load), not figures across parts.", "",
           "| machine | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out.append("")
    missed = [(p.title, g) for p in parts for g in p.goals if g.met is False]
    met = [(p.title, g) for p in parts for g in p.goals if g.met]
    out += ["## Summary", "",
            f"{len(met)} goal(s) met, {len(missed)} missed (each miss is explained in its part).", ""]
    for title, g in met + missed:
        out.append(f"- {'met' if g.met else 'MISSED'}: {g.text} ({title.split(':')[0]})")
    out.append("")
    short = [p.title.split(":")[0] for p in parts if not p.quick and p.runs < 5 and p.key != "typing"]
    if short:
        out += [f"Fewer runs than the 5 the issue asks for: {', '.join(short)} (see its notes).", ""]
    for p in parts:
        out.append(p.markdown())
    if extra.strip():
        out += ["## Notes on this measurement", "", extra.strip(), ""]
    return "\n".join(out)
