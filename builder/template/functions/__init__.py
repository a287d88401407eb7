"""Packer's HCL2 function library, as plain Python callables over native values.

Values are Python natives: ``str``; ``int`` for integral numbers and ``float``
otherwise; ``bool``; ``None`` for null; ``list`` for lists, tuples and sets (sets
come back sorted); ``dict`` for maps and objects.

The functions follow the semantics of the cty standard library that Packer uses
(argument conversion, error cases, number formatting), written anew from the
documented behaviour and checked against Packer 1.6.6 by
``tests/template/test_differential.py``.

* :data:`FUNCTIONS` holds the functions that do not touch the filesystem or the
  environment.
* :func:`make_functions` adds the filesystem functions (``file``, ``fileset``,
  ``templatefile``, ...) relative to a base directory and ``env`` when asked.

``try`` and ``can`` are special forms of the evaluator, not functions.
``convert`` takes its type as a type expression (``list(string)``, as in HCL: the evaluator
turns it into text) or as a string such as ``"list(string)"``.

Packer (not Terraform) semantics, on purpose:

* ``replace`` is cty's literal replace: a ``"/.../"`` substring is NOT a regular
  expression (use ``regex_replace``);
* ``lookup`` needs its default (Packer's cty has no two-argument form), and the
  default must not be null;
* ``yamldecode`` uses YAML 1.1 booleans (``yes``/``on``/``y`` are true) like
  go-cty-yaml; hex/octal-looking scalars stay strings;
* regular expressions use RE2 syntax, translated to Python's ``re`` (ASCII
  ``\\d``/``\\w``/``\\s``, ``$`` only at the end without ``(?m)``, ``\\z``, POSIX classes);
  Unicode classes such as ``\\pL`` are refused;
* ``+ - * /`` style exactness: ``sum`` and ``range`` step in decimal, so
  ``sum([0.1, 0.2])`` is 0.3 as in Packer.
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import gzip
import hashlib
import io
import ipaddress
import json
import math
import os
import re
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from builder.template import numbers
from builder.units import parse_go_duration

__all__ = [
    "FUNCTIONS",
    "INIT_TIME",
    "FunctionError",
    "format_number",
    "go_duration",
    "go_time_format",
    "make_functions",
    "to_string",
]


class FunctionError(Exception):
    """A function call failed; the message is shown to users as is."""


# Process start time: what Packer's legacy_isotime/legacy_strftime (and the Go
# template isotime/timestamp functions) are based on.
INIT_TIME = _dt.datetime.now(_dt.UTC).replace(microsecond=0)

# --------------------------------------------------------------------------- values


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | tuple):
        return "list"
    if isinstance(v, dict):
        return "map"
    return type(v).__name__


def _norm_num(n: int | float) -> int | float:
    """int for integral finite numbers, float otherwise."""
    if isinstance(n, bool):
        return int(n)
    if isinstance(n, float) and n.is_integer():
        return int(n)
    return n


def _dec(n: int | float) -> Decimal:
    return Decimal(n) if isinstance(n, int) else Decimal(repr(n))


def _from_dec(d: Decimal) -> int | float:
    """Back from exact decimal arithmetic (cty numbers are arbitrary precision)."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def format_number(n: int | float) -> str:
    """A number as Packer prints it: ``3`` not ``3.0``, no exponent (:mod:`.numbers`)."""
    try:
        return numbers.format_number(n)
    except ValueError as e:
        raise FunctionError(str(e)) from None


def to_string(v: Any, what: str = "value") -> str:
    """cty's conversion of a primitive value to string."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return format_number(v)
    if v is None:
        raise FunctionError(f"Invalid value for {what}: argument must not be null.")
    raise FunctionError(f"Invalid value for {what}: string required.")


def _parse_number(s: str) -> int | float | None:
    """cty's string → number (:func:`.numbers.parse_number`), None when it is not one."""
    try:
        return numbers.parse_number(s)
    except ValueError:
        return None


def to_number(v: Any, what: str = "value") -> int | float:
    if isinstance(v, bool):
        raise FunctionError(f"Invalid value for {what}: number required.")
    if isinstance(v, int | float):
        return _norm_num(v)
    if isinstance(v, str):
        n = _parse_number(v)
        if n is None:
            raise FunctionError(
                f'Invalid value for {what}: a number is required (cannot convert "{v}" to number).'
            )
        return n
    if v is None:
        raise FunctionError(f"Invalid value for {what}: argument must not be null.")
    raise FunctionError(f"Invalid value for {what}: number required.")


def _to_int(v: Any, what: str) -> int:
    n = to_number(v, what)
    if not isinstance(n, int):
        raise FunctionError(
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        )
    return n


def to_bool(v: Any, what: str = "value") -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false"):
        return v == "true"
    if v is None:
        raise FunctionError(f"Invalid value for {what}: argument must not be null.")
    raise FunctionError(f"Invalid value for {what}: bool required.")


def _to_list(v: Any, what: str = "list") -> list[Any]:
    if isinstance(v, list | tuple):
        return list(v)
    if isinstance(v, set | frozenset):
        return _sorted_set(v)
    if v is None:
        raise FunctionError(f'Invalid value for "{what}" parameter: argument must not be null.')
    raise FunctionError(f'Invalid value for "{what}" parameter: list of any single type required.')


def _to_map(v: Any, what: str = "map") -> dict[str, Any]:
    if isinstance(v, Mapping):
        return dict(v)
    if v is None:
        raise FunctionError(f'Invalid value for "{what}" parameter: argument must not be null.')
    raise FunctionError(f'Invalid value for "{what}" parameter: map of any single type required.')


def _p(name: str) -> str:
    return f'"{name}" parameter'


def _s(v: Any, name: str) -> str:
    return to_string(v, _p(name))


def _n(v: Any, name: str) -> int | float:
    return to_number(v, _p(name))


def _i(v: Any, name: str) -> int:
    return _to_int(v, _p(name))


def _is_primitive(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def _unify(values: list[Any]) -> list[Any]:
    """Make a list of primitives one type, the way cty unifies list elements."""
    kinds = {_type_name(v) for v in values if v is not None}
    if len(kinds) <= 1 or not all(_is_primitive(v) for v in values):
        return values
    if kinds <= {"string", "number", "bool"}:
        return [None if v is None else to_string(v) for v in values]
    return values


def _sort_key(v: Any) -> Any:
    if isinstance(v, bool):
        return (0, int(v), "")
    if isinstance(v, int | float):
        return (1, v, "")
    if isinstance(v, str):
        return (2, 0, v)
    return (3, 0, json.dumps(v, sort_keys=True, default=str))


def _sorted_set(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in _unify(list(values)):
        if not any(_equal(v, o) for o in out):
            out.append(v)
    return sorted(out, key=_sort_key)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, list | tuple) and isinstance(b, list | tuple)):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _graphemes(s: str) -> list[str]:
    """Split into user-perceived characters (base char + combining marks)."""
    out: list[str] = []
    for ch in s:
        joiner = bool(out) and out[-1].endswith("\u200d")
        if out and (
            unicodedata.combining(ch)
            or ch in "\u200d\ufe0f"
            or joiner
            or (0x1F3FB <= ord(ch) <= 0x1F3FF)
            or (ch == "\n" and out[-1] == "\r")
        ):
            out[-1] += ch
        else:
            out.append(ch)
    return out


