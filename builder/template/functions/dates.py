"""Dates and times: RFC 3339, ``formatdate``'s spec language, ``timeadd``, Go durations, Go's
reference-time layouts (also for the Go templates), Packer's ``legacy_isotime``/``legacy_strftime``."""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable
from typing import Any

from builder.template.functions.values import FunctionError, arg_number, arg_str
from builder.units import parse_go_duration

# Process start time: what Packer's legacy_isotime/legacy_strftime (and the Go
# template isotime/timestamp functions) are based on.
INIT_TIME = _dt.datetime.now(_dt.UTC).replace(microsecond=0)

_RFC3339_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_rfc3339(ts: str, allow_space: bool = False) -> _dt.datetime:
    m = _RFC3339_RE.match(ts)
    if not m or (m.group(4) == " " and not allow_space):
        raise FunctionError(f'not a valid RFC3339 timestamp: cannot use "{ts}" as a timestamp')
    y, mo, d, h, mi, s = (int(m.group(i)) for i in (1, 2, 3, 5, 6, 7))
    frac = m.group(8) or ""
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    zone = m.group(9)
    if zone == "Z":
        tz = _dt.UTC
    else:
        sign = -1 if zone[0] == "-" else 1
        hh, mm = int(zone[1:3]), int(zone[4:6])
        if hh > 23 or mm > 59:
            raise FunctionError(f'not a valid RFC3339 timestamp: time zone offset out of range in "{ts}"')
        tz = _dt.timezone(sign * _dt.timedelta(hours=hh, minutes=mm))
    try:
        return _dt.datetime(y, mo, d, h, mi, s, micro, tzinfo=tz)
    except ValueError as exc:
        raise FunctionError(f'not a valid RFC3339 timestamp: {exc} in "{ts}"') from None


