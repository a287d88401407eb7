"""String functions (``chomp`` ... ``split``, ``replace``): cty's semantics, Go's notion of space."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from builder.template.functions.values import (
    FunctionError,
    arg_int,
    arg_str,
    graphemes,
    is_primitive,
    to_list,
    to_string,
)


def _chomp(s: Any) -> str:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", arg_str(s, "str"))


def _endswith(s: Any, suffix: Any) -> bool:
    return arg_str(s, "str").endswith(arg_str(suffix, "suffix"))


def _startswith(s: Any, prefix: Any) -> bool:
    return arg_str(s, "str").startswith(arg_str(prefix, "prefix"))


def _strcontains(s: Any, sub: Any) -> bool:
    return arg_str(sub, "substr") in arg_str(s, "str")


def _indent(spaces: Any, s: Any) -> str:
    n = arg_int(spaces, "spaces")
    if n < 0:
        raise FunctionError("strings: negative Repeat count")
    return arg_str(s, "str").replace("\n", "\n" + " " * n)


def _join(sep: Any, *lists: Any) -> str:
    separator = arg_str(sep, "separator")
    if not lists:
        raise FunctionError("at least one list is required")
    parts: list[str] = []
    for lst in lists:
        for i, v in enumerate(to_list(lst, "lists")):
            if v is None:
                raise FunctionError(f"element {i} is null")
            if not is_primitive(v):
                raise FunctionError(f"element {i}: string required")
            parts.append(to_string(v))
    return separator.join(parts)


def _lower(s: Any) -> str:
    # Go maps rune by rune; a character whose case mapping is several runes stays as is.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in arg_str(s, "str"))


def _upper(s: Any) -> str:
    return "".join(c if len(c.upper()) != 1 else c.upper() for c in arg_str(s, "str"))


def _title(s: Any) -> str:
    # Go's strings.Title: upper-case the first letter of each word; a word starts
    # after anything that is not a letter, digit, underscore (ASCII) or letter (other).
    out, prev_sep = [], True
    for ch in arg_str(s, "str"):
        out.append(ch.upper() if prev_sep and ch.isalpha() else ch)
        prev_sep = not (ch.isalnum() or ch == "_") if ord(ch) < 0x80 else ch.isspace()
    return "".join(out)


def _strrev(s: Any) -> str:
    return "".join(reversed(graphemes(arg_str(s, "str"))))


def _substr(s: Any, offset: Any, length: Any) -> str:
    chars = graphemes(arg_str(s, "str"))
    off, ln = arg_int(offset, "offset"), arg_int(length, "length")
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
    text, cut = arg_str(s, "str"), arg_str(cutset, "cutset")
    return text.strip(cut) if cut else text


def _trimprefix(s: Any, prefix: Any) -> str:
    return arg_str(s, "str").removeprefix(arg_str(prefix, "prefix"))


def _trimsuffix(s: Any, suffix: Any) -> str:
    return arg_str(s, "str").removesuffix(arg_str(suffix, "suffix"))


_GO_SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _trimspace(s: Any) -> str:
    return arg_str(s, "str").strip(_GO_SPACE)


def _split(sep: Any, s: Any) -> list[str]:
    separator, text = arg_str(sep, "separator"), arg_str(s, "str")
    if separator == "":
        return list(text)
    return text.split(separator)


def _replace(s: Any, substr: Any, replacement: Any) -> str:
    # Packer uses cty's plain replace: unlike Terraform's, a "/.../" substring is
    # not a regular expression (use regex_replace for that).
    text, sub, rep = arg_str(s, "str"), arg_str(substr, "substr"), arg_str(replacement, "replace")
    if sub == "":
        return rep + rep.join(text) + rep if text else rep
    return text.replace(sub, rep)


TABLE: dict[str, Callable[..., Any]] = {
    "chomp": _chomp,
    "endswith": _endswith,
    "startswith": _startswith,
    "strcontains": _strcontains,
    "indent": _indent,
    "join": _join,
    "lower": _lower,
    "upper": _upper,
    "title": _title,
    "replace": _replace,
    "split": _split,
    "strrev": _strrev,
    "substr": _substr,
    "trim": _trim,
    "trimprefix": _trimprefix,
    "trimsuffix": _trimsuffix,
    "trimspace": _trimspace,
}
