"""A small renderer for the Go-template strings that components render late.

HCL leaves ``{{ ... }}`` alone, so strings such as ``boot_command``, ``qemuargs``,
``execute_command`` and post-processor ``output`` reach the component with Go
template actions inside.  This module renders the subset real templates use:

* data fields ``{{ .HTTPIP }}``, nested ``{{ .A.B }}``, the dot ``{{ . }}``;
* pipelines ``{{ .Path | urlquery }}`` and parenthesised calls;
* string (``"..."`` or raw `` `...` ``), number, bool and nil literals;
* Packer's interpolation functions: ``user``, ``env``, ``timestamp``,
  ``isotime``, ``strftime``, ``uuid``, ``pwd``, ``build_name``, ``build_type``,
  ``build``, ``template_dir``, ``packer_version``, ``upper``, ``lower``,
  ``replace``, ``replace_all``, ``split``;
* the text/template builtins ``urlquery``, ``printf``, ``print``, ``println``,
  ``len``, ``index``, ``not``, ``and``, ``or``, ``eq``, ``ne``, ``lt``, ``le``,
  ``gt``, ``ge``, ``html``, ``js``;
* ``{{ if }}``/``{{ else }}``/``{{ end }}``, ``{{ range }}``, ``{{ with }}``,
  comments ``{{/* */}}`` and the trim markers ``{{-`` / ``-}}``.

Unknown fields and functions raise :class:`GoTemplateError` naming what is known.
Times come from the process start (like Packer's ``InitTime``), so every render in
one run agrees.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.template.functions import FUNCTIONS, INIT_TIME, FunctionError, go_time_format

__all__ = ["GoTemplateError", "referenced_fields", "render", "render_options"]


class GoTemplateError(ValueError):
    """A Go template could not be parsed or rendered; the message is for users."""


# --------------------------------------------------------------------------- lexer

_ACTION_RE = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)


@dataclass
class _Tok:
    kind: str  # field, ident, string, number, bool, nil, pipe, lparen, rparen, dot, var
    value: Any
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\]|\\.)+')
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<var>\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?))
  | (?P<dot>\.)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<pipe>\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
    """,
    re.X,
)

_GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "a": "\a", "b": "\b",
               "f": "\f", "v": "\v", "0": "\0"}