# --------------------------------------------------------------------------- numeric


def _abs(num: Any) -> int | float:
    return _norm_num(abs(_n(num, "num")))


def _ceil(num: Any) -> int | float:
    n = _n(num, "num")
    if isinstance(n, float) and math.isinf(n):
        return n
    return math.ceil(n)


def _floor(num: Any) -> int | float:
    n = _n(num, "num")
    if isinstance(n, float) and math.isinf(n):
        return n
    return math.floor(n)


def _log(num: Any, base: Any) -> int | float:
    n, b = _n(num, "num"), _n(base, "base")
    try:
        return _norm_num(math.log(n) / math.log(b))
    except (ValueError, ZeroDivisionError):
        if n == 0:
            return -math.inf
        raise FunctionError("log is undefined for these arguments") from None


def _max(*nums: Any) -> int | float:
    if not nums:
        raise FunctionError("must pass at least one number")
    return max(_n(x, "numbers") for x in nums)


def _min(*nums: Any) -> int | float:
    if not nums:
        raise FunctionError("must pass at least one number")
    return min(_n(x, "numbers") for x in nums)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parseint(number: Any, base: Any) -> int:
    if not isinstance(number, str):
        raise FunctionError(f"first argument must be a string, not {_type_name(number)}")
    s = number
    b = _i(base, "base")
    if b < 2 or b > 62:
        raise FunctionError(f"base must be a whole number between 2 and 62 inclusive, got {b}")
    body, sign = s, 1
    if body[:1] in "+-" and body:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        raise FunctionError(f"cannot parse {json.dumps(s)} as a base {b} integer")
    value = 0
    for ch in body:
        d = _DIGITS.find(ch) if b > 36 else _DIGITS.find(ch.lower())
        if d < 0 or d >= b:
            raise FunctionError(f"cannot parse {json.dumps(s)} as a base {b} integer")
        value = value * b + d
    return sign * value


def _pow(num: Any, power: Any) -> int | float:
    n, p = _n(num, "num"), _n(power, "power")
    if isinstance(n, int) and isinstance(p, int) and p >= 0:
        return n**p
    try:
        return _norm_num(math.pow(n, p))
    except (OverflowError, ValueError):
        raise FunctionError("pow result is not a finite number") from None


def _signum(num: Any) -> int:
    n = _i(num, "num")
    return (n > 0) - (n < 0)


def _sum(lst: Any) -> int | float:
    items = _to_list(lst, "list")
    if not items:
        raise FunctionError("cannot sum an empty list")
    total = Decimal(0)
    for v in items:
        if v is None:
            raise FunctionError("argument must be list, set, or tuple of number values")
        n = to_number(v, "list element")
        if isinstance(n, float) and not math.isfinite(n):
            return _norm_num(sum(to_number(x) for x in items))
        total += _dec(n)
    return _from_dec(total)


# --------------------------------------------------------------------------- strings


def _chomp(s: Any) -> str:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", _s(s, "str"))


def _endswith(s: Any, suffix: Any) -> bool:
    return _s(s, "str").endswith(_s(suffix, "suffix"))


def _startswith(s: Any, prefix: Any) -> bool:
    return _s(s, "str").startswith(_s(prefix, "prefix"))


def _strcontains(s: Any, sub: Any) -> bool:
    return _s(sub, "substr") in _s(s, "str")


def _indent(spaces: Any, s: Any) -> str:
    n = _i(spaces, "spaces")
    if n < 0:
        raise FunctionError("strings: negative Repeat count")
    return _s(s, "str").replace("\n", "\n" + " " * n)


def _join(sep: Any, *lists: Any) -> str:
    separator = _s(sep, "separator")
    if not lists:
        raise FunctionError("at least one list is required")
    parts: list[str] = []
    for lst in lists:
        for i, v in enumerate(_to_list(lst, "lists")):
            if v is None:
                raise FunctionError(f"element {i} is null")
            if not _is_primitive(v):
                raise FunctionError(f"element {i}: string required")
            parts.append(to_string(v))
    return separator.join(parts)


def _lower(s: Any) -> str:
    # Go maps rune by rune; a character whose case mapping is several runes stays as is.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in _s(s, "str"))


def _upper(s: Any) -> str:
    return "".join(c if len(c.upper()) != 1 else c.upper() for c in _s(s, "str"))


def _title(s: Any) -> str:
    # Go's strings.Title: upper-case the first letter of each word; a word starts
    # after anything that is not a letter, digit, underscore (ASCII) or letter (other).
    out, prev_sep = [], True
    for ch in _s(s, "str"):
        out.append(ch.upper() if prev_sep and ch.isalpha() else ch)
        prev_sep = not (ch.isalnum() or ch == "_") if ord(ch) < 0x80 else ch.isspace()
    return "".join(out)


def _strrev(s: Any) -> str:
    return "".join(reversed(_graphemes(_s(s, "str"))))


def _substr(s: Any, offset: Any, length: Any) -> str:
    chars = _graphemes(_s(s, "str"))
    off, ln = _i(offset, "offset"), _i(length, "length")
    # cty: a negative offset counts from the end (clamped at the start); an offset
    # past the end gives ""; any negative length means "the rest of the string".
    if off < 0:
        off = max(len(chars) + off, 0)
    elif ln == 0:
        return ""
    if off >= len(chars):
        return ""
    if ln < 0:
        return "".join(chars[off:])
    return "".join(chars[off : off + ln])


def _trim(s: Any, cutset: Any) -> str:
    text, cut = _s(s, "str"), _s(cutset, "cutset")
    return text.strip(cut) if cut else text


def _trimprefix(s: Any, prefix: Any) -> str:
    return _s(s, "str").removeprefix(_s(prefix, "prefix"))


def _trimsuffix(s: Any, suffix: Any) -> str:
    return _s(s, "str").removesuffix(_s(suffix, "suffix"))


_GO_SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _trimspace(s: Any) -> str:
    return _s(s, "str").strip(_GO_SPACE)


def _split(sep: Any, s: Any) -> list[str]:
    separator, text = _s(sep, "separator"), _s(s, "str")
    if separator == "":
        return list(text)
    return text.split(separator)


# ---- regular expressions (Go RE2 syntax, translated to Python's re)

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}


_PERL_CLASSES = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r ", "D": "", "W": "", "S": ""}


