"""Numeric functions (``abs`` ... ``sum``); ``sum`` steps in decimal as cty does."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from builder.template.functions.values import (
    FunctionError,
    arg_int,
    arg_number,
    from_decimal,
    norm_num,
    to_decimal,
    to_list,
    to_number,
    type_name,
)


def _abs(num: Any) -> int | float:
    return norm_num(abs(arg_number(num, "num")))


def _ceil(num: Any) -> int | float:
    n = arg_number(num, "num")
    if isinstance(n, float) and math.isinf(n):
        return n
    return math.ceil(n)


def _floor(num: Any) -> int | float:
    n = arg_number(num, "num")
    if isinstance(n, float) and math.isinf(n):
        return n
    return math.floor(n)


def _log(num: Any, base: Any) -> int | float:
    n, b = arg_number(num, "num"), arg_number(base, "base")
    try:
        return norm_num(math.log(n) / math.log(b))
    except (ValueError, ZeroDivisionError):
        if n == 0:
            return -math.inf
        raise FunctionError("log is undefined for these arguments") from None


def _max(*nums: Any) -> int | float:
    if not nums:
        raise FunctionError("must pass at least one number")
    return max(arg_number(x, "numbers") for x in nums)


def _min(*nums: Any) -> int | float:
    if not nums:
        raise FunctionError("must pass at least one number")
    return min(arg_number(x, "numbers") for x in nums)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parseint(number: Any, base: Any) -> int:
    if not isinstance(number, str):
        raise FunctionError(f"first argument must be a string, not {type_name(number)}")
    s = number
    b = arg_int(base, "base")
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
    n, p = arg_number(num, "num"), arg_number(power, "power")
    if isinstance(n, int) and isinstance(p, int) and p >= 0:
        return n**p
    try:
        return norm_num(math.pow(n, p))
    except (OverflowError, ValueError):
        raise FunctionError("pow result is not a finite number") from None


def _signum(num: Any) -> int:
    n = arg_int(num, "num")
    return (n > 0) - (n < 0)


def _sum(lst: Any) -> int | float:
    items = to_list(lst, "list")
    if not items:
        raise FunctionError("cannot sum an empty list")
    total = Decimal(0)
    for v in items:
        if v is None:
            raise FunctionError("argument must be list, set, or tuple of number values")
        n = to_number(v, "list element")
        if isinstance(n, float) and not math.isfinite(n):
            return norm_num(sum(to_number(x) for x in items))
        total += to_decimal(n)
    return from_decimal(total)


TABLE: dict[str, Callable[..., Any]] = {
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
}
