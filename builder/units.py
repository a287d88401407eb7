"""One parser per notion: sizes and Go durations, as Packer reads them.

Used by the template engine, the component configurations, the CLI and the plugins alike.

Sizes (:func:`parse_size`) follow QEMU/Packer: an integer with an optional one-letter
binary suffix ``B K M G T P E`` (case-insensitive; ``4G`` = ``4GiB`` = 4 × 2³⁰ bytes; an
``iB``/``B`` after the letter is accepted, so ``4GiB`` and ``4GB`` mean the same). No
fractions, signs or blanks. What a *bare* number means is the caller's, and callers
legitimately differ, so it is a required parameter:

- ``default_unit="M"``: Packer's qemu ``disk_size`` (``"4096"`` is 4096 MiB), and so every
  pybuild "disk size" (``pybuild verify --disk-size``, the ``verify`` post-processor, the
  mmdebstrap plugin's ``disk_size``);
- ``default_unit="B"``: Packer's qemu ``disk_additional_size``, handed to ``qemu-img`` as
  written, where a bare number is bytes.

Durations (:func:`parse_go_duration`) follow Go's ``time.ParseDuration`` exactly:
``[-+]?([0-9]*(\\.[0-9]*)?unit)+`` with units ``ns us µs μs ms s m h``, or ``"0"``; ``""``,
a blank around it (``" 5s"``), a bare number (``"5"``) or an unknown unit are errors, and
the value is whole nanoseconds that fit Go's int64.
"""

from __future__ import annotations

import re
from fractions import Fraction

SIZE_UNITS = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60}
_SIZE_RE = re.compile(r"(\d+)(?:([KMGTPE])(?:I?B)?|(B))?")


def _split_size(text: str, default_unit: str) -> tuple[int, str]:
    m = _SIZE_RE.fullmatch(text.upper()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f'invalid size "{text}" (examples: "10G", "4096M", "20480" = 20480 '
                         f'{_unit_name(default_unit)})')
    return int(m.group(1)), m.group(2) or m.group(3) or default_unit.upper()


def parse_size(text: str, *, default_unit: str) -> int:
    """``"10G"`` → bytes; a bare number is in ``default_unit``. Raises ValueError."""
    number, unit = _split_size(text, default_unit)
    return number * SIZE_UNITS[unit]


def normalize_size(text: str, *, default_unit: str) -> str:
    """The size as ``qemu-img`` reads it (number and one letter): validated, the default
    unit written out (Packer turns ``disk_size = "4096"`` into ``"4096M"``). Raises ValueError."""
    number, unit = _split_size(text, default_unit)
    return f"{number}{unit}"


def _unit_name(unit: str) -> str:
    return "bytes" if unit.upper() == "B" else f"{unit.upper()}iB"


_DURATION_UNITS = {
    "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
    "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
}
_MAX_NS = (1 << 63) - 1
_PART_RE = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def parse_go_duration(text: str) -> int:
    """Go's ``time.ParseDuration``: the duration in nanoseconds. Raises ValueError with Go's
    messages (``time: invalid duration "5"`` is ``missing unit``)."""
    if not isinstance(text, str):
        raise ValueError(f"time: invalid duration {text!r}")
    quoted = '"' + text + '"'
    s, neg = text, False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {quoted}")
    total = Fraction(0)
    pos = 0
    while pos < len(s):
        m = _PART_RE.match(s, pos)
        assert m is not None  # every group may be empty
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            raise ValueError(f"time: invalid duration {quoted}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _DURATION_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration {quoted}')
        value = Fraction(int(whole or "0"))
        if frac:
            value += Fraction(int(frac), 10 ** len(frac))
        total += value * _DURATION_UNITS[unit]
        pos = m.end()
    ns = int(total)  # Go truncates the fraction of a nanosecond
    if ns > _MAX_NS + (1 if neg else 0):
        raise ValueError(f"time: invalid duration {quoted} (out of range)")
    return -ns if neg else ns


def parse_seconds(text: str) -> float:
    """A Go duration in seconds (a float), for timeouts and waits."""
    return parse_go_duration(text) / 1e9


__all__ = ["SIZE_UNITS", "normalize_size", "parse_go_duration", "parse_seconds", "parse_size"]