def _translate_regex(pattern: str) -> str:
    out: list[str] = []
    i, in_class = 0, False
    multiline = bool(re.match(r"\(\?[a-zA-Z]*m", pattern))
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "z" and not in_class:
                out.append(r"\Z")
            elif nxt in _PERL_CLASSES and (not in_class or nxt.islower()):
                # RE2's \d \w \s are ASCII-only; Python's match Unicode.
                body = _PERL_CLASSES[nxt.lower()]
                out.append(body if in_class else f"[{'^' if nxt.isupper() else ''}{body}]")
            elif nxt in "pP" and i + 2 < len(pattern):
                raise FunctionError(f"invalid regular expression: Unicode class \\{nxt} is not supported")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            m = re.match(r"\[:(\^?)([a-z]+):\]", pattern[i:])
            if m and m.group(2) in _POSIX_CLASSES:
                if m.group(1):
                    raise FunctionError("invalid regular expression: negated POSIX classes are not supported")
                out.append(_POSIX_CLASSES[m.group(2)])
                i += m.end()
                continue
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":
                out.append("\\]")
                i += 1
            continue
        if ch == "$" and not multiline:
            out.append(r"\Z")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_regex_cache: dict[str, re.Pattern[str]] = {}


def compile_regex(pattern: str) -> re.Pattern[str]:
    if pattern not in _regex_cache:
        try:
            _regex_cache[pattern] = re.compile(_translate_regex(pattern))
        except re.error as exc:
            raise FunctionError(f"invalid regular expression pattern: {exc}") from None
    return _regex_cache[pattern]