def format_rfc3339(t: _dt.datetime) -> str:
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    off = t.utcoffset() or _dt.timedelta(0)
    if off == _dt.timedelta(0):
        return base + "Z"
    total = int(off.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{base}{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


def _timestamp() -> str:
    return format_rfc3339(_dt.datetime.now(_dt.UTC))


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _zone_abbrev(t: _dt.datetime) -> str:
    off = t.utcoffset() or _dt.timedelta(0)
    if off == _dt.timedelta(0):
        return "UTC"
    return _offset(t, False, False)


def _offset(t: _dt.datetime, colon: bool, z: bool) -> str:
    total = int((t.utcoffset() or _dt.timedelta(0)).total_seconds())
    if total == 0 and z:
        return "Z"
    sign = "-" if total < 0 else "+"
    total = abs(total)
    sep = ":" if colon else ""
    return f"{sign}{total // 3600:02d}{sep}{total % 3600 // 60:02d}"


def _formatdate(spec: Any, ts: Any) -> str:
    fmt, t = arg_str(spec, "format"), parse_rfc3339(arg_str(ts, "time"))
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "'":
            if fmt[i + 1 : i + 2] == "'":  # '' outside a literal is one quote
                out.append("'")
                i += 2
                continue
            end = i + 1
            lit: list[str] = []
            while True:
                if end >= len(fmt):
                    raise FunctionError("unterminated literal '")
                if fmt[end] == "'":
                    if fmt[end + 1 : end + 2] == "'":
                        lit.append("'")
                        end += 2
                        continue
                    break
                lit.append(fmt[end])
                end += 1
            out.append("".join(lit))
            i = end + 1
            continue
        if not ("a" <= ch <= "z" or "A" <= ch <= "Z"):
            out.append(ch)
            i += 1
            continue
        j = i
        while j < len(fmt) and fmt[j] == ch:
            j += 1
        tok = fmt[i:j]
        i = j
        out.append(_date_token(tok, t))
    return "".join(out)


def _date_token(tok: str, t: _dt.datetime) -> str:
    ch, n = tok[0], len(tok)
    h12 = t.hour % 12 or 12
    table: dict[str, dict[int, Callable[[], str]]] = {
        "Y": {4: lambda: f"{t.year:04d}", 2: lambda: f"{t.year % 100:02d}"},
        "M": {
            1: lambda: str(t.month),
            2: lambda: f"{t.month:02d}",
            3: lambda: _MONTHS[t.month - 1][:3],
            4: lambda: _MONTHS[t.month - 1],
        },
        "D": {1: lambda: str(t.day), 2: lambda: f"{t.day:02d}"},
        "E": {3: lambda: _DAYS[t.weekday()][:3], 4: lambda: _DAYS[t.weekday()]},
        "h": {1: lambda: str(t.hour), 2: lambda: f"{t.hour:02d}"},
        "H": {1: lambda: str(h12), 2: lambda: f"{h12:02d}"},
        "A": {2: lambda: "PM" if t.hour >= 12 else "AM"},
        "a": {2: lambda: "pm" if t.hour >= 12 else "am"},
        "m": {1: lambda: str(t.minute), 2: lambda: f"{t.minute:02d}"},
        "s": {1: lambda: str(t.second), 2: lambda: f"{t.second:02d}"},
        "Z": {
            1: lambda: _offset(t, True, True),
            3: lambda: _zone_abbrev(t),
            4: lambda: _offset(t, False, False),
            5: lambda: _offset(t, True, False),
        },
    }
    fn = table.get(ch, {}).get(n)
    if fn is None:
        raise FunctionError(f"invalid date format verb {tok!r}")
    return fn()


def go_duration(text: str) -> _dt.timedelta:
    """Parse a Go duration string ("1h30m", "-1.5h", "300ms"): pybuild's one parser."""
    try:
        ns = parse_go_duration(text)
    except ValueError as e:
        raise FunctionError(str(e)) from None
    micro = abs(ns) // 1000  # toward zero, as Go's Duration.Truncate(time.Microsecond)
    return _dt.timedelta(microseconds=-micro if ns < 0 else micro)


def _timeadd(ts: Any, duration: Any) -> str:
    t = parse_rfc3339(arg_str(ts, "timestamp"))
    d = go_duration(arg_str(duration, "duration"))
    try:
        t2 = t + d
    except OverflowError:
        raise FunctionError("the resulting time is out of range") from None
    return format_rfc3339(t2.replace(microsecond=0))


def _rfc3339_parse(ts: Any) -> dict[str, Any]:
    text = arg_str(ts, "timestamp")
    try:
        t = parse_rfc3339(text, allow_space=True)
    except FunctionError:
        raise FunctionError(f"{json.dumps(text)} is not a valid RFC3339 timestamp") from None
    return {**_time_object(t), "unix": int(t.timestamp())}


def _unix_timestamp_parse(ts: Any) -> dict[str, Any]:
    n = arg_number(ts, "unix_timestamp")
    if not isinstance(n, int) or not -(2**63) <= n < 2**63:
        raise FunctionError(
            "unix_timestamp must be a whole number of seconds representable as a 64-bit integer"
        )
    t = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC) + _dt.timedelta(seconds=n)
    return {**_time_object(t), "rfc3339": format_rfc3339(t)}


def _time_object(t: _dt.datetime) -> dict[str, Any]:
    iso = t.isocalendar()
    return {
        "year": t.year,
        "year_day": t.timetuple().tm_yday,
        "month": t.month,
        "month_name": _MONTHS[t.month - 1],
        "day": t.day,
        "weekday": (t.weekday() + 1) % 7,
        "weekday_name": _DAYS[t.weekday()],
        "hour": t.hour,
        "minute": t.minute,
        "second": t.second,
        "iso_year": iso[0],
        "iso_week": iso[1],
    }


def _hour12(t: _dt.datetime) -> int:
    return t.hour % 12 or 12


def _offset_hours(t: _dt.datetime, zulu: bool) -> str:
    o = _offset(t, False, zulu)
    return o if o == "Z" else o[:3]


# Go's layout elements, longest first where one is a prefix of another; tried in this order.
_GO_ELEMENTS: list[tuple[str, Callable[[_dt.datetime], str]]] = [
    ("January", lambda t: _MONTHS[t.month - 1]),
    ("Jan", lambda t: _MONTHS[t.month - 1][:3]),
    ("Monday", lambda t: _DAYS[t.weekday()]),
    ("Mon", lambda t: _DAYS[t.weekday()][:3]),
    ("MST", lambda t: _zone_abbrev(t)),
    ("2006", lambda t: f"{t.year:04d}"),
    ("002", lambda t: f"{t.timetuple().tm_yday:03d}"),
    ("01", lambda t: f"{t.month:02d}"),
    ("02", lambda t: f"{t.day:02d}"),
    ("03", lambda t: f"{_hour12(t):02d}"),
    ("04", lambda t: f"{t.minute:02d}"),
    ("05", lambda t: f"{t.second:02d}"),
    ("06", lambda t: f"{t.year % 100:02d}"),
    ("15", lambda t: f"{t.hour:02d}"),
    ("__2", lambda t: f"{t.timetuple().tm_yday:>3d}"),
    ("_2", lambda t: f"{t.day:>2d}"),  # but not in "_2006": that is "_" then the year
    ("1", lambda t: str(t.month)),
    ("2", lambda t: str(t.day)),
    ("3", lambda t: str(_hour12(t))),
    ("4", lambda t: str(t.minute)),
    ("5", lambda t: str(t.second)),
    ("PM", lambda t: "PM" if t.hour >= 12 else "AM"),
    ("pm", lambda t: "pm" if t.hour >= 12 else "am"),
    ("Z07:00", lambda t: _offset(t, True, True)),
    ("-07:00", lambda t: _offset(t, True, False)),
    ("Z0700", lambda t: _offset(t, False, True)),
    ("-0700", lambda t: _offset(t, False, False)),
    ("Z07", lambda t: _offset_hours(t, True)),
    ("-07", lambda t: _offset_hours(t, False)),
]


def _go_element(layout: str, i: int) -> tuple[str, Callable[[_dt.datetime], str]] | None:
    for tok, fn in _GO_ELEMENTS:
        if layout.startswith(tok, i) and not (tok == "_2" and layout.startswith("_2006", i)):
            return tok, fn
    return None


def go_time_format(t: _dt.datetime, layout: str) -> str:
    """Format a time with a Go reference layout ("2006-01-02T15:04:05Z07:00")."""
    out: list[str] = []
    i = 0
    n = len(layout)
    while i < n:
        element = _go_element(layout, i)
        if element is not None:
            tok, fn = element
            out.append(fn(t))
            i += len(tok)
        elif layout[i] in ".," and i + 1 < n and layout[i + 1] in "09":
            j = i + 1
            while j < n and layout[j] == layout[i + 1]:
                j += 1
            if j < n and layout[j].isdigit():
                out.append(layout[i])
                i += 1
                continue
            digits = f"{t.microsecond:06d}000"[: j - i - 1]
            if layout[i + 1] == "9":
                digits = digits.rstrip("0")
                out.append(layout[i] + digits if digits else "")
            else:
                out.append(layout[i] + digits)
            i = j
        else:
            out.append(layout[i])
            i += 1
    return "".join(out)


def _legacy_isotime(*fmt: Any) -> str:
    if len(fmt) > 1:
        raise FunctionError("legacy_isotime takes at most one argument")
    layout = arg_str(fmt[0], "format") if fmt else "2006-01-02T15:04:05Z07:00"
    return go_time_format(INIT_TIME, layout)


def _legacy_strftime(fmt: Any) -> str:
    spec = arg_str(fmt, "format")
    try:
        return INIT_TIME.strftime(spec)
    except ValueError as exc:
        raise FunctionError(f"failed to format time: {exc}") from None


TABLE: dict[str, Callable[..., Any]] = {
    "formatdate": _formatdate,
    "timeadd": _timeadd,
    "timestamp": _timestamp,
    "legacy_isotime": _legacy_isotime,
    "legacy_strftime": _legacy_strftime,
    "rfc3339_parse": _rfc3339_parse,
    "unix_timestamp_parse": _unix_timestamp_parse,
}
