"""Canonical HCL formatting, as ``packer fmt`` does it.

Rules: 2-space indentation per line that opens brackets, canonical spacing between
tokens, ``=`` aligned in runs of consecutive single-line attributes, trailing comments
aligned in runs of consecutive commented lines. Strings, heredocs and comments are kept
verbatim.
"""

from __future__ import annotations

import re

from builder.errors import TemplateError
from builder.template import expr as E

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUM_RE = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEREDOC_RE = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")
_OPS = ("[*]", "...", "==", "!=", "<=", ">=", "&&", "||", "=>", "::", ".*")
_OPENERS = "([{"
_CLOSERS = ")]}"
_KEYWORDS = ("in", "if", "for", "else", "endif", "endfor")
_UNARY_PREV = {
    "=",
    "(",
    "[",
    ",",
    ":",
    "?",
    "{",
    "==",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "&&",
    "||",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "=>",
}


class Tok:
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind = kind  # NL IDENT NUM STR HEREDOC COMMENT BCOMMENT OP
        self.text = text

    def __repr__(self) -> str:  # pragma: no cover
        return f"{self.kind}:{self.text!r}"


def _scan_string(text: str, i: int) -> int:
    """Index just past the closing quote of the string starting at text[i] == '"'."""
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == '"':
            return j + 1
        if c == "\n":
            return j
        if c in "$%" and text.startswith("{", j + 1):
            if j > 0 and text[j - 1] == c:
                j += 2
                continue
            end = E._match_brace(text, j + 2)
            if end < 0:
                return n
            j = end + 1
            continue
        j += 1
    return n


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\n":
            toks.append(Tok("NL", "\n"))
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            toks.append(Tok("COMMENT", text[i:j].rstrip()))
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            toks.append(Tok("BCOMMENT", text[i:j]))
            i = j
            continue
        if c == '"':
            j = _scan_string(text, i)
            toks.append(Tok("STR", text[i:j]))
            i = j
            continue
        if c == "<" and text.startswith("<<", i):
            m = _HEREDOC_RE.match(text, i)
            if m:
                marker = m.group(2)
                j = m.end()
                end = n
                while j < n:
                    k = text.find("\n", j)
                    line_end = n if k < 0 else k
                    if text[j:line_end].strip() == marker:
                        end = line_end
                        break
                    j = line_end + 1
                toks.append(Tok("HEREDOC", text[i:end].rstrip(" \t\r")))
                i = end
                continue
        m = _IDENT_RE.match(text, i)
        if m:
            toks.append(Tok("IDENT", m.group(0)))
            i = m.end()
            continue
        m = _NUM_RE.match(text, i)
        if m:
            toks.append(Tok("NUM", m.group(0)))
            i = m.end()
            continue
        for op in _OPS:
            if text.startswith(op, i):
                toks.append(Tok("OP", op))
                i += len(op)
                break
        else:
            toks.append(Tok("OP", c))
            i += 1
    return toks


def _is_unary(prev: Tok | None) -> bool:
    if prev is None:
        return True
    if prev.kind == "OP":
        return prev.text in _UNARY_PREV
    return prev.kind == "IDENT" and prev.text in _KEYWORDS


def _space(prev: Tok | None, cur: Tok, prev2: Tok | None) -> bool:
    if prev is None:
        return False
    p, c = prev.text, cur.text
    if cur.kind in ("COMMENT", "BCOMMENT") or (prev.kind == "OP" and p == ","):
        return True
    if prev.kind == "OP":
        if p in ("(", "[", ".", "!", "::"):
            return False
        if p == "-" and _is_unary(prev2):
            return False
        if p == "{":
            return c != "}"
    if cur.kind == "OP":
        if c in (",", ")", "]", ".", ".*", "[*]", "...", "::"):
            return False
        if c == "}":
            return p != "{"
        if c == "(":
            return not (prev.kind == "IDENT" and p not in _KEYWORDS)
        if c == "[":
            if prev.kind == "IDENT":
                return p in _KEYWORDS
            return not (prev.kind in ("STR", "NUM") or p in (")", "]", "}", "[*]", ".*"))
    return True