def _go_expand(template: str, m: re.Match[str]) -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$."""
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        if template[i + 1 : i + 2] == "$":
            out.append("$")
            i += 2
            continue
        name = None
        if template[i + 1 : i + 2] == "{":
            end = template.find("}", i + 2)
            if end > i + 2 and re.fullmatch(r"\w+", template[i + 2 : end]):
                name, i = template[i + 2 : end], end + 1
        else:
            mm = re.match(r"\w+", template[i + 1 :])
            if mm:
                name, i = mm.group(0), i + 1 + mm.end()
        if name is None:
            out.append("$")
            i += 1
            continue
        try:
            grp = m.group(int(name)) if name.isdigit() else m.group(name)
        except (IndexError, KeyError, re.error):
            grp = ""
        out.append(grp or "")
    return "".join(out)


def _replace(s: Any, substr: Any, replacement: Any) -> str:
    # Packer uses cty's plain replace: unlike Terraform's, a "/.../" substring is
    # not a regular expression (use regex_replace for that).
    text, sub, rep = _s(s, "str"), _s(substr, "substr"), _s(replacement, "replace")
    if sub == "":
        return rep + rep.join(text) + rep if text else rep
    return text.replace(sub, rep)


def _regex_replace(s: Any, pattern: Any, replacement: Any) -> str:
    text, pat, rep = _s(s, "str"), _s(pattern, "substr"), _s(replacement, "replace")
    rx = compile_regex(pat)
    return rx.sub(lambda m: _go_expand(rep, m), text)


def _regex_result(rx: re.Pattern[str], m: re.Match[str]) -> Any:
    named = rx.groupindex
    if rx.groups == 0:
        return m.group(0)
    if named:
        if len(named) != rx.groups:
            raise FunctionError(
                "invalid regular expression pattern: can't mix named and unnamed capture groups"
            )
        return {k: m.group(k) for k in named}
    return list(m.groups())


def _regex(pattern: Any, s: Any) -> Any:
    rx = compile_regex(_s(pattern, "pattern"))
    m = rx.search(_s(s, "string"))
    if m is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _regex_result(rx, m)


def _regexall(pattern: Any, s: Any) -> list[Any]:
    rx = compile_regex(_s(pattern, "pattern"))
    return [_regex_result(rx, m) for m in rx.finditer(_s(s, "string"))]


# ---- format / formatlist (cty's printf dialect)

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
        return _pad(_jsonencode(v), width, flags)
    if verb == "v":
        # cty ignores the precision for %v.
        if v is None:
            text = "null"
        elif isinstance(v, list | tuple | dict):
            text = _jsonencode(v)
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
        if not _is_primitive(v):
            raise FunctionError(f"unsupported value for {where}: string required")
        text = to_string(v)
        if prec is not None:
            text = "".join(_graphemes(text)[:prec])
        if verb == "q":
            text = _go_quote(text)
        return _pad(text, width, flags)
    if verb in "bdoxXeEfgG":
        n = _parse_number(v) if isinstance(v, str) else v
        if n is None or isinstance(n, bool) or not isinstance(n, int | float):
            raise FunctionError(f"unsupported value for {where}: a number is required")
        n = _norm_num(n)
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
    spec = _s(fmt, "format")
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
    spec = _s(fmt, "format")
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


# --------------------------------------------------------------------------- collections


def _alltrue(lst: Any) -> bool:
    return all(v is not None and to_bool(v, "list element") for v in _to_list(lst))


def _anytrue(lst: Any) -> bool:
    return any(to_bool(v, "list element") for v in _to_list(lst) if v is not None)


def _chunklist(lst: Any, size: Any) -> list[list[Any]]:
    items, n = _to_list(lst), _i(size, "size")
    if n < 0:
        raise FunctionError("the size argument must be positive")
    if n == 0:
        return [items]
    return [items[i : i + n] for i in range(0, len(items), n)]


def _coalesce(*vals: Any) -> Any:
    kinds = {_is_primitive(v) for v in vals if v is not None}
    if len(kinds) > 1:
        raise FunctionError("all arguments must have the same type")
    for v in _unify(list(vals)):
        if v is None or v == "":
            continue
        return v
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist(*lists: Any) -> list[Any]:
    if not lists:
        raise FunctionError("at least one argument is required")
    for lst in lists:
        items = _to_list(lst, "vals")
        if items:
            return items
    raise FunctionError("no non-null arguments")


def _compact(lst: Any) -> list[str]:
    return [to_string(v) for v in _to_list(lst) if v is not None and v != ""]


def _concat(*seqs: Any) -> list[Any]:
    if not seqs:
        raise FunctionError("at least one argument is required")
    out: list[Any] = []
    for s in seqs:
        out.extend(_to_list(s, "seqs"))
    return out


def _contains(lst: Any, value: Any) -> bool:
    return any(_equal(v, value) for v in _to_list(lst))


def _distinct(lst: Any) -> list[Any]:
    out: list[Any] = []
    for v in _unify(_to_list(lst)):
        if not any(_equal(v, o) for o in out):
            out.append(v)
    return out


def _element(lst: Any, index: Any) -> Any:
    items, i = _to_list(lst), _i(index, "index")
    if not items:
        raise FunctionError("cannot use element function with an empty list")
    if i < 0:
        raise FunctionError("cannot use element function with a negative index")
    return items[i % len(items)]


def _flatten(lst: Any) -> list[Any]:
    out: list[Any] = []

    def walk(items: list[Any]) -> None:
        for v in items:
            if isinstance(v, list | tuple):
                walk(list(v))
            else:
                out.append(v)

    walk(_to_list(lst))
    return out


def _index(lst: Any, value: Any) -> int:
    for i, v in enumerate(_to_list(lst)):
        if _equal(v, value):
            return i
    raise FunctionError("item not found")


def _keys(m: Any) -> list[str]:
    return sorted(_to_map(m, "inputMap"))


def _values(m: Any) -> list[Any]:
    d = _to_map(m, "mapping")
    return [d[k] for k in sorted(d)]


def _length(v: Any) -> int:
    if isinstance(v, str):
        return len(_graphemes(v))
    if isinstance(v, list | tuple | dict | set | frozenset):
        return len(v)
    if v is None:
        raise FunctionError('Invalid value for "value" parameter: argument must not be null.')
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def _lookup(m: Any, key: Any, default: Any) -> Any:
    # Packer (cty) requires the default, unlike Terraform.
    d, k = _to_map(m, "inputMap"), _s(key, "key")
    if default is None:
        raise FunctionError('Invalid value for "default" parameter: argument must not be null')
    return d.get(k, default)


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, Mapping):
            raise FunctionError("arguments must be maps or objects, got " + json.dumps(_type_name(m)))
        out.update(m)
    return out


def _range(*args: Any) -> list[int | float]:
    nums = [_n(a, "params") for a in args]
    start: int | float
    limit: int | float
    step: int | float
    if len(nums) == 1:
        start, limit, step = 0, nums[0], 1 if nums[0] >= 0 else -1
    elif len(nums) == 2:
        start, limit = nums
        step = 1 if start <= limit else -1
    elif len(nums) == 3:
        start, limit, step = nums
    else:
        raise FunctionError("must have one, two, or three arguments")
    if step == 0:
        raise FunctionError("step must not be zero")
    if start < limit and step < 0:
        raise FunctionError("step must be positive when start is less than limit")
    if start > limit and step > 0:
        raise FunctionError("step must be negative when start is greater than limit")
    out: list[int | float] = []
    v, lim, st = _dec(start), _dec(limit), _dec(step)
    while (v < lim) if st > 0 else (v > lim):
        if len(out) >= 1024:
            raise FunctionError(
                "more than 1024 values were generated; either decrease the difference "
                "between start and end or use a smaller step"
            )
        out.append(_from_dec(v))
        v += st
    return out


def _reverse(lst: Any) -> list[Any]:
    return list(reversed(_to_list(lst)))


def _setintersection(first: Any, *others: Any) -> list[Any]:
    base = _sorted_set(_to_list(first, "first_set"))
    for o in others:
        other = _to_list(o, "other_sets")
        base = [v for v in base if any(_equal(v, x) for x in _unify(other))]
    return _sorted_set(base)


def _setunion(first: Any, *others: Any) -> list[Any]:
    items = list(_to_list(first, "first_set"))
    for o in others:
        items.extend(_to_list(o, "other_sets"))
    return _sorted_set(items)


def _setsubtract(a: Any, b: Any) -> list[Any]:
    other = _to_list(b, "b")
    return [v for v in _sorted_set(_to_list(a, "a")) if not any(_equal(v, x) for x in other)]


def _setproduct(*sets: Any) -> list[list[Any]]:
    if len(sets) < 2:
        raise FunctionError("at least two arguments are required")
    result: list[list[Any]] = [[]]
    for s in sets:
        items = _to_list(s, "sets")
        result = [[*r, v] for r in result for v in items]
    return result


def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    items, a, b = _to_list(lst), _i(start, "start_index"), _i(end, "end_index")
    if a < 0:
        raise FunctionError("the start index must not be less than zero")
    if b > len(items):
        raise FunctionError("the end index must not be greater than the length of the list")
    if a > b:
        raise FunctionError("the start index must not be greater than the end index")
    return items[a:b]


def _sort(lst: Any) -> list[str]:
    items = _to_list(lst)
    if any(v is None for v in items):
        raise FunctionError("given list element is null; a null string cannot be sorted")
    return sorted(to_string(v, "list element") for v in items)


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    ks, vs = _to_list(keys, "keys"), _to_list(values, "values")
    if len(ks) != len(vs):
        raise FunctionError(f"number of keys ({len(ks)}) does not match number of values ({len(vs)})")
    return {to_string(k, "keys element"): v for k, v in zip(ks, vs, strict=True)}


def _one(lst: Any) -> Any:
    items = _to_list(lst)
    if len(items) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one elements")
    return items[0] if items else None


def _matchkeys(values: Any, keys: Any, searchset: Any) -> list[Any]:
    vs, ks, ss = _to_list(values, "values"), _to_list(keys, "keys"), _to_list(searchset, "searchset")
    if len(vs) != len(ks):
        raise FunctionError("length of keys and values should be equal")
    return [v for v, k in zip(vs, ks, strict=True) if any(_equal(k, s) for s in ss)]


def _transpose(m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k in sorted(_to_map(m, "values")):
        for v in _to_list(m[k], "values"):
            out.setdefault(to_string(v), []).append(k)
    return {k: out[k] for k in sorted(out)}


# --------------------------------------------------------------------------- encoding


def _jsonencode(v: Any) -> str:
    """Go's json.Marshal of a cty value: sorted keys, compact, HTML characters escaped."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
            raise FunctionError("can't serialize infinity or NaN as JSON")
        return format_number(v)
    if isinstance(v, str):
        text = json.dumps(v, ensure_ascii=False)
        return (
            text.replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )
    if isinstance(v, list | tuple | set | frozenset):
        items = _sorted_set(v) if isinstance(v, set | frozenset) else v
        return "[" + ",".join(_jsonencode(x) for x in items) + "]"
    if isinstance(v, Mapping):
        return "{" + ",".join(_jsonencode(str(k)) + ":" + _jsonencode(v[k]) for k in sorted(v)) + "}"
    raise FunctionError(f"cannot encode a value of type {type(v).__name__} as JSON")