def _unquote(s: str) -> str:
    body = s[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        elif nxt in _GO_ESCAPES:
            out.append(_GO_ESCAPES[nxt])
            i += 2
        else:
            raise GoTemplateError(f"invalid escape sequence \\{nxt} in string {s}")
    return "".join(out)


def _lex(src: str, where: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN_RE.match(src, pos)
        if not m or m.end() == pos:
            raise GoTemplateError(f"{where}: unexpected {src[pos]!r} in action {src.strip()!r}")
        kind = m.lastgroup or ""
        text = m.group(0)
        pos = m.end()
        if kind == "space":
            continue
        if kind == "string":
            toks.append(_Tok("string", _unquote(text), m.start()))
        elif kind == "raw":
            toks.append(_Tok("string", text[1:-1], m.start()))
        elif kind == "char":
            toks.append(_Tok("number", ord(_unquote('"' + text[1:-1] + '"')), m.start()))
        elif kind == "number":
            clean = text.replace("_", "")
            try:
                num: int | float = int(clean, 0)
            except ValueError:
                num = float(clean)
            toks.append(_Tok("number", num, m.start()))
        elif kind == "field":
            toks.append(_Tok("field", text[1:].split("."), m.start()))
        elif kind == "var":
            toks.append(_Tok("var", text, m.start()))
        elif kind == "ident" and text in ("true", "false"):
            toks.append(_Tok("bool", text == "true", m.start()))
        elif kind == "ident" and text == "nil":
            toks.append(_Tok("nil", None, m.start()))
        else:
            toks.append(_Tok(kind, text, m.start()))
    return toks


# --------------------------------------------------------------------------- parse tree


@dataclass
class _Cmd:
    args: list[Any]  # operands: _Tok or _Pipe (parenthesised)


@dataclass
class _Pipe:
    cmds: list[_Cmd]


@dataclass
class _Text:
    text: str


@dataclass
class _Action:
    pipe: _Pipe


@dataclass
class _Block:
    kind: str  # if, range, with
    pipe: _Pipe
    body: list[Any] = field(default_factory=list)
    else_body: list[Any] = field(default_factory=list)


def _parse_pipe(toks: list[_Tok], where: str) -> _Pipe:
    pos = 0

    def parse(stop_paren: bool) -> _Pipe:
        nonlocal pos
        cmds: list[_Cmd] = []
        args: list[Any] = []
        while pos < len(toks):
            t = toks[pos]
            if t.kind == "rparen":
                if not stop_paren:
                    raise GoTemplateError(f"{where}: unexpected right paren")
                break
            pos += 1
            if t.kind == "pipe":
                if not args:
                    raise GoTemplateError(f"{where}: missing command before |")
                cmds.append(_Cmd(args))
                args = []
            elif t.kind == "lparen":
                inner = parse(True)
                if pos >= len(toks) or toks[pos].kind != "rparen":
                    raise GoTemplateError(f"{where}: unclosed left paren")
                pos += 1
                args.append(inner)
            else:
                args.append(t)
        if not args:
            raise GoTemplateError(f"{where}: missing value for command")
        cmds.append(_Cmd(args))
        return _Pipe(cmds)

    pipe = parse(False)
    if pos != len(toks):
        raise GoTemplateError(f"{where}: unexpected right paren")
    return pipe


def _parse(text: str) -> list[Any]:
    """Split into text and actions (applying trim markers), then build blocks."""
    flat: list[tuple[str, Any]] = []
    pos = 0
    trim_next = False
    for m in _ACTION_RE.finditer(text):
        chunk = text[pos : m.start()]
        if trim_next:
            chunk = chunk.lstrip(" \t\r\n")
        if m.group(1):
            chunk = chunk.rstrip(" \t\r\n")
        flat.append(("text", chunk))
        trim_next = bool(m.group(3))
        pos = m.end()
        body = m.group(2).strip()
        line = text.count("\n", 0, m.start()) + 1
        where = f"template: line {line}"
        if body.startswith("/*"):
            if not body.endswith("*/"):
                raise GoTemplateError(f"{where}: unclosed comment")
            continue
        flat.append(("action", (body, where)))
    tail = text[pos:]
    if trim_next:
        tail = tail.lstrip(" \t\r\n")
    flat.append(("text", tail))
    if "{{" in tail:
        line = text.count("\n", 0, pos) + 1
        raise GoTemplateError(f"template: line {line}: unclosed action")

    root: list[Any] = []
    stack: list[tuple[_Block | None, list[Any]]] = [(None, root)]
    for kind, payload in flat:
        cur = stack[-1][1]
        if kind == "text":
            if payload:
                cur.append(_Text(payload))
            continue
        body, where = payload
        word = body.split(None, 1)[0] if body else ""
        rest = body[len(word):].strip()
        if word in ("if", "range", "with"):
            block = _Block(word, _parse_pipe(_lex(rest, where), where))
            cur.append(block)
            stack.append((block, block.body))
        elif word == "else":
            blk = stack[-1][0]
            if blk is None:
                raise GoTemplateError(f"{where}: unexpected {{{{else}}}}")
            if rest:
                raise GoTemplateError(f"{where}: 'else if' / 'else with' are not supported")
            stack[-1] = (blk, blk.else_body)
        elif word == "end":
            if len(stack) == 1:
                raise GoTemplateError(f"{where}: unexpected {{{{end}}}}")
            stack.pop()
        elif word in ("define", "template", "block", "break", "continue"):
            raise GoTemplateError(f"{where}: {{{{{word}}}}} is not supported")
        elif not body:
            raise GoTemplateError(f"{where}: missing value for command")
        else:
            cur.append(_Action(_parse_pipe(_lex(body, where), where)))
    if len(stack) > 1:
        raise GoTemplateError(f"template: unexpected EOF: missing {{{{end}}}} for {{{{{stack[-1][0].kind}}}}}"
                              if stack[-1][0] else "template: unexpected EOF")
    return root


# --------------------------------------------------------------------------- values


def _go_str(v: Any) -> str:
    """fmt.Sprint of a value."""
    if v is None:
        return "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e21 else repr(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list | tuple):
        return "[" + " ".join(_go_str(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "map[" + " ".join(f"{_go_str(k)}:{_go_str(v[k])}" for k in sorted(v, key=str)) + "]"
    return str(v)


def _truth(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, bool | int | float | str | list | tuple | Mapping):
        return bool(v)
    return True


def _time_ordered_uuid() -> str:
    """Packer's uuid: nanosecond timestamp then random bytes, as 8-4-4-4-12 hex."""
    raw = time.time_ns().to_bytes(8, "big") + secrets.token_bytes(8)
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _strftime(fmt: str) -> str:
    return INIT_TIME.strftime(fmt)


def _urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_sprint(*args), safe="")


def _js(*args: Any) -> str:
    s = _sprint(*args)
    out = []
    for ch in s:
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in "<>&=":
            out.append(f"\\u{ord(ch):04X}")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _printf(fmt: str, *args: Any) -> str:
    try:
        return str(FUNCTIONS["format"](fmt, *args))
    except FunctionError as exc:
        raise GoTemplateError(f"printf: {exc}") from None


def _sprint(*args: Any) -> str:
    """fmt.Sprint: a space goes between operands when neither is a string."""
    out: list[str] = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(_go_str(a))
    return "".join(out)


def _len(v: Any) -> int:
    if isinstance(v, str):
        return len(v.encode())  # Go counts bytes
    try:
        return len(v)
    except TypeError:
        raise GoTemplateError(f"len of type {type(v).__name__}") from None


def _index(coll: Any, *keys: Any) -> Any:
    cur = coll
    for k in keys:
        if isinstance(cur, str):  # indexing a Go string gives a byte
            cur = cur.encode()
        try:
            cur = cur[k]
        except (KeyError, IndexError, TypeError):
            if isinstance(cur, Mapping):
                return None
            raise GoTemplateError(f"index of untyped nil or out of range: {k!r}") from None
    return cur


def _cmp(op: str) -> Callable[..., bool]:
    def fn(a: Any, *bs: Any) -> bool:
        if op == "eq":
            return any(a == b for b in bs)
        if len(bs) != 1:
            raise GoTemplateError(f"{op}: wrong number of arguments")
        b = bs[0]
        try:
            return {"ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
        except TypeError:
            raise GoTemplateError(f"{op}: incompatible types for comparison") from None

    return fn


def _and(*args: Any) -> Any:
    for a in args:
        if not _truth(a):
            return a
    return args[-1] if args else None


def _or(*args: Any) -> Any:
    for a in args:
        if _truth(a):
            return a
    return args[-1] if args else None


def _split(src: str, sep: str, i: int) -> str:
    parts = src.split(sep) if sep else list(src)
    if not 0 <= i < len(parts):
        raise GoTemplateError(
            f"the substring {i} was unavailable using the separator value, {sep}, only {len(parts)} values were found"
        )
    return parts[i]


def _sed(*_args: Any) -> str:
    raise GoTemplateError("template function `sed` is deprecated; use \"replace\" or \"replace_all\" instead")


def _secret_store(name: str) -> Callable[..., str]:
    def fn(*_args: Any) -> str:
        raise GoTemplateError(f"{name} is not supported by pybuild: it reaches a cloud secret store")

    return fn


# --------------------------------------------------------------------------- render


class _Renderer:
    def __init__(self, data: Mapping[str, Any], funcs: dict[str, Callable[..., Any]],
                 missing_key: str | None = None):
        self.data = data
        self.funcs = funcs
        # None: a missing map key is an error; else what it renders as (Go's "<no value>")
        self.missing_key = missing_key

    # --- evaluation

    def field(self, dot: Any, path: list[str]) -> Any:
        cur = dot
        for i, name in enumerate(path):
            if isinstance(cur, Mapping):
                if name not in cur and self.missing_key is not None:
                    return self.missing_key
                if name not in cur:
                    where = "." + ".".join(path[: i + 1])
                    known = ", ".join("." + str(k) for k in sorted(cur, key=str)) or "(none)"
                    raise GoTemplateError(
                        f"template: no field {where} in the data for this template; known fields: {known}"
                    )
                cur = cur[name]
            elif cur is not None and hasattr(cur, name) and not name.startswith("_"):
                cur = getattr(cur, name)
            else:
                where = "." + ".".join(path[: i + 1])
                public = sorted(k for k in getattr(cur, "__dict__", {}) if not k.startswith("_"))
                known = ", ".join("." + k for k in public) or "(none)"
                raise GoTemplateError(
                    f"template: can't evaluate field {where} in a value of type {type(cur).__name__}; "
                    f"known fields: {known}"
                )
        return cur

    def operand(self, node: Any, dot: Any, final: list[Any]) -> Any:
        if isinstance(node, _Pipe):
            return self.pipe(node, dot)
        t: _Tok = node
        if t.kind in ("string", "number", "bool", "nil"):
            return t.value
        if t.kind == "dot":
            return dot
        if t.kind == "field":
            return self.field(dot, t.value)
        if t.kind == "var":
            name, *path = t.value.split(".")
            if name != "$":
                raise GoTemplateError(f"template: undefined variable {name!r}")
            return self.field(self.data, path) if path else self.data
        if t.kind == "ident":
            return self.call(t.value, [], final)
        raise GoTemplateError(f"template: unexpected {t.value!r}")

    def call(self, name: str, args: list[Any], final: list[Any]) -> Any:
        fn = self.funcs.get(name)
        if fn is None:
            known = ", ".join(sorted(self.funcs))
            raise GoTemplateError(f'template: function "{name}" not defined (known functions: {known})')
        full = args + final
        try:
            return fn(*full)
        except GoTemplateError:
            raise
        except TypeError as exc:
            raise GoTemplateError(f"template: wrong number or type of arguments for {name}: {exc}") from None
        except (ValueError, KeyError, OSError) as exc:
            raise GoTemplateError(f"template: error calling {name}: {exc}") from None

    def command(self, cmd: _Cmd, dot: Any, final: list[Any]) -> Any:
        first = cmd.args[0]
        if isinstance(first, _Tok) and first.kind == "ident":
            args = [self.operand(a, dot, []) for a in cmd.args[1:]]
            return self.call(first.value, args, final)
        if len(cmd.args) > 1 or final:
            what = first.value if isinstance(first, _Tok) else "(...)"
            raise GoTemplateError(f"template: can't give argument to non-function {what}")
        return self.operand(first, dot, [])

    def pipe(self, pipe: _Pipe, dot: Any) -> Any:
        value: Any = None
        for i, cmd in enumerate(pipe.cmds):
            value = self.command(cmd, dot, [value] if i else [])
        return value

    # --- output

    def nodes(self, nodes: list[Any], dot: Any, out: list[str]) -> None:
        for n in nodes:
            if isinstance(n, _Text):
                out.append(n.text)
            elif isinstance(n, _Action):
                out.append(_go_str(self.pipe(n.pipe, dot)))
            elif isinstance(n, _Block):
                value = self.pipe(n.pipe, dot)
                if n.kind == "if":
                    self.nodes(n.body if _truth(value) else n.else_body, dot, out)
                elif n.kind == "with":
                    if _truth(value):
                        self.nodes(n.body, value, out)
                    else:
                        self.nodes(n.else_body, dot, out)
                else:
                    items: list[Any]
                    if isinstance(value, Mapping):
                        items = [value[k] for k in sorted(value, key=str)]
                    elif isinstance(value, int) and not isinstance(value, bool):
                        items = list(range(value))
                    elif isinstance(value, list | tuple) or value is None:
                        items = list(value or [])
                    else:
                        raise GoTemplateError(f"template: range can't iterate over {_go_str(value)}")
                    if not items:
                        self.nodes(n.else_body, dot, out)
                    for item in items:
                        self.nodes(n.body, item, out)


def _functions(
    user_vars: Mapping[str, Any], build_name: str, build_type: str, template_dir: str,
    data: Mapping[str, Any],
) -> dict[str, Callable[..., Any]]:
    import builder

    def user(name: str) -> str:
        value = user_vars.get(name, "")
        return value if isinstance(value, str) else _go_str(value)

    def build(name: str) -> Any:
        if isinstance(data, Mapping) and name in data:
            return data[name]
        if not isinstance(data, Mapping) and not name.startswith("_") and hasattr(data, name):
            return getattr(data, name)
        raise GoTemplateError(f"loaded data, but couldnt find {name} in it.")

    def isotime(*fmt: str) -> str:
        if len(fmt) > 1:
            raise GoTemplateError(f"too many values, 1 needed: {list(fmt)}")
        return go_time_format(INIT_TIME, fmt[0] if fmt else "2006-01-02T15:04:05Z07:00")

    return {
        # Packer's interpolation functions
        "build_name": lambda: build_name,
        "build_type": lambda: build_type,
        "build": build,
        "env": lambda name: os.environ.get(name, ""),
        "isotime": isotime,
        "strftime": _strftime,
        "pwd": os.getcwd,
        "split": _split,
        "template_dir": lambda: os.path.abspath(template_dir or os.getcwd()),
        "timestamp": lambda: str(int(INIT_TIME.timestamp())),
        "uuid": _time_ordered_uuid,
        "user": user,
        "packer_version": lambda: builder.PACKER_COMPAT_VERSION,
        "replace": lambda old, new, n, src: src.replace(old, new, n if n >= 0 else -1),
        "replace_all": lambda old, new, src: src.replace(old, new),
        "upper": lambda s: s.upper(),
        "lower": lambda s: s.lower(),
        "sed": _sed,
        "consul_key": _secret_store("consul_key"),
        "vault": _secret_store("vault"),
        "aws_secretsmanager": _secret_store("aws_secretsmanager"),
        "aws_secretsmanager_raw": _secret_store("aws_secretsmanager_raw"),
        # text/template builtins
        "urlquery": _urlquery,
        "html": lambda *a: html.escape(_sprint(*a)).replace("&#x27;", "&#39;"),
        "js": _js,
        "print": _sprint,
        "println": lambda *a: " ".join(_go_str(x) for x in a) + "\n",
        "printf": _printf,
        "len": _len,
        "index": _index,
        "not": lambda a: not _truth(a),
        "and": _and,
        "or": _or,
        "eq": _cmp("eq"),
        "ne": _cmp("ne"),
        "lt": _cmp("lt"),
        "le": _cmp("le"),
        "gt": _cmp("gt"),
        "ge": _cmp("ge"),
    }


def render(
    text: str,
    data: Mapping[str, Any],
    *,
    user_vars: Mapping[str, Any] = {},  # read only
    build_name: str = "",
    build_type: str = "",
    template_dir: str = "",
    missing_key: str | None = None,
) -> str:
    """Render a Go template string with ``data`` as the dot (``{{ .Field }}``).

    A field the data lacks is an error naming the known fields, unless ``missing_key`` is
    given: then it renders as that text, as Go does for a map (``"<no value>"``)."""
    if "{{" not in text:
        return text
    tree = _parse(text)
    funcs = _functions(user_vars, build_name, build_type, template_dir, data)
    out: list[str] = []
    _Renderer(data, funcs, missing_key).nodes(tree, data, out)
    return "".join(out)


def referenced_fields(text: str) -> set[str]:
    """Top-level data fields a template refers to (``{{ .HTTPIP }}`` → ``{"HTTPIP"}``).

    Fields used inside ``range``/``with`` blocks refer to the element, not the data,
    and are not included.  Fields named by ``{{ build `X` }}`` are included.
    """
    found: set[str] = set()

    def visit_pipe(pipe: _Pipe) -> None:
        for cmd in pipe.cmds:
            first = cmd.args[0]
            for i, a in enumerate(cmd.args):
                if isinstance(a, _Pipe):
                    visit_pipe(a)
                elif a.kind == "field":
                    found.add(a.value[0])
                elif a.kind == "var" and "." in a.value:
                    found.add(a.value.split(".")[1])
                elif (i == 1 and isinstance(first, _Tok) and first.kind == "ident" and first.value == "build"
                      and a.kind == "string"):
                    found.add(a.value)

    def visit(nodes: list[Any], top: bool) -> None:
        for n in nodes:
            if isinstance(n, _Action) and top:
                visit_pipe(n.pipe)
            elif isinstance(n, _Block):
                if top:
                    visit_pipe(n.pipe)
                visit(n.body, top and n.kind == "if")
                visit(n.else_body, top)

    visit(_parse(text), True)
    return found


def render_options(
    raw: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    skip: tuple[str, ...] = (),
    user_vars: Mapping[str, Any] = {},  # read only
    build_name: str = "",
    build_type: str = "",
    template_dir: str = "",
) -> tuple[dict[str, Any], dict[str, str]]:
    """Render every string of a component's options, as Packer does when it prepares one.

    Strings inside lists and maps are rendered too; the options named in ``skip`` are
    left for the component, which renders them later with its runtime data
    (``boot_command``, ``execute_command``...). Returns the rendered options and, per
    option, the message of a template that failed. The data is a map, as Packer's is at
    prepare time: a field it lacks renders as ``<no value>`` (Packer 1.6.6 validates
    ``{{ .HTTPIP }}`` in a provisioner's ``inline`` and runs ``echo <no value>``).
    """
    errors: dict[str, str] = {}

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return render(v, data, user_vars=user_vars, build_name=build_name, build_type=build_type,
                          template_dir=template_dir, missing_key="<no value>")
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in skip:
            out[key] = value
            continue
        try:
            out[key] = walk(value)
        except GoTemplateError as e:
            errors[key] = str(e)
            out[key] = value
    return out, errors
