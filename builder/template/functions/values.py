"""Value helpers shared by the function library: argument conversion as cty does it, number
formatting, type names for messages, set ordering and equality, grapheme clusters."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from builder.template import numbers


class FunctionError(Exception):
    """A function call failed; the message is shown to users as is."""



def type_name(v: Any) -> str:
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


def norm_num(n: int | float) -> int | float:
    """int for integral finite numbers, float otherwise."""
    if isinstance(n, bool):
        return int(n)
    if isinstance(n, float) and n.is_integer():
        return int(n)
    return n


def to_decimal(n: int | float) -> Decimal:
    return Decimal(n) if isinstance(n, int) else Decimal(repr(n))


def from_decimal(d: Decimal) -> int | float:
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


def parse_number(s: str) -> int | float | None:
    """cty's string → number (:func:`.numbers.parse_number`), None when it is not one."""
    try:
        return numbers.parse_number(s)
    except ValueError:
        return None


def to_number(v: Any, what: str = "value") -> int | float:
    if isinstance(v, bool):
        raise FunctionError(f"Invalid value for {what}: number required.")
    if isinstance(v, int | float):
        return norm_num(v)
    if isinstance(v, str):
        n = parse_number(v)
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


def to_list(v: Any, what: str = "list") -> list[Any]:
    if isinstance(v, list | tuple):
        return list(v)
    if isinstance(v, set | frozenset):
        return sorted_set(v)
    if v is None:
        raise FunctionError(f'Invalid value for "{what}" parameter: argument must not be null.')
    raise FunctionError(f'Invalid value for "{what}" parameter: list of any single type required.')


def to_map(v: Any, what: str = "map") -> dict[str, Any]:
    if isinstance(v, Mapping):
        return dict(v)
    if v is None:
        raise FunctionError(f'Invalid value for "{what}" parameter: argument must not be null.')
    raise FunctionError(f'Invalid value for "{what}" parameter: map of any single type required.')


def _p(name: str) -> str:
    return f'"{name}" parameter'


def arg_str(v: Any, name: str) -> str:
    return to_string(v, _p(name))


def arg_number(v: Any, name: str) -> int | float:
    return to_number(v, _p(name))


def arg_int(v: Any, name: str) -> int:
    return _to_int(v, _p(name))


def is_primitive(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def unify(values: list[Any]) -> list[Any]:
    """Make a list of primitives one type, the way cty unifies list elements."""
    kinds = {type_name(v) for v in values if v is not None}
    if len(kinds) <= 1 or not all(is_primitive(v) for v in values):
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


def sorted_set(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in unify(list(values)):
        if not any(equal(v, o) for o in out):
            out.append(v)
    return sorted(out, key=_sort_key)


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, list | tuple) and isinstance(b, list | tuple)):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(a == b)


def graphemes(s: str) -> list[str]:
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
