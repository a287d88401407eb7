"""Collection functions (``alltrue`` ... ``transpose``) over lists, sets and maps."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from builder.template.functions.values import (
    FunctionError,
    arg_int,
    arg_number,
    arg_str,
    equal,
    from_decimal,
    graphemes,
    is_primitive,
    sorted_set,
    to_bool,
    to_decimal,
    to_list,
    to_map,
    to_string,
    type_name,
    unify,
)


def _alltrue(lst: Any) -> bool:
    return all(v is not None and to_bool(v, "list element") for v in to_list(lst))


def _anytrue(lst: Any) -> bool:
    return any(to_bool(v, "list element") for v in to_list(lst) if v is not None)


def _chunklist(lst: Any, size: Any) -> list[list[Any]]:
    items, n = to_list(lst), arg_int(size, "size")
    if n < 0:
        raise FunctionError("the size argument must be positive")
    if n == 0:
        return [items]
    return [items[i : i + n] for i in range(0, len(items), n)]


def _coalesce(*vals: Any) -> Any:
    kinds = {is_primitive(v) for v in vals if v is not None}
    if len(kinds) > 1:
        raise FunctionError("all arguments must have the same type")
    for v in unify(list(vals)):
        if v is None or v == "":
            continue
        return v
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist(*lists: Any) -> list[Any]:
    if not lists:
        raise FunctionError("at least one argument is required")
    for lst in lists:
        items = to_list(lst, "vals")
        if items:
            return items
    raise FunctionError("no non-null arguments")


def _compact(lst: Any) -> list[str]:
    return [to_string(v) for v in to_list(lst) if v is not None and v != ""]


def _concat(*seqs: Any) -> list[Any]:
    if not seqs:
        raise FunctionError("at least one argument is required")
    out: list[Any] = []
    for s in seqs:
        out.extend(to_list(s, "seqs"))
    return out


def _contains(lst: Any, value: Any) -> bool:
    return any(equal(v, value) for v in to_list(lst))


def _distinct(lst: Any) -> list[Any]:
    out: list[Any] = []
    for v in unify(to_list(lst)):
        if not any(equal(v, o) for o in out):
            out.append(v)
    return out


def _element(lst: Any, index: Any) -> Any:
    items, i = to_list(lst), arg_int(index, "index")
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

    walk(to_list(lst))
    return out


def _index(lst: Any, value: Any) -> int:
    for i, v in enumerate(to_list(lst)):
        if equal(v, value):
            return i
    raise FunctionError("item not found")


def _keys(m: Any) -> list[str]:
    return sorted(to_map(m, "inputMap"))


def _values(m: Any) -> list[Any]:
    d = to_map(m, "mapping")
    return [d[k] for k in sorted(d)]


def _length(v: Any) -> int:
    if isinstance(v, str):
        return len(graphemes(v))
    if isinstance(v, list | tuple | dict | set | frozenset):
        return len(v)
    if v is None:
        raise FunctionError('Invalid value for "value" parameter: argument must not be null.')
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def _lookup(m: Any, key: Any, default: Any) -> Any:
    # Packer (cty) requires the default, unlike Terraform.
    d, k = to_map(m, "inputMap"), arg_str(key, "key")
    if default is None:
        raise FunctionError('Invalid value for "default" parameter: argument must not be null')
    return d.get(k, default)


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, Mapping):
            raise FunctionError("arguments must be maps or objects, got " + json.dumps(type_name(m)))
        out.update(m)
    return out


def _range(*args: Any) -> list[int | float]:
    nums = [arg_number(a, "params") for a in args]
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
    v, lim, st = to_decimal(start), to_decimal(limit), to_decimal(step)
    while (v < lim) if st > 0 else (v > lim):
        if len(out) >= 1024:
            raise FunctionError(
                "more than 1024 values were generated; either decrease the difference "
                "between start and end or use a smaller step"
            )
        out.append(from_decimal(v))
        v += st
    return out


def _reverse(lst: Any) -> list[Any]:
    return list(reversed(to_list(lst)))


def _setintersection(first: Any, *others: Any) -> list[Any]:
    base = sorted_set(to_list(first, "first_set"))
    for o in others:
        other = to_list(o, "other_sets")
        base = [v for v in base if any(equal(v, x) for x in unify(other))]
    return sorted_set(base)


def _setunion(first: Any, *others: Any) -> list[Any]:
    items = list(to_list(first, "first_set"))
    for o in others:
        items.extend(to_list(o, "other_sets"))
    return sorted_set(items)


def _setsubtract(a: Any, b: Any) -> list[Any]:
    other = to_list(b, "b")
    return [v for v in sorted_set(to_list(a, "a")) if not any(equal(v, x) for x in other)]


def _setproduct(*sets: Any) -> list[list[Any]]:
    if len(sets) < 2:
        raise FunctionError("at least two arguments are required")
    result: list[list[Any]] = [[]]
    for s in sets:
        items = to_list(s, "sets")
        result = [[*r, v] for r in result for v in items]
    return result


def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    items, a, b = to_list(lst), arg_int(start, "start_index"), arg_int(end, "end_index")
    if a < 0:
        raise FunctionError("the start index must not be less than zero")
    if b > len(items):
        raise FunctionError("the end index must not be greater than the length of the list")
    if a > b:
        raise FunctionError("the start index must not be greater than the end index")
    return items[a:b]


def _sort(lst: Any) -> list[str]:
    items = to_list(lst)
    if any(v is None for v in items):
        raise FunctionError("given list element is null; a null string cannot be sorted")
    return sorted(to_string(v, "list element") for v in items)


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    ks, vs = to_list(keys, "keys"), to_list(values, "values")
    if len(ks) != len(vs):
        raise FunctionError(f"number of keys ({len(ks)}) does not match number of values ({len(vs)})")
    return {to_string(k, "keys element"): v for k, v in zip(ks, vs, strict=True)}


def _one(lst: Any) -> Any:
    items = to_list(lst)
    if len(items) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one elements")
    return items[0] if items else None


def _matchkeys(values: Any, keys: Any, searchset: Any) -> list[Any]:
    vs, ks, ss = to_list(values, "values"), to_list(keys, "keys"), to_list(searchset, "searchset")
    if len(vs) != len(ks):
        raise FunctionError("length of keys and values should be equal")
    return [v for v, k in zip(vs, ks, strict=True) if any(equal(k, s) for s in ss)]


def _transpose(m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k in sorted(to_map(m, "values")):
        for v in to_list(m[k], "values"):
            out.setdefault(to_string(v), []).append(k)
    return {k: out[k] for k in sorted(out)}


TABLE: dict[str, Callable[..., Any]] = {
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
}
