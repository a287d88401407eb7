"""Variable type constraints (``string``, ``list(string)``, ``object({...})``...) and conversion."""

from __future__ import annotations

from typing import Any

from builder.template import expr as E
from builder.template.numbers import format_number, parse_number

# A type is a tuple: ("string",) ("number",) ("bool",) ("any",)
# ("list", T) ("set", T) ("map", T) ("object", {name: T}) ("tuple", [T, ...])
Type = tuple[Any, ...]
ANY: Type = ("any",)
PRIMITIVES = ("string", "number", "bool", "any")


class TypeSyntaxError(Exception):
    def __init__(self, message: str, loc: Any):
        self.loc = loc
        super().__init__(message)


class ConversionError(Exception):
    pass


def parse_type(node: E.Node) -> Type:
    if isinstance(node, E.Ref):
        if node.name in PRIMITIVES:
            return (node.name,)
        if node.name in ("list", "set", "map"):
            return (node.name, ANY)
        raise TypeSyntaxError(f'The keyword "{node.name}" is not a valid type specification.', node.loc)
    if isinstance(node, E.Lit) and isinstance(node.value, str) and node.value in PRIMITIVES:
        return (node.value,)
    if isinstance(node, E.Tmpl) and len(node.parts) == 1 and node.parts[0] in PRIMITIVES:
        return (node.parts[0],)
    if isinstance(node, E.Call):
        name = node.name
        if name in ("list", "set", "map"):
            if len(node.args) != 1:
                raise TypeSyntaxError(
                    f"The {name} type constructor requires one argument specifying the element type.",
                    node.loc,
                )
            return (name, parse_type(node.args[0]))
        if name == "object":
            if len(node.args) != 1 or not isinstance(node.args[0], E.ObjectN):
                raise TypeSyntaxError(
                    "The object type constructor requires one argument specifying "
                    "the attribute types as a map.",
                    node.loc,
                )
            attrs: dict[str, Type] = {}
            for k, v in node.args[0].items:
                if not isinstance(k, E.Lit) and not (isinstance(k, E.Tmpl) and len(k.parts) == 1):
                    raise TypeSyntaxError("Object constructor map keys must be attribute names.", k.loc)
                key = k.value if isinstance(k, E.Lit) else k.parts[0]
                attrs[str(key)] = parse_type(v)
            return ("object", attrs)
        if name == "tuple":
            if len(node.args) != 1 or not isinstance(node.args[0], E.TupleN):
                raise TypeSyntaxError(
                    "The tuple type constructor requires one argument specifying "
                    "the element types as a list.",
                    node.loc,
                )
            return ("tuple", [parse_type(x) for x in node.args[0].items])
        if name == "optional":
            raise TypeSyntaxError(
                "Optional object attributes are not supported by Packer templates.", node.loc
            )
        raise TypeSyntaxError(f'Keyword "{name}" is not a valid type constructor.', node.loc)
    raise TypeSyntaxError(
        "A type specification is either a primitive type keyword (bool, number, "
        "string) or a complex type constructor call, like list(string).",
        node.loc,
    )


def type_str(t: Type) -> str:
    k = t[0]
    if k in PRIMITIVES:
        return k
    if k in ("list", "set", "map"):
        return f"{k}({type_str(t[1])})"
    if k == "object":
        inner = ", ".join(f"{n}={type_str(x)}" for n, x in t[1].items())
        return f"object({{{inner}}})"
    if k == "tuple":
        return "tuple([" + ", ".join(type_str(x) for x in t[1]) + "])"
    return str(k)


def is_complex(t: Type) -> bool:
    return t[0] not in ("string", "number", "bool")


def value_type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | tuple | set):
        return "tuple"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def fmt_number(n: int | float) -> str:
    """A bool as cty writes it, a number by :func:`.numbers.format_number` (the one conversion)."""
    if isinstance(n, bool):
        return "true" if n else "false"
    return format_number(n)


def _sort_key(v: Any) -> Any:
    if isinstance(v, bool):
        return (0, v)
    if isinstance(v, int | float):
        return (1, v)
    if isinstance(v, str):
        return (2, v)
    return (3, repr(v))


def convert(v: Any, t: Type) -> Any:
    """Convert a value to a type as cty does (unsafe conversions allowed). Raises ConversionError."""
    k = t[0]
    if v is None:
        return None
    if k == "any":
        return v
    if k == "string":
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return fmt_number(v)
        raise ConversionError("string required")
    if k == "number":
        if isinstance(v, bool):
            raise ConversionError("number required")
        if isinstance(v, int | float):
            return v
        if isinstance(v, str):
            try:
                return parse_number(v)
            except ValueError:
                raise ConversionError("a number is required")
        raise ConversionError("number required")
    if k == "bool":
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v in ("true", "false"):
            return v == "true"
        if isinstance(v, str):
            raise ConversionError("a bool is required")
        raise ConversionError("bool required")
    if k in ("list", "set"):
        if not isinstance(v, list | tuple | set):
            raise ConversionError(f"{type_str(t)} required")
        out = []
        for i, x in enumerate(v):
            try:
                out.append(convert(x, t[1]))
            except ConversionError as e:
                raise ConversionError(f"element {i}: {e}")
        if k == "set":
            uniq: list[Any] = []
            for x in out:
                if x not in uniq:
                    uniq.append(x)
            try:
                out = sorted(uniq, key=_sort_key)
            except TypeError:
                out = uniq
        return out
    if k == "map":
        if not isinstance(v, dict):
            raise ConversionError(f"{type_str(t)} required")
        res = {}
        for key in sorted(v):
            try:
                res[key] = convert(v[key], t[1])
            except ConversionError as e:
                raise ConversionError(f"element {key!r}: {e}".replace("'", '"'))
        return res
    if k == "object":
        if not isinstance(v, dict):
            raise ConversionError("object required")
        res = {}
        for name in sorted(t[1]):
            if name not in v:
                raise ConversionError(f'attribute "{name}" is required')
            try:
                res[name] = convert(v[name], t[1][name])
            except ConversionError as e:
                raise ConversionError(f'attribute "{name}": {e}')
        return res
    if k == "tuple":
        if not isinstance(v, list | tuple):
            raise ConversionError("tuple required")
        if len(v) != len(t[1]):
            raise ConversionError(f"tuple required with exactly {len(t[1])} elements")
        return [convert(x, tt) for x, tt in zip(v, t[1], strict=True)]
    return v
