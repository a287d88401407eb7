"""Numbers as cty has them: the one string → number and number → string conversion of the
template engine (type conversion of variables, ``tonumber``, arithmetic operands, ``format``).

- :func:`parse_number` is cty's ``ParseNumberVal`` (Go's ``big.ParseFloat`` in base 10): an
  optional sign, digits with an optional fraction (``5``, ``+5``, ``5.``, ``.5``), an optional
  exponent (``1e3``), or infinity spelled ``inf``/``Inf`` with an optional sign. Nothing
  else: no blanks (``" 5"`` is not a number, for ``tonumber`` and a ``number`` variable alike),
  no ``_``, no hex, no ``NaN``, no ``infinity``.
- :func:`format_number` is cty's number → string: ``3`` not ``3.0``, no exponent, infinity
  as ``+Inf``/``-Inf``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INFINITY = {"inf": math.inf, "Inf": math.inf, "+inf": math.inf, "+Inf": math.inf,
             "-inf": -math.inf, "-Inf": -math.inf}


def parse_number(text: str) -> int | float:
    """cty's number from a string: an int when the value is whole, else a float. Raises ValueError."""
    if text in _INFINITY:
        return _INFINITY[text]
    if not isinstance(text, str) or _NUMBER_RE.fullmatch(text) is None:
        raise ValueError(f"a number is required, not {text!r}")
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    d = Decimal(text)
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 400:
        return int(d)
    return float(text)


def format_number(n: int | float) -> str:
    """cty's string for a number. Raises ValueError for a bool (not a number in cty)."""
    if isinstance(n, bool):
        raise ValueError("number required")
    if isinstance(n, int):
        return str(n)
    if math.isinf(n):
        return "+Inf" if n > 0 else "-Inf"
    if math.isnan(n):
        return "NaN"
    if n.is_integer():
        return str(int(n)) if abs(n) < 1e16 else format(Decimal(repr(n)), "f")
    return format(Decimal(repr(n)), "f")


__all__ = ["format_number", "parse_number"]
