"""Packer's ``boot_command`` language, parsed into typed actions.

The grammar is a PEG with ordered choice, tried at every position::

    Expr       <- ( Wait / CharToggle / Special / Literal )+
    Wait       <- "<" "wait" ( Duration / Integer )? ">"      <wait> = 1s, <wait5> = 5s, <wait1m30s>
    CharToggle <- "<" AnyChar ("on"i / "off"i) ">"            <aOn>, <cOff>
    Special    <- "<" SpecialKey ("on"i / "off"i)? ">"        <enter>, <leftCtrlOn>
    Literal    <- AnyChar

Because ``Literal`` matches any character, text that is none of the first three is
typed as it stands: ``<foo>`` types the five characters ``<``, ``f``, ``o``, ``o``, ``>``.
The only errors are waits: a negative duration, or one Go cannot represent.

Go-template text (``{{ .HTTPIP }}``) has no meaning here: it is plain characters. The
builder renders templates first and parses the result for typing; validation parses
the raw text, which is always possible because templates only contain literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder.errors import ConfigError, Diagnostic, Location
from builder.units import parse_seconds

# Packer's special key names (lower case), with the keysym its VNC driver sends.
SPECIAL_KEYS: dict[str, int] = {
    "bs": 0xFF08,
    "del": 0xFFFF,
    "enter": 0xFF0D,
    "return": 0xFF0D,
    "esc": 0xFF1B,
    **{f"f{i}": 0xFFBE + i - 1 for i in range(1, 13)},
    "tab": 0xFF09,
    "up": 0xFF52,
    "down": 0xFF54,
    "left": 0xFF51,
    "right": 0xFF53,
    "spacebar": 0x20,
    "insert": 0xFF63,
    "home": 0xFF50,
    "end": 0xFF57,
    "pageup": 0xFF55,
    "pagedown": 0xFF56,
    "menu": 0xFF67,
    "leftalt": 0xFFE9,
    "leftctrl": 0xFFE3,
    "leftshift": 0xFFE1,
    "leftsuper": 0xFFEB,
    "rightalt": 0xFFEA,
    "rightctrl": 0xFFE4,
    "rightshift": 0xFFE2,
    "rightsuper": 0xFFEC,
    "leftcommand": 0xFFE9,
    "rightcommand": 0xFFEA,
    "leftoption": 0xFFE7,
    "rightoption": 0xFFE8,
}
# longest first, so "f10" is tried before "f1" and "leftCtrl" before "left"
_SPECIAL_ORDER = sorted(SPECIAL_KEYS, key=len, reverse=True)
MODIFIERS = frozenset(
    k for k in SPECIAL_KEYS if k.endswith(("alt", "ctrl", "shift", "super", "command", "option"))
)

# characters a US keyboard types with Shift held
SHIFTED_CHARS = frozenset('~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ')


@dataclass(frozen=True)
class Char:
    """A printable character (one key press, Shift added by the driver when needed)."""

    char: str

    def __str__(self) -> str:
        return self.char


@dataclass(frozen=True)
class Special:
    """A named key such as ``enter`` or ``leftctrl`` (always lower case)."""

    name: str

    def __str__(self) -> str:
        return f"<{self.name}>"


Key = Char | Special


@dataclass(frozen=True)
class Press:
    """Press and release one key. ``pos`` is the 0-based offset in the source text."""

    key: Key
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class KeyDown:
    """``<xOn>`` / ``<leftCtrlOn>``: hold a key down."""

    key: Key
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class KeyUp:
    """``<xOff>`` / ``<leftCtrlOff>``: release a held key."""

    key: Key
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Wait:
    """``<wait>``, ``<wait5>``, ``<wait1m30s>``: flush, then sleep."""

    seconds: float
    pos: int = field(default=0, compare=False)


Action = Press | KeyDown | KeyUp | Wait

# Go duration components: Number TimeUnit, Number = '-'? Integer ('.' Digit+)?
_INTEGER = r"(?:0|[1-9][0-9]*)"
_NUMBER = rf"-?{_INTEGER}(?:\.[0-9]+)?"
_UNIT = r"(?:ns|us|µs|μs|ms|s|m|h)"
_DURATION_RE = re.compile(rf"(?:{_NUMBER}{_UNIT})+")
_INTEGER_RE = re.compile(_INTEGER)


class _WaitError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


def _go_duration(text: str) -> float:
    """Value of a duration the grammar accepted (time.ParseDuration's rules, one parser)."""
    return parse_seconds(text)


def _match_wait(text: str, i: int) -> tuple[Wait, int] | None:
    if not text.startswith("<wait", i):
        return None
    j = i + 5
    seconds = 1.0
    m = _DURATION_RE.match(text, j)
    if m is not None:
        if not text.startswith(">", m.end()):
            return None  # PEG: the choice committed to Duration, then ">" failed
        try:
            seconds = _go_duration(m.group(0))
        except ValueError as e:
            raise _WaitError(str(e), i) from None
        j = m.end()
    else:
        mi = _INTEGER_RE.match(text, j)
        if mi is not None:
            seconds = float(int(mi.group(0)))
            j = mi.end()
    if not text.startswith(">", j):
        return None
    if seconds < 0:
        raise _WaitError(
            f"Expecting a positive wait value. Got {text[i + 5 : j]}", i
        )
    return Wait(seconds, i), j + 1


def _on_off(text: str, j: int) -> tuple[str, int] | None:
    low = text[j : j + 3].lower()
    if low.startswith("on"):
        return "on", j + 2
    if low == "off":
        return "off", j + 3
    return None


def _match_char_toggle(text: str, i: int) -> tuple[Action, int] | None:
    if i + 1 >= len(text):
        return None
    t = _on_off(text, i + 2)
    if t is None or not text.startswith(">", t[1]):
        return None
    key = Char(text[i + 1])
    return (KeyDown(key, i) if t[0] == "on" else KeyUp(key, i)), t[1] + 1


def _match_special(text: str, i: int) -> tuple[Action, int] | None:
    low = text[i + 1 : i + 1 + 12].lower()
    for name in _SPECIAL_ORDER:
        if not low.startswith(name):
            continue
        j = i + 1 + len(name)
        if text.startswith(">", j):
            return Press(Special(name), i), j + 1
        t = _on_off(text, j)
        if t is not None and text.startswith(">", t[1]):
            key = Special(name)
            return (KeyDown(key, i) if t[0] == "on" else KeyUp(key, i)), t[1] + 1
    return None


def parse(text: str, location: Location | None = None) -> list[Action]:
    """Parse a boot command (the elements of ``boot_command`` joined with "").

    Raises :class:`~builder.errors.ConfigError` whose diagnostic points at the column
    of the offending ``<wait…>`` (added to ``location`` when given).
    """
    actions: list[Action] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "<":
            try:
                got: tuple[Action, int] | None = _match_wait(text, i)
            except _WaitError as e:
                raise ConfigError([_diagnostic(str(e), text, e.pos, location)]) from None
            got = got or _match_char_toggle(text, i) or _match_special(text, i)
            if got is not None:
                actions.append(got[0])
                i = got[1]
                continue
        actions.append(Press(Char(text[i]), i))
        i += 1
    return actions


def _diagnostic(message: str, text: str, pos: int, location: Location | None) -> Diagnostic:
    line_no = text.count("\n", 0, pos)
    col = pos - (text.rfind("\n", 0, pos) + 1)
    snippet = text[max(0, pos - 20) : pos + 20].replace("\n", " ")
    caret = " " * (min(pos, 20)) + "^"
    detail = f"at column {col + 1} of the boot command:\n  {snippet}\n  {caret}"
    where = location
    if location is not None:
        if line_no and location.line:
            where = Location(location.filename, location.line + line_no, col + 1)
        elif location.line:
            where = Location(location.filename, location.line, location.col + col)
    return Diagnostic(f"Error parsing boot_command: {message}", detail, where)


def unparse(actions: list[Action]) -> str:
    """A readable form of actions (the inverse of :func:`parse` for ordinary commands)."""
    out: list[str] = []
    for a in actions:
        if isinstance(a, Wait):
            out.append("<wait>" if a.seconds == 1 else f"<wait{_fmt_seconds(a.seconds)}>")
        elif isinstance(a, Press):
            out.append(str(a.key))
        else:
            suffix = "On" if isinstance(a, KeyDown) else "Off"
            name = a.key.char if isinstance(a.key, Char) else a.key.name
            out.append(f"<{name}{suffix}>")
    return "".join(out)


def _fmt_seconds(s: float) -> str:
    if s == int(s):
        return f"{int(s)}s"
    return f"{round(s * 1000)}ms"


def total_wait(actions: list[Action]) -> float:
    return sum(a.seconds for a in actions if isinstance(a, Wait))


__all__ = [
    "MODIFIERS",
    "SHIFTED_CHARS",
    "SPECIAL_KEYS",
    "Action",
    "Char",
    "Key",
    "KeyDown",
    "KeyUp",
    "Press",
    "Special",
    "Wait",
    "parse",
    "total_wait",
    "unparse",
]
