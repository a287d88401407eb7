"""YAML: ``yamlencode`` (go-cty-yaml's emitter style) and ``yamldecode`` (PyYAML with go-cty-yaml's
YAML 1.1 implicit types). Named so as not to shadow the ``yaml`` package."""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from builder.template.functions.dates import format_rfc3339
from builder.template.functions.encoding import parse_json_float
from builder.template.functions.values import (
    FunctionError,
    arg_str,
    format_number,
    is_primitive,
    norm_num,
    to_string,
)


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
        return parse_json_float(text if not text.startswith(".") else "0" + text)

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
    text = arg_str(s, "src")
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
        return norm_num(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, list):
        return [_yaml_native(x) for x in v]
    if isinstance(v, dict):
        return {
            to_string(k) if is_primitive(k) and k is not None else str(k): _yaml_native(x)
            for k, x in v.items()
        }
    if isinstance(v, _dt.datetime):
        return format_rfc3339(v if v.tzinfo else v.replace(tzinfo=_dt.UTC))
    if isinstance(v, _dt.date):
        return f"{v.isoformat()}T00:00:00Z"
    return v


TABLE: dict[str, Callable[..., Any]] = {
    "yamldecode": _yamldecode,
    "yamlencode": _yamlencode,
}