def _json_native(v: Any) -> Any:
    if isinstance(v, float):
        return _norm_num(v)
    if isinstance(v, list):
        return [_json_native(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_native(x) for k, x in v.items()}
    return v


def _parse_json_float(s: str) -> int | float:
    d = Decimal(s)
    if d == d.to_integral_value():
        return int(d)
    return float(s)


def _jsondecode(s: Any) -> Any:
    text = _s(s, "str")
    try:
        return json.loads(text, parse_float=_parse_json_float, parse_constant=_bad_constant)
    except ValueError as exc:
        raise FunctionError(f'Invalid value for "str" parameter: {exc}') from None


def _bad_constant(name: str) -> Any:
    raise ValueError(f"invalid character {name!r} looking for beginning of value")


# ---- YAML


def _yaml_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return format_number(v)
    return _yaml_quote(str(v))


def _yaml_literal_ok(s: str) -> bool:
    """Whether the YAML emitter would write this string as a literal block."""
    if "\n" not in s or s.startswith(" "):
        return False
    if " \n" in s or "\n " in s or "\t" in s or s.endswith(" "):
        return False
    return all(ch == "\n" or (_yaml_printable(ch) and ch not in "\r\x85\ufeff\u2028\u2029") for ch in s)


def _yaml_literal(s: str, indent: int) -> list[str]:
    body = s.rstrip("\n")
    trailing = len(s) - len(body)
    # clip ("") keeps one final newline only after content: a string of newlines alone needs keep
    chomp = "-" if trailing == 0 else "" if trailing == 1 and body else "+"
    pad = " " * indent
    lines = [("" if not ln else pad + ln) for ln in body.split("\n")]
    lines.extend([""] * (trailing - 1) if trailing > 1 else [])
    return ["|" + chomp, *lines]


def _yaml_quote(s: str) -> str:
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
        elif ch == "\x00":
            out.append("\\0")
        elif ch in "\x85\u2028\u2029":
            out.append({"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}[ch])
        elif not _yaml_printable(ch) or ch == "\ufeff":
            out.append(f"\\x{o:02X}" if o <= 0xFF else f"\\u{o:04X}" if o <= 0xFFFF else f"\\U{o:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _yaml_printable(ch: str) -> bool:
    o = ord(ch)
    return (
        ch in "\t\n\r"
        or 0x20 <= o <= 0x7E
        or o == 0x85
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    )


def _yaml_lines(v: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(v, Mapping):
        if not v:
            return [pad + "{}"]
        lines: list[str] = []
        for k in sorted(v):
            item = v[k]
            key = pad + _yaml_quote(str(k)) + ":"
            if isinstance(item, Mapping) and item:
                lines.append(key)
                lines.extend(_yaml_lines(item, indent + 2))
            elif isinstance(item, list | tuple) and item:
                lines.append(key)
                lines.extend(_yaml_lines(item, indent))
            elif isinstance(item, str) and _yaml_literal_ok(item):
                head, *rest = _yaml_literal(item, indent + 2)
                lines.append(key + " " + head)
                lines.extend(rest)
            else:
                lines.append(key + " " + _yaml_inline(item))
        return lines
    if isinstance(v, list | tuple):
        if not v:
            return [pad + "[]"]
        lines = []
        for item in v:
            if (isinstance(item, Mapping | list | tuple)) and item:
                sub = _yaml_lines(item, indent + 2)
                lines.append(pad + "- " + sub[0][indent + 2 :])
                lines.extend(sub[1:])
            elif isinstance(item, str) and _yaml_literal_ok(item):
                head, *rest = _yaml_literal(item, indent + 2)
                lines.append(pad + "- " + head)
                lines.extend(rest)
            else:
                lines.append(pad + "- " + _yaml_inline(item))
        return lines
    if isinstance(v, str) and _yaml_literal_ok(v):
        return _yaml_literal(v, indent + 2)
    return [pad + _yaml_scalar(v)]


def _yaml_inline(v: Any) -> str:
    if isinstance(v, Mapping):
        return "{}"
    if isinstance(v, list | tuple):
        return "[]"
    return _yaml_scalar(v)


def _yamlencode(v: Any) -> str:
    text = "\n".join(_yaml_lines(v, 0)) + "\n"
    if v is None or isinstance(v, bool | int | float):
        text += "...\n"  # the emitter closes a document that is one plain scalar
    return text


def _yaml_loader() -> type:
    """PyYAML's safe loader with the implicit types of go-cty-yaml (what Packer uses):
    YAML 1.1 booleans (y, yes, on, ...), decimal integers only ("0x1F" and "0o17"
    stay strings, "017" is 17), floats such as "1e3", timestamps as RFC 3339 strings."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    replaced = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in items if tag not in replaced]
        for first, items in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(
            r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE"
            r"|on|On|ON|off|Off|OFF)$"
        ),
        list("yYnNtTfFoO"),
    )
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9][0-9_]*$"), list("-+0123456789")
    )
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+0123456789."),
    )

    def bool_(loader: Any, node: Any) -> bool:
        return str(loader.construct_scalar(node)).lower() in ("y", "yes", "true", "on")

    def int_(loader: Any, node: Any) -> int:
        return int(str(loader.construct_scalar(node)).replace("_", ""))

    def float_(loader: Any, node: Any) -> int | float:
        text = str(loader.construct_scalar(node)).replace("_", "").lower()
        if text.endswith("inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        return _parse_json_float(text if not text.startswith(".") else "0" + text)

    def binary(loader: Any, node: Any) -> str:
        return str(loader.construct_scalar(node))  # go-cty-yaml keeps the base64 text

    Loader.add_constructor("tag:yaml.org,2002:binary", binary)
    Loader.add_constructor("tag:yaml.org,2002:bool", bool_)
    Loader.add_constructor("tag:yaml.org,2002:int", int_)
    Loader.add_constructor("tag:yaml.org,2002:float", float_)
    return Loader


_YAML_LOADER: type | None = None


def _yamldecode(s: Any) -> Any:
    import yaml

    global _YAML_LOADER
    text = _s(s, "src")
    if _YAML_LOADER is None:
        _YAML_LOADER = _yaml_loader()
    try:
        docs = list(yaml.load_all(text, Loader=_YAML_LOADER))
    except yaml.YAMLError as exc:
        raise FunctionError(
            f"on line {getattr(getattr(exc, 'problem_mark', None), 'line', 0) + 1}: {exc}"
        ) from None
    if not docs:
        raise FunctionError("on line 1, column 1: missing start of document")
    if len(docs) > 1:
        raise FunctionError("unexpected extra content after value")
    return _yaml_native(docs[0])


def _yaml_native(v: Any) -> Any:
    if isinstance(v, float):
        if math.isinf(v) or math.isnan(v):
            return v
        return _norm_num(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, list):
        return [_yaml_native(x) for x in v]
    if isinstance(v, dict):
        return {
            to_string(k) if _is_primitive(k) and k is not None else str(k): _yaml_native(x)
            for k, x in v.items()
        }
    if isinstance(v, _dt.datetime):
        return format_rfc3339(v if v.tzinfo else v.replace(tzinfo=_dt.UTC))
    if isinstance(v, _dt.date):
        return f"{v.isoformat()}T00:00:00Z"
    return v


def _csvdecode(s: Any) -> list[dict[str, str]]:
    text = _s(s, "str")
    rows = list(csv.reader(io.StringIO(text), strict=True))
    if not rows:
        raise FunctionError("missing header line")
    header = rows[0]
    for i, name in enumerate(header):
        if name in header[:i]:
            raise FunctionError(f"duplicate column name {json.dumps(name)}")
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise FunctionError(f"record on line {i}: wrong number of fields")
        out.append(dict(zip(header, row, strict=True)))
    return out


def _base64decode(s: Any) -> str:
    text = _s(s, "str")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise FunctionError(f"failed to decode base64 data {text!r}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the result of decoding the provided string is not valid UTF-8") from None


def _base64encode(s: Any) -> str:
    return base64.b64encode(_s(s, "str").encode()).decode()


def _base64gzip(s: Any) -> str:
    return base64.b64encode(gzip.compress(_s(s, "str").encode(), mtime=0)).decode()


def _codec(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name.replace("_", "-")).name
    except LookupError:
        raise FunctionError(f'"{name}" is not a supported IANA encoding name or alias') from None


def _textencodebase64(s: Any, encoding: Any) -> str:
    codec = _codec(_s(encoding, "encoding"))
    try:
        data = _s(s, "string").encode(codec)
    except UnicodeEncodeError:
        raise FunctionError(
            f"the given string contains characters that cannot be represented in {encoding}"
        ) from None
    return base64.b64encode(data).decode()


def _textdecodebase64(s: Any, encoding: Any) -> str:
    codec = _codec(_s(encoding, "encoding"))
    try:
        raw = base64.b64decode(_s(s, "source"), validate=True)
    except ValueError:
        raise FunctionError("the given value has an invalid base64 encoding") from None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        raise FunctionError(f"the given value is has an invalid {encoding} encoding") from None


def _urlencode(s: Any) -> str:
    return urllib.parse.quote_plus(_s(s, "str"), safe="")


# --------------------------------------------------------------------------- date / time

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
    fmt, t = _s(spec, "format"), parse_rfc3339(_s(ts, "time"))
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
    t = parse_rfc3339(_s(ts, "timestamp"))
    d = go_duration(_s(duration, "duration"))
    try:
        t2 = t + d
    except OverflowError:
        raise FunctionError("the resulting time is out of range") from None
    return format_rfc3339(t2.replace(microsecond=0))


def _rfc3339_parse(ts: Any) -> dict[str, Any]:
    text = _s(ts, "timestamp")
    try:
        t = parse_rfc3339(text, allow_space=True)
    except FunctionError:
        raise FunctionError(f"{json.dumps(text)} is not a valid RFC3339 timestamp") from None
    return {**_time_object(t), "unix": int(t.timestamp())}


def _unix_timestamp_parse(ts: Any) -> dict[str, Any]:
    n = _n(ts, "unix_timestamp")
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
    layout = _s(fmt[0], "format") if fmt else "2006-01-02T15:04:05Z07:00"
    return go_time_format(INIT_TIME, layout)


def _legacy_strftime(fmt: Any) -> str:
    spec = _s(fmt, "format")
    try:
        return INIT_TIME.strftime(spec)
    except ValueError as exc:
        raise FunctionError(f"failed to format time: {exc}") from None


# --------------------------------------------------------------------------- crypto, uuid


def _bcrypt(s: Any, *cost: Any) -> str:
    import bcrypt as _bc

    if len(cost) > 1:
        raise FunctionError("bcrypt() takes at most two arguments")
    rounds = _i(cost[0], "cost") if cost else 10
    if rounds < 4 or rounds > 31:
        raise FunctionError(
            f"error occurred generating password crypto/bcrypt: cost {rounds} is outside allowed range (4,31)"
        )
    data = _s(s, "str").encode()
    if len(data) > 72:
        raise FunctionError("error occurred generating password: password length exceeds 72 bytes")
    return _bc.hashpw(data, _bc.gensalt(rounds=rounds, prefix=b"2a")).decode()


def _hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        return hashlib.new(algo, _s(s, "str").encode()).hexdigest()

    fn.__name__ = algo
    return fn


def _rsadecrypt(ciphertext: Any, privatekey: Any) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        raw = base64.b64decode(_s(ciphertext, "ciphertext"), validate=True)
    except ValueError:
        raise FunctionError("failed to decode input: illegal base64 data") from None
    try:
        key = serialization.load_pem_private_key(_s(privatekey, "privatekey").encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise FunctionError(f"failed to parse key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise FunctionError("failed to parse key: not an RSA private key")
    try:
        return key.decrypt(raw, padding.PKCS1v15()).decode()
    except ValueError:
        raise FunctionError("failed to decrypt: crypto/rsa: decryption error") from None


def _uuidv4() -> str:
    return str(uuid.uuid4())


_UUID_NS = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}


def _uuidv5(namespace: Any, name: Any) -> str:
    ns = _s(namespace, "namespace")
    if ns in _UUID_NS:
        space = _UUID_NS[ns]
    else:
        try:
            space = uuid.UUID(ns)
        except ValueError:
            raise FunctionError(f"uuidv5() doesn't support namespace {ns} (invalid UUID length)") from None
    return str(uuid.uuid5(space, _s(name, "name")))


# --------------------------------------------------------------------------- network

_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_cidr(prefix: Any) -> _Net:
    text = _s(prefix, "prefix")
    if "/" not in text:
        raise FunctionError(f"invalid CIDR expression: invalid CIDR address: {text}")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise FunctionError(f"invalid CIDR expression: invalid CIDR address: {text}") from None


def _cidrhost(prefix: Any, hostnum: Any) -> str:
    net, num = _parse_cidr(prefix), _i(hostnum, "hostnum")
    size = net.num_addresses
    idx = num if num >= 0 else size + num
    if idx < 0 or idx >= size:
        raise FunctionError(f"prefix of {net.prefixlen} bits cannot accommodate a host numbered {num}")
    return str(net.network_address + idx)


def _cidrnetmask(prefix: Any) -> str:
    return str(_parse_cidr(prefix).netmask)


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    net, nb, num = _parse_cidr(prefix), _i(newbits, "newbits"), _i(netnum, "netnum")
    newlen = net.prefixlen + nb
    if nb < 0:
        raise FunctionError("invalid CIDR expression: newbits must not be negative")
    if newlen > net.max_prefixlen:
        kind = "IPv4" if net.version == 4 else "IPv6"
        raise FunctionError(
            f"insufficient address space to extend prefix of {net.prefixlen} by {nb} "
            f"(would extend prefix to {newlen} bits, which is too long for an {kind} address)"
        )
    if num < 0 or num >= (1 << nb):
        raise FunctionError(f"prefix extension of {nb} does not accommodate a subnet numbered {num}")
    step = 1 << (net.max_prefixlen - newlen)
    addr = net.network_address + num * step
    return f"{addr}/{newlen}"


def _cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    base = _parse_cidr(prefix)
    if not newbits:
        return []
    maxlen = base.max_prefixlen
    kind = "IPv4" if base.version == 4 else "IPv6"
    out: list[str] = []
    cur_addr: int | None = None
    cur_len = 0
    base_start = int(base.network_address)
    base_end = base_start + base.num_addresses
    for nbv in newbits:
        nb = _i(nbv, "newbits")
        if nb < 1:
            raise FunctionError(f"invalid newbits {nb}: must be greater than zero")
        length = base.prefixlen + nb
        if length > maxlen:
            raise FunctionError(
                f"would extend prefix to {length} bits, which is too long for an {kind} address"
            )
        size = 1 << (maxlen - length)
        if cur_addr is None:
            start = base_start
        else:
            last = cur_addr + (1 << (maxlen - cur_len)) - 1
            block_start = last - (last % size)
            start = block_start + size
            if start >= (1 << maxlen) or start < base_start or start >= base_end:
                raise FunctionError(
                    f"not enough remaining address space for a subnet with a prefix of {length} "
                    f"bits after {out[-1]}"
                )
        if start + size > base_end:
            raise FunctionError(
                f"not enough remaining address space for a subnet with a prefix of {length} bits"
                + (f" after {out[-1]}" if out else "")
            )
        cur_addr, cur_len = start, length
        addr = ipaddress.ip_address(start) if base.version == 4 else ipaddress.IPv6Address(start)
        out.append(f"{addr}/{length}")
    return out


# --------------------------------------------------------------------------- conversion


def _tostring(v: Any) -> str | None:
    if v is None:
        return None
    if not _is_primitive(v):
        raise FunctionError(f'Invalid value for "v" parameter: cannot convert {_type_name(v)} to string.')
    return to_string(v)


def _tonumber(v: Any) -> int | float | None:
    if v is None:
        return None
    if isinstance(v, str):
        n = _parse_number(v)
        if n is None:
            raise FunctionError(
                f'Invalid value for "v" parameter: cannot convert "{v}" to number; '
                "given string must be a decimal representation of a number."
            )
        return n
    if isinstance(v, int | float) and not isinstance(v, bool):
        return _norm_num(v)
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {_type_name(v)} to number.')


def _tobool(v: Any) -> bool | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false"):
        return v == "true"
    if isinstance(v, str):
        raise FunctionError(
            f'Invalid value for "v" parameter: cannot convert "{v}" to bool; only the strings '
            '"true" or "false" are allowed.'
        )
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {_type_name(v)} to bool.')


def _tolist(v: Any) -> list[Any] | None:
    if v is None:
        return None
    if isinstance(v, list | tuple | set | frozenset):
        items = _sorted_set(v) if isinstance(v, set | frozenset) else list(v)
        return _unify(items)
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {_type_name(v)} to list of any.')


def _toset(v: Any) -> list[Any] | None:
    if v is None:
        return None
    if isinstance(v, list | tuple | set | frozenset):
        return _sorted_set(v)
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {_type_name(v)} to set of any.')


def _tomap(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if isinstance(v, Mapping):
        keys = list(v)
        vals = _unify([v[k] for k in keys])
        return dict(zip(keys, vals, strict=True))
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {_type_name(v)} to map of any.')


def _split_type_args(text: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def convert_value(v: Any, type_spec: str) -> Any:
    """Convert a value to an HCL type written as text: string, list(number), map(any), ..."""
    t = re.sub(r"\s+", "", type_spec)
    if v is None:
        return None
    if t in ("any", "dynamic"):
        return v
    if t == "string":
        return _tostring(v)
    if t == "number":
        return _tonumber(v)
    if t == "bool":
        return _tobool(v)
    m = re.fullmatch(r"(list|set|map|tuple|object)\((.*)\)", t)
    if not m:
        raise FunctionError(f"unsupported type {type_spec!r}")
    kind, inner = m.groups()
    if kind in ("list", "set"):
        items = _to_list(v, "value") if not isinstance(v, Mapping) else None
        if items is None:
            raise FunctionError(f"cannot convert map to {kind}")
        conv = [convert_value(x, inner) for x in items]
        return _sorted_set(conv) if kind == "set" else (_unify(conv) if inner == "any" else conv)
    if kind == "map":
        d = _to_map(v, "value")
        conv_map = {k: convert_value(x, inner) for k, x in d.items()}
        if inner == "any":
            keys = list(conv_map)
            conv_map = dict(zip(keys, _unify([conv_map[k] for k in keys]), strict=True))
        return conv_map
    if kind == "tuple":
        types = _split_type_args(inner.strip("[]"))
        items = _to_list(v, "value")
        if len(items) != len(types):
            raise FunctionError(f"tuple required with {len(types)} elements")
        return [convert_value(x, ty) for x, ty in zip(items, types, strict=True)]
    attrs: dict[str, str] = {}
    for part in _split_type_args(inner.strip("{}")):
        name, _, ty = part.partition("=")
        attrs[name.strip()] = ty
    d = _to_map(v, "value")
    missing = [a for a in attrs if a not in d]
    if missing:
        raise FunctionError(f'attribute "{missing[0]}" is required')
    return {a: convert_value(d[a], ty) for a, ty in attrs.items()}


def _convert(v: Any, type_spec: Any) -> Any:
    if not isinstance(type_spec, str):
        raise FunctionError("convert() needs a type such as string, number or list(string)")
    return convert_value(v, type_spec)


# --------------------------------------------------------------------------- filesystem


def _go_clean(path: str) -> str:
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def _basename(path: Any) -> str:
    p = _s(path, "path")
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p.rsplit("/", 1)[-1]


def _dirname(path: Any) -> str:
    p = _s(path, "path")
    i = p.rfind("/")
    return _go_clean(p[: i + 1])


def _pathexpand(path: Any) -> str:
    p = _s(path, "path")
    if p == "~" or p.startswith("~/"):
        return os.path.expanduser("~") + p[1:]
    return p


def _abspath(path: Any) -> str:
    p = _s(path, "path")
    return _go_clean(os.path.join(os.getcwd(), p) if not p.startswith("/") else p)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A doublestar glob as a regex over '/'-separated relative paths."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise FunctionError(f"failed to glob pattern ({pattern}): syntax error in pattern")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body + "]")
            i = end + 1
        elif ch == "{":
            end = pattern.find("}", i + 1)
            if end < 0:
                raise FunctionError(f"failed to glob pattern ({pattern}): syntax error in pattern")
            alts = pattern[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_glob_regex(a).pattern[:-2] for a in alts) + ")")
            i = end + 1
        elif ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out) + r"\Z")


def make_functions(base_dir: str, allow_env: bool) -> dict[str, Callable[..., Any]]:
    """:data:`FUNCTIONS` plus filesystem functions relative to ``base_dir`` (and ``env``)."""

    def resolve(path: str) -> str:
        p = _pathexpand(path)
        return p if os.path.isabs(p) else os.path.join(base_dir, p)

    def read_bytes(path: str) -> bytes:
        full = resolve(path)
        try:
            with open(full, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            raise FunctionError(
                f"no file exists at {path}; this function works only with files that are distributed "
                "as part of the configuration source code"
            ) from None
        except IsADirectoryError:
            raise FunctionError(f"{path} is a directory, not a file") from None
        except OSError as exc:
            raise FunctionError(f"failed to read {path}: {exc.strerror}") from None

    def read_text(path: str) -> str:
        data = read_bytes(path)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise FunctionError(
                f"contents of {path} are not valid UTF-8; use the filebase64 function to obtain "
                "the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) "
                "to obtain file hashing results instead"
            ) from None

    def file(path: Any) -> str:
        return read_text(_s(path, "path"))

    def filebase64(path: Any) -> str:
        return base64.b64encode(read_bytes(_s(path, "path"))).decode()

    def fileexists(path: Any) -> bool:
        p = _s(path, "path")
        full = resolve(p)
        try:
            st = os.stat(full)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise FunctionError(f"failed to stat {p}: {exc.strerror}") from None
        import stat as _stat

        if _stat.S_ISREG(st.st_mode):
            return True
        kind = "a directory" if _stat.S_ISDIR(st.st_mode) else "a special file"
        raise FunctionError(f"{p} is not a regular file, but {kind}")

    def fileset(path: Any, pattern: Any) -> list[str]:
        root, pat = _s(path, "path"), _s(pattern, "pattern")
        full_root = resolve(root)
        rx = _glob_regex(pat)
        found: list[str] = []
        for dirpath, _dirs, files in os.walk(full_root):
            for name in files:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, full_root).replace(os.sep, "/")
                if rx.match(rel) and os.path.isfile(full):
                    found.append(rel)
        return sorted(found)

    def hashfile(algo: str) -> Callable[[Any], str]:
        def fn(path: Any) -> str:
            return hashlib.new(algo, read_bytes(_s(path, "path"))).hexdigest()

        return fn

    def templatefile(path: Any, variables: Any) -> str:
        p = _s(path, "path")
        if not isinstance(variables, Mapping):
            raise FunctionError('Invalid value for "vars" parameter: map or object required.')
        for k in variables:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(k)):
                raise FunctionError(
                    f"invalid template variable name {k!r}: must start with a letter, "
                    "followed by zero or more letters, digits, and underscores"
                )
        text = read_text(p)
        from builder.template.evaluator import render_template_string

        return render_template_string(text, dict(variables), resolve(p))

    fns: dict[str, Callable[..., Any]] = dict(FUNCTIONS)
    fns.update(
        {
            "file": file,
            "filebase64": filebase64,
            "fileexists": fileexists,
            "fileset": fileset,
            "filemd5": hashfile("md5"),
            "filesha1": hashfile("sha1"),
            "filesha256": hashfile("sha256"),
            "filesha512": hashfile("sha512"),
            "templatefile": templatefile,
        }
    )
    if allow_env:

        def env(name: Any) -> str:
            return os.environ.get(_s(name, "key"), "")

        fns["env"] = env
    return fns


def _unsupported(name: str) -> Callable[..., Any]:
    def fn(*_args: Any) -> Any:
        raise FunctionError(f"{name} is not supported by pybuild: it reaches a cloud secret store")

    fn.__name__ = name
    return fn


# --------------------------------------------------------------------------- registry

FUNCTIONS: dict[str, Callable[..., Any]] = {
    # numeric
    "abs": _abs,
    "ceil": _ceil,
    "floor": _floor,
    "log": _log,
    "max": _max,
    "min": _min,
    "parseint": _parseint,
    "pow": _pow,
    "signum": _signum,
    "sum": _sum,
    # string
    "chomp": _chomp,
    "endswith": _endswith,
    "startswith": _startswith,
    "strcontains": _strcontains,
    "format": _format,
    "formatlist": _formatlist,
    "indent": _indent,
    "join": _join,
    "lower": _lower,
    "upper": _upper,
    "title": _title,
    "regex": _regex,
    "regexall": _regexall,
    "regex_replace": _regex_replace,
    "replace": _replace,
    "split": _split,
    "strrev": _strrev,
    "substr": _substr,
    "trim": _trim,
    "trimprefix": _trimprefix,
    "trimsuffix": _trimsuffix,
    "trimspace": _trimspace,
    # collection
    "alltrue": _alltrue,
    "anytrue": _anytrue,
    "chunklist": _chunklist,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "concat": _concat,
    "contains": _contains,
    "distinct": _distinct,
    "element": _element,
    "flatten": _flatten,
    "index": _index,
    "keys": _keys,
    "values": _values,
    "length": _length,
    "lookup": _lookup,
    "merge": _merge,
    "range": _range,
    "reverse": _reverse,
    "setintersection": _setintersection,
    "setproduct": _setproduct,
    "setunion": _setunion,
    "setsubtract": _setsubtract,
    "slice": _slice,
    "sort": _sort,
    "zipmap": _zipmap,
    "one": _one,
    "matchkeys": _matchkeys,
    "transpose": _transpose,
    # encoding
    "base64decode": _base64decode,
    "base64encode": _base64encode,
    "base64gzip": _base64gzip,
    "csvdecode": _csvdecode,
    "jsondecode": _jsondecode,
    "jsonencode": _jsonencode,
    "textdecodebase64": _textdecodebase64,
    "textencodebase64": _textencodebase64,
    "urlencode": _urlencode,
    "yamldecode": _yamldecode,
    "yamlencode": _yamlencode,
    # filesystem (path-only; the reading ones come from make_functions)
    "abspath": _abspath,
    "basename": _basename,
    "dirname": _dirname,
    "pathexpand": _pathexpand,
    # date/time
    "formatdate": _formatdate,
    "timeadd": _timeadd,
    "timestamp": _timestamp,
    "legacy_isotime": _legacy_isotime,
    "legacy_strftime": _legacy_strftime,
    "rfc3339_parse": _rfc3339_parse,
    "unix_timestamp_parse": _unix_timestamp_parse,
    # crypto / uuid
    "bcrypt": _bcrypt,
    "md5": _hash("md5"),
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
    "rsadecrypt": _rsadecrypt,
    "uuidv4": _uuidv4,
    "uuidv5": _uuidv5,
    # network
    "cidrhost": _cidrhost,
    "cidrnetmask": _cidrnetmask,
    "cidrsubnet": _cidrsubnet,
    "cidrsubnets": _cidrsubnets,
    # conversion
    "convert": _convert,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "tolist": _tolist,
    "tomap": _tomap,
    "toset": _toset,
    # external secret stores: refused
    "vault": _unsupported("vault"),
    "consul_key": _unsupported("consul_key"),
    "aws_secretsmanager": _unsupported("aws_secretsmanager"),
    "aws_secretsmanager_raw": _unsupported("aws_secretsmanager_raw"),
}
