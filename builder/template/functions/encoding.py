"""Encoding functions: JSON (cty's number rules), CSV, base64 (also of other text encodings),
gzip, URL encoding."""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import math
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from builder.template.functions.values import FunctionError, arg_str, format_number, norm_num, sorted_set


def json_encode(v: Any) -> str:
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
        items = sorted_set(v) if isinstance(v, set | frozenset) else v
        return "[" + ",".join(json_encode(x) for x in items) + "]"
    if isinstance(v, Mapping):
        return "{" + ",".join(json_encode(str(k)) + ":" + json_encode(v[k]) for k in sorted(v)) + "}"
    raise FunctionError(f"cannot encode a value of type {type(v).__name__} as JSON")


def _json_native(v: Any) -> Any:
    if isinstance(v, float):
        return norm_num(v)
    if isinstance(v, list):
        return [_json_native(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_native(x) for k, x in v.items()}
    return v


def parse_json_float(s: str) -> int | float:
    d = Decimal(s)
    if d == d.to_integral_value():
        return int(d)
    return float(s)


def _jsondecode(s: Any) -> Any:
    text = arg_str(s, "str")
    try:
        return json.loads(text, parse_float=parse_json_float, parse_constant=_bad_constant)
    except ValueError as exc:
        raise FunctionError(f'Invalid value for "str" parameter: {exc}') from None


def _bad_constant(name: str) -> Any:
    raise ValueError(f"invalid character {name!r} looking for beginning of value")


def _csvdecode(s: Any) -> list[dict[str, str]]:
    text = arg_str(s, "str")
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
    text = arg_str(s, "str")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise FunctionError(f"failed to decode base64 data {text!r}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the result of decoding the provided string is not valid UTF-8") from None


def _base64encode(s: Any) -> str:
    return base64.b64encode(arg_str(s, "str").encode()).decode()


def _base64gzip(s: Any) -> str:
    return base64.b64encode(gzip.compress(arg_str(s, "str").encode(), mtime=0)).decode()


def _codec(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name.replace("_", "-")).name
    except LookupError:
        raise FunctionError(f'"{name}" is not a supported IANA encoding name or alias') from None


def _textencodebase64(s: Any, encoding: Any) -> str:
    codec = _codec(arg_str(encoding, "encoding"))
    try:
        data = arg_str(s, "string").encode(codec)
    except UnicodeEncodeError:
        raise FunctionError(
            f"the given string contains characters that cannot be represented in {encoding}"
        ) from None
    return base64.b64encode(data).decode()


def _textdecodebase64(s: Any, encoding: Any) -> str:
    codec = _codec(arg_str(encoding, "encoding"))
    try:
        raw = base64.b64decode(arg_str(s, "source"), validate=True)
    except ValueError:
        raise FunctionError("the given value has an invalid base64 encoding") from None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        raise FunctionError(f"the given value is has an invalid {encoding} encoding") from None


def _urlencode(s: Any) -> str:
    return urllib.parse.quote_plus(arg_str(s, "str"), safe="")


TABLE: dict[str, Callable[..., Any]] = {
    "base64decode": _base64decode,
    "base64encode": _base64encode,
    "base64gzip": _base64gzip,
    "csvdecode": _csvdecode,
    "jsondecode": _jsondecode,
    "jsonencode": json_encode,
    "textdecodebase64": _textdecodebase64,
    "textencodebase64": _textencodebase64,
    "urlencode": _urlencode,
}
