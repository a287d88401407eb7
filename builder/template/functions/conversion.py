"""Type conversion functions: ``tostring`` ... ``toset`` and ``convert`` with a type expression."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from builder.template.functions.values import (
    FunctionError,
    is_primitive,
    norm_num,
    parse_number,
    sorted_set,
    to_list,
    to_map,
    to_string,
    type_name,
    unify,
)


def _tostring(v: Any) -> str | None:
    if v is None:
        return None
    if not is_primitive(v):
        raise FunctionError(f'Invalid value for "v" parameter: cannot convert {type_name(v)} to string.')
    return to_string(v)


def _tonumber(v: Any) -> int | float | None:
    if v is None:
        return None
    if isinstance(v, str):
        n = parse_number(v)
        if n is None:
            raise FunctionError(
                f'Invalid value for "v" parameter: cannot convert "{v}" to number; '
                "given string must be a decimal representation of a number."
            )
        return n
    if isinstance(v, int | float) and not isinstance(v, bool):
        return norm_num(v)
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {type_name(v)} to number.')


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
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {type_name(v)} to bool.')


def _tolist(v: Any) -> list[Any] | None:
    if v is None:
        return None
    if isinstance(v, list | tuple | set | frozenset):
        items = sorted_set(v) if isinstance(v, set | frozenset) else list(v)
        return unify(items)
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {type_name(v)} to list of any.')


def _toset(v: Any) -> list[Any] | None:
    if v is None:
        return None
    if isinstance(v, list | tuple | set | frozenset):
        return sorted_set(v)
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {type_name(v)} to set of any.')


def _tomap(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if isinstance(v, Mapping):
        keys = list(v)
        vals = unify([v[k] for k in keys])
        return dict(zip(keys, vals, strict=True))
    raise FunctionError(f'Invalid value for "v" parameter: cannot convert {type_name(v)} to map of any.')


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
        items = to_list(v, "value") if not isinstance(v, Mapping) else None
        if items is None:
            raise FunctionError(f"cannot convert map to {kind}")
        conv = [convert_value(x, inner) for x in items]
        return sorted_set(conv) if kind == "set" else (unify(conv) if inner == "any" else conv)
    if kind == "map":
        d = to_map(v, "value")
        conv_map = {k: convert_value(x, inner) for k, x in d.items()}
        if inner == "any":
            keys = list(conv_map)
            conv_map = dict(zip(keys, unify([conv_map[k] for k in keys]), strict=True))
        return conv_map
    if kind == "tuple":
        types = _split_type_args(inner.strip("[]"))
        items = to_list(v, "value")
        if len(items) != len(types):
            raise FunctionError(f"tuple required with {len(types)} elements")
        return [convert_value(x, ty) for x, ty in zip(items, types, strict=True)]
    attrs: dict[str, str] = {}
    for part in _split_type_args(inner.strip("{}")):
        name, _, ty = part.partition("=")
        attrs[name.strip()] = ty
    d = to_map(v, "value")
    missing = [a for a in attrs if a not in d]
    if missing:
        raise FunctionError(f'attribute "{missing[0]}" is required')
    return {a: convert_value(d[a], ty) for a, ty in attrs.items()}


def _convert(v: Any, type_spec: Any) -> Any:
    if not isinstance(type_spec, str):
        raise FunctionError("convert() needs a type such as string, number or list(string)")
    return convert_value(v, type_spec)


TABLE: dict[str, Callable[..., Any]] = {
    "convert": _convert,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "tolist": _tolist,
    "tomap": _tomap,
    "toset": _toset,
}
