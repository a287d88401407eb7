"""Go RE2 regular expressions translated to Python's ``re`` (``regex``, ``regexall``,
``regex_replace``): ASCII classes, POSIX classes, ``$`` only at the end, ``\\z``; Unicode classes refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from builder.template.functions.values import FunctionError, arg_str

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


def _regex_replace(s: Any, pattern: Any, replacement: Any) -> str:
    text, pat, rep = arg_str(s, "str"), arg_str(pattern, "substr"), arg_str(replacement, "replace")
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
    rx = compile_regex(arg_str(pattern, "pattern"))
    m = rx.search(arg_str(s, "string"))
    if m is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _regex_result(rx, m)


def _regexall(pattern: Any, s: Any) -> list[Any]:
    rx = compile_regex(arg_str(pattern, "pattern"))
    return [_regex_result(rx, m) for m in rx.finditer(arg_str(s, "string"))]


TABLE: dict[str, Callable[..., Any]] = {
    "regex": _regex,
    "regexall": _regexall,
    "regex_replace": _regex_replace,
}