class _Line:
    __slots__ = ("comment", "indent", "multiline", "net", "toks")

    def __init__(self, toks: list[Tok]):
        self.comment: Tok | None = None
        if toks and toks[-1].kind == "COMMENT":
            self.comment = toks[-1]
            toks = toks[:-1]
        self.toks = toks
        self.net = 0
        self.indent = 0
        self.multiline = any(t.kind == "BCOMMENT" and "\n" in t.text for t in toks)


def _join(toks: list[Tok], start_prev: Tok | None = None, start_prev2: Tok | None = None) -> str:
    out: list[str] = []
    prev, prev2 = start_prev, start_prev2
    for t in toks:
        if out and _space(prev, t, prev2):
            out.append(" ")
        out.append(t.text)
        prev2, prev = prev, t
    return "".join(out)


def _assign_index(toks: list[Tok]) -> int:
    if len(toks) >= 3 and toks[0].kind in ("IDENT", "STR") and toks[1].kind == "OP" and toks[1].text == "=":
        return 1
    return -1


def format_hcl(text: str) -> str:
    """Format HCL text canonically (like ``packer fmt``). Raises TemplateError on syntax errors."""
    parsed = E.parse_file_text(text, "<fmt>")
    if parsed.diags:
        raise TemplateError(parsed.diags)
    toks = tokenize(text.replace("\r\n", "\n"))
    lines: list[_Line] = []
    cur: list[Tok] = []
    for t in toks:
        if t.kind == "NL":
            lines.append(_Line(cur))
            cur = []
        else:
            cur.append(t)
    unterminated = bool(cur)
    if cur:
        lines.append(_Line(cur))
    # indentation (one level per line with a net increase of open brackets)
    indents: list[int] = []
    for ln in lines:
        net = 0
        for t in ln.toks:
            if t.kind == "OP" and t.text in _OPENERS:
                net += 1
            elif t.kind == "OP" and t.text in _CLOSERS:
                net -= 1
        ln.net = net
        if net > 0:
            ln.indent = len(indents)
            indents.append(net)
        elif net < 0:
            closed = -net
            while closed > 0 and indents:
                if closed >= indents[-1]:
                    closed -= indents[-1]
                    indents.pop()
                else:
                    indents[-1] -= closed
                    closed = 0
            ln.indent = len(indents)
        else:
            ln.indent = len(indents)
    # render code parts, with alignment of '=' in chains
    code: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if _chainable(ln):
            j = i
            while j < len(lines) and _chainable(lines[j]) and lines[j].indent == ln.indent:
                j += 1
            width = max(len(_join(lines[k].toks[:1])) for k in range(i, j))
            for k in range(i, j):
                lt = lines[k].toks
                key = _join(lt[:1])
                rest = _join(lt[2:], lt[1], lt[0])
                code.append("  " * lines[k].indent + key.ljust(width) + " = " + rest)
            i = j
            continue
        if ln.toks:
            idx = _assign_index(ln.toks)
            if idx == 1:
                rendered = _join(ln.toks[:1]) + " = " + _join(ln.toks[2:], ln.toks[1], ln.toks[0])
            else:
                rendered = _join(ln.toks)
            code.append("  " * ln.indent + rendered)
        else:
            code.append("")
        i += 1
    # trailing comments, aligned in runs
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.comment is None:
            out.append(code[i].rstrip())
            i += 1
            continue
        if not ln.toks:
            out.append("  " * ln.indent + ln.comment.text)
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].comment is not None and lines[j].toks and not lines[j].multiline:
            j += 1
        j = max(j, i + 1)
        width = max(len(code[k]) for k in range(i, j))
        for k in range(i, j):
            c = lines[k].comment
            assert c is not None
            out.append(code[k].ljust(width) + " " + c.text)
        i = j
    result = "\n".join(out)
    return result if unterminated else result + "\n"


def _chainable(ln: _Line) -> bool:
    return bool(ln.toks) and _assign_index(ln.toks) == 1 and ln.net == 0 and not ln.multiline


__all__ = ["format_hcl", "tokenize"]
