"""cty's printf dialect: ``format`` and ``formatlist`` (verbs, flags, width, precision, Go quoting)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from builder.template.functions.encoding import json_encode
from builder.template.functions.values import (
    FunctionError,
    arg_str,
    graphemes,
    is_primitive,
    norm_num,
    parse_number,
    to_bool,
    to_string,
)

_VERB_RE = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<arg>\d+)\])?(?P<width>\d+)?(?:\.(?P<prec>\d*))?(?P<verb>.?)"
)


def _pad(text: str, width: int | None, flags: str, zero_ok: bool = False) -> str:
    if width is None or len(text) >= width:
        return text
    fill = width - len(text)
    if "-" in flags:
        return text + " " * fill
    if "0" in flags and zero_ok:
        sign = text[0] if text and text[0] in "+- " else ""
        body = text[len(sign) :]
        prefix = ""
        for pfx in ("0x", "0X", "0b", "0o"):
            if body.startswith(pfx):
                prefix, body = pfx, body[2:]
                break
        return sign + prefix + "0" * fill + body
    return " " * fill + text


def _fmt_int(n: int, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    base = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb]
    mag = abs(n)
    if base == 10:
        digits = str(mag)
    elif base == 2:
        digits = format(mag, "b")
    elif base == 8:
        digits = format(mag, "o")
    else:
        digits = format(mag, "x" if verb == "x" else "X")
    if prec is not None:
        digits = "" if prec == 0 and mag == 0 else digits.rjust(prec, "0")
    prefix = ""
    if "#" in flags:
        prefix = {2: "0b", 8: "0", 16: "0x" if verb == "x" else "0X", 10: ""}[base]
        if base == 8 and digits.startswith("0"):
            prefix = ""
    sign = "-" if n < 0 else "+" if "+" in flags else " " if " " in flags else ""
    return _pad(sign + prefix + digits, width, flags, zero_ok=prec is None)


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest decimal digits and decimal exponent (value = 0.DIGITS * 10**exp)."""
    _sign, digits, exp = Decimal(repr(f)).as_tuple()
    ds = "".join(map(str, digits)).lstrip("0") or "0"
    point = len(digits) + int(exp)
    if ds == "0":
        return "0", 1
    stripped = "".join(map(str, digits))
    lead = len(stripped) - len(stripped.lstrip("0"))
    ds = ds.rstrip("0") or "0"
    return ds, point - lead


def _fmt_float(x: int | float, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    f = float(x)
    spec_flags = ""
    if "+" in flags:
        spec_flags += "+"
    elif " " in flags:
        spec_flags += " "
    if "#" in flags:
        spec_flags += "#"
    lv = verb.lower()
    if math.isinf(f) or math.isnan(f):
        if math.isnan(f):
            text = "NaN"
        elif f > 0:
            text = "+Inf" if "+" in flags else "Inf"
        else:
            text = "-Inf"
        return _pad(text, width, flags.replace("0", ""))
    if lv == "g" and prec is None:
        ds, point = _shortest_digits(f)
        exp = point - 1
        neg = f < 0 or (f == 0 and math.copysign(1, f) < 0)
        if exp < -4 or exp >= 6:
            mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
            text = f"{mant}{'e' if verb == 'g' else 'E'}{'-' if exp < 0 else '+'}{abs(exp):02d}"
        else:
            text = format(Decimal(repr(abs(f))), "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
        sign = "-" if neg else "+" if "+" in flags else " " if " " in flags else ""
        return _pad(sign + text, width, flags, zero_ok=True)
    p = 6 if prec is None else prec
    text = format(f, f"{spec_flags}.{p}{verb}")
    return _pad(text, width, flags, zero_ok=True)


def _fmt_value(verb: str, flags: str, width: int | None, prec: int | None, v: Any, pos: int) -> str:
    where = f'"%{verb}" at {pos}'
    if verb == "v" and "#" in flags:
        return _pad(json_encode(v), width, flags)
    if verb == "v":
        # cty ignores the precision for %v.
        if v is None:
            text = "null"
        elif isinstance(v, list | tuple | dict):
            text = json_encode(v)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            return _fmt_float(v, "g", flags, width, None)  # numbers print like %g
        else:
            text = to_string(v)
        return _pad(text, width, flags)
    if v is None:
        raise FunctionError(f"unsupported value for {where}: null value cannot be formatted")
    if verb == "t":
        if not (isinstance(v, bool) or v in ("true", "false")):
            raise FunctionError(f"unsupported value for {where}: bool is required")
        return "true" if to_bool(v) else "false"  # cty ignores width and flags for %t
    if verb in "sq":
        if not is_primitive(v):
            raise FunctionError(f"unsupported value for {where}: string required")
        text = to_string(v)
        if prec is not None:
            text = "".join(graphemes(text)[:prec])
        if verb == "q":
            text = _go_quote(text)
        return _pad(text, width, flags)
    if verb in "bdoxXeEfgG":
        n = parse_number(v) if isinstance(v, str) else v
        if n is None or isinstance(n, bool) or not isinstance(n, int | float):
            raise FunctionError(f"unsupported value for {where}: a number is required")
        n = norm_num(n)
        if verb in "bdoxX":
            if not isinstance(n, int):
                raise FunctionError(f"unsupported value for {where}: an integer is required")
            return _fmt_int(n, verb, flags, width, prec)
        return _fmt_float(n, verb, flags, width, prec)
    raise FunctionError(f"invalid format verb %{verb} at {pos}")


def _go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch in "\a\b\f\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def _format(fmt: Any, *args: Any) -> str:
    spec = arg_str(fmt, "format")
    out: list[str] = []
    argi = 0
    used = 0
    i = 0
    while i < len(spec):
        ch = spec[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        m = _VERB_RE.match(spec, i)
        assert m is not None
        i = m.end()
        verb = m.group("verb")
        if verb == "%" and not m.group("flags") and not m.group("width") and m.group("prec") is None:
            out.append("%")
            continue
        if not verb:
            raise FunctionError("unterminated format verb at end of string")
        if m.group("arg"):
            argi = int(m.group("arg")) - 1
        if argi >= len(args) or argi < 0:
            raise FunctionError(
                f'not enough arguments for "%{verb}" at {m.start()}: need index {argi + 1} '
                f"but have {len(args)} total"
            )
        width = int(m.group("width")) if m.group("width") else None
        prec_s = m.group("prec")
        prec = None if prec_s is None else int(prec_s or 0)
        out.append(_fmt_value(verb, m.group("flags"), width, prec, args[argi], m.start()))
        argi += 1
        used = max(used, argi)
    if used < len(args):
        raise FunctionError(f"too many arguments; only {used} used by format string")
    return "".join(out)


def _formatlist(fmt: Any, *args: Any) -> list[str]:
    spec = arg_str(fmt, "format")
    n: int | None = None
    for i, a in enumerate(args):
        if isinstance(a, list | tuple):
            if n is not None and len(a) != n:
                raise FunctionError(
                    f"argument {i + 1} has length {len(a)}, which is inconsistent with argument of length {n}"
                )
            n = len(a)
    if n is None:
        return [_format(spec, *args)]
    return [_format(spec, *[a[j] if isinstance(a, list | tuple) else a for a in args]) for j in range(n)]


TABLE: dict[str, Callable[..., Any]] = {
    "format": _format,
    "formatlist": _formatlist,
}
