"""Expression AST for HCL2 templates, compiled from python-hcl2's raw Lark tree.

Every node carries a :class:`~builder.errors.Location` so that diagnostics point at
file, line and column. Heredocs and ``templatefile`` contents are scanned by our own
template scanner (:func:`scan_template`), whose embedded expressions are parsed with
the same HCL grammar and mapped back to their position in the enclosing file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from builder.errors import Diagnostic, Location

# python-hcl2 and lark are imported lazily (see _ensure_lark): a template whose compiled form
# is in the AST cache (builder.template.loader) is loaded without them, which keeps
# `pybuild validate` fast.
hcl2: Any = None
Token: Any = None
Tree: Any = None
LarkError: Any = None
UnexpectedCharacters: Any = None
UnexpectedEOF: Any = None
UnexpectedInput: Any = None
UnexpectedToken: Any = None


def _ensure_lark() -> None:
    global hcl2, Token, Tree, LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
    if hcl2 is not None:
        return
    import hcl2 as _hcl2
    from lark import Token as _Token
    from lark import Tree as _Tree
    from lark import exceptions as _exc

    Token, Tree = _Token, _Tree
    LarkError, UnexpectedCharacters = _exc.LarkError, _exc.UnexpectedCharacters
    UnexpectedEOF, UnexpectedInput, UnexpectedToken = (
        _exc.UnexpectedEOF,
        _exc.UnexpectedInput,
        _exc.UnexpectedToken,
    )
    hcl2 = _hcl2


class CompileError(Exception):
    """A syntax problem found while compiling; carries diagnostics."""

    def __init__(self, diags: list[Diagnostic]):
        self.diags = diags
        super().__init__("; ".join(d.summary for d in diags))


# ---------------------------------------------------------------------------
# Position mapping
# ---------------------------------------------------------------------------


class PosMap:
    """Maps (line, col) of a parsed snippet to a Location in the original file."""

    __slots__ = ("all_cols", "col_shift", "filename", "line_shift")

    def __init__(self, filename: str, line_shift: int = 0, col_shift: int = 0, all_cols: int = 0):
        self.filename = filename
        self.line_shift = line_shift  # added to every line
        self.col_shift = col_shift  # added to columns of the snippet's first line
        self.all_cols = all_cols  # added to every column (indentation removed from a <<- heredoc)

    def loc(self, line: int | None, col: int | None) -> Location:
        if not line:
            return Location(self.filename, 0, 0)
        c = (col or 0) + self.all_cols
        if line == 1:
            c += self.col_shift
        return Location(self.filename, line + self.line_shift, c)

    def of(self, item: Any) -> Location:
        if isinstance(item, Token):
            return self.loc(item.line, item.column)
        meta = getattr(item, "meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            return self.loc(meta.line, meta.column)
        if isinstance(item, Tree):
            for ch in item.children:
                loc = self.of(ch)
                if loc.line:
                    return loc
        return Location(self.filename, 0, 0)


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------


class Node:
    __slots__ = ("loc",)
    loc: Location


class Lit(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, loc: Location):
        self.value = value
        self.loc = loc


class Ref(Node):
    """A root variable name: ``var``, ``local``, ``path``, an iterator..."""

    __slots__ = ("name",)

    def __init__(self, name: str, loc: Location):
        self.name = name
        self.loc = loc


class Attr(Node):
    """``obj.name``; ``loc`` is where the whole traversal starts, ``oploc`` the ``.name`` step."""

    __slots__ = ("name", "obj", "oploc")

    def __init__(self, obj: Node, name: str, loc: Location):
        self.obj = obj
        self.name = name
        self.oploc = loc
        self.loc = obj.loc if obj.loc.line else loc


class Index(Node):
    """``obj[key]``; ``loc`` is where the whole expression starts, ``oploc`` the ``[key]`` step."""

    __slots__ = ("key", "obj", "oploc")

    def __init__(self, obj: Node, key: Node, loc: Location):
        self.obj = obj
        self.key = key
        self.oploc = loc
        self.loc = obj.loc if obj.loc.line else loc


class Splat(Node):
    __slots__ = ("full", "obj", "ops")

    def __init__(self, obj: Node, ops: list[tuple[str, Any, Location]], full: bool, loc: Location):
        self.obj = obj
        self.ops = ops  # ("attr", name, loc) | ("index", Node, loc)
        self.full = full
        self.loc = loc


class Call(Node):
    __slots__ = ("args", "expand", "name", "name_loc")

    def __init__(self, name: str, args: list[Node], expand: bool, loc: Location):
        self.name = name
        self.args = args
        self.expand = expand
        self.loc = loc


class Unary(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node, loc: Location):
        self.op = op
        self.operand = operand
        self.loc = loc


class Binary(Node):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Node, right: Node, loc: Location):
        self.op = op
        self.left = left
        self.right = right
        self.loc = loc


class Cond(Node):
    __slots__ = ("cond", "false", "true")

    def __init__(self, cond: Node, true: Node, false: Node, loc: Location):
        self.cond = cond
        self.true = true
        self.false = false
        self.loc = loc


class TupleN(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node], loc: Location):
        self.items = items
        self.loc = loc


class ObjectN(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Node, Node]], loc: Location):
        self.items = items  # key node (Lit for bare names), value node
        self.loc = loc


class ForN(Node):
    __slots__ = ("coll", "cond", "group", "is_obj", "kexpr", "kvar", "vexpr", "vvar")

    def __init__(
        self,
        kvar: str | None,
        vvar: str,
        coll: Node,
        kexpr: Node | None,
        vexpr: Node,
        cond: Node | None,
        group: bool,
        is_obj: bool,
        loc: Location,
    ):
        self.kvar = kvar
        self.vvar = vvar
        self.coll = coll
        self.kexpr = kexpr
        self.vexpr = vexpr
        self.cond = cond
        self.group = group
        self.is_obj = is_obj
        self.loc = loc


class Paren(Node):
    __slots__ = ("inner",)

    def __init__(self, inner: Node, loc: Location):
        self.inner = inner
        self.loc = loc


# template parts
class Interp:
    __slots__ = ("expr", "loc")

    def __init__(self, expr: Node, loc: Location):
        self.expr = expr
        self.loc = loc


class TIf:
    __slots__ = ("cond", "else_", "loc", "then")

    def __init__(self, cond: Node, then: list[Any], else_: list[Any], loc: Location):
        self.cond = cond
        self.then = then
        self.else_ = else_
        self.loc = loc


class TFor:
    __slots__ = ("body", "coll", "kvar", "loc", "vvar")

    def __init__(self, kvar: str | None, vvar: str, coll: Node, body: list[Any], loc: Location):
        self.kvar = kvar
        self.vvar = vvar
        self.coll = coll
        self.body = body
        self.loc = loc


class Tmpl(Node):
    __slots__ = ("parts",)

    def __init__(self, parts: list[Any], loc: Location):
        self.parts = parts  # str | Interp | TIf | TFor
        self.loc = loc


def walk(node: Any):
    """Yield every node of an expression (for reference analysis)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None or isinstance(n, str):
            continue
        yield n
        if isinstance(n, Attr | Paren):
            stack.append(n.obj if isinstance(n, Attr) else n.inner)
        elif isinstance(n, Index):
            stack += [n.obj, n.key]
        elif isinstance(n, Splat):
            stack.append(n.obj)
            stack += [o[1] for o in n.ops if o[0] == "index"]
        elif isinstance(n, Call):
            stack += n.args
        elif isinstance(n, Unary):
            stack.append(n.operand)
        elif isinstance(n, Binary):
            stack += [n.left, n.right]
        elif isinstance(n, Cond):
            stack += [n.cond, n.true, n.false]
        elif isinstance(n, TupleN):
            stack += n.items
        elif isinstance(n, ObjectN):
            for k, v in n.items:
                stack += [k, v]
        elif isinstance(n, ForN):
            stack += [n.coll, n.kexpr, n.vexpr, n.cond]
        elif isinstance(n, Tmpl):
            stack += n.parts
        elif isinstance(n, Interp):
            stack.append(n.expr)
        elif isinstance(n, TIf):
            stack += [n.cond, *n.then, *n.else_]
        elif isinstance(n, TFor):
            stack += [n.coll, *n.body]


def traversals(node: Node) -> list[tuple[str, str | None, Location]]:
    """Root references ``(root, first attribute, location)`` used by an expression."""
    out: list[tuple[str, str | None, Location]] = []
    inner: set[int] = set()
    for n in walk(node):
        if isinstance(n, Attr | Index) and isinstance(n.obj, Ref):
            inner.add(id(n.obj))
            if isinstance(n, Attr):
                out.append((n.obj.name, n.name, n.loc))
            elif isinstance(n.key, Lit):
                out.append((n.obj.name, str(n.key.value), n.loc))
            else:
                out.append((n.obj.name, None, n.loc))
        elif isinstance(n, Ref) and id(n) not in inner:
            out.append((n.name, None, n.loc))
    return out


# ---------------------------------------------------------------------------
# Lark tree -> AST
# ---------------------------------------------------------------------------

_OP_RE = re.compile(r"(==|!=|<=|>=|&&|\|\||[<>+*/%?-])\s*$")
_ESC_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_SIMPLE_ESC = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _is_expr(ch: Any) -> bool:
    return isinstance(ch, Tree) and ch.data != "new_line_or_comment"


def _exprs(children: list[Any]) -> list[Tree]:
    return [c for c in children if _is_expr(c)]


def _name_of(t: Any) -> str:
    if isinstance(t, Token):
        return str(t)
    if isinstance(t, Tree):
        if t.data == "string":
            return "".join(str(p.children[0]) for p in t.children if isinstance(p, Tree))
        return "".join(_name_of(c) for c in t.children)
    return str(t)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        f = float(text)
        if f.is_integer() and abs(f) < 2**63:
            return int(f)
        return f


class Compiler:
    def __init__(self, pm: PosMap, overrides: dict[tuple[int, int], str] | None = None):
        _ensure_lark()
        self.pm = pm
        self.diags: list[Diagnostic] = []
        # quoted strings hidden from the grammar (see protect_strip_markers): (line, col) -> inner text
        self.overrides = overrides or {}

    def err(self, summary: str, detail: str, loc: Location) -> None:
        self.diags.append(Diagnostic(summary, detail, loc))

    def compile(self, t: Any) -> Node:
        loc = self.pm.of(t)
        if isinstance(t, Token):
            return Lit(str(t), loc)
        d = t.data
        meth = getattr(self, "c_" + d, None)
        if meth is None:
            self.err("Unsupported expression", f"Expression of kind {d!r} is not supported.", loc)
            return Lit(None, loc)
        return meth(t, loc)

    # -- terms ------------------------------------------------------------
    def c_expr_term(self, t: Tree, loc: Location) -> Node:
        ex = _exprs(t.children)
        if any(isinstance(c, Token) and c.type == "LPAR" for c in t.children):
            return Paren(self.compile(ex[0]), loc)
        if not ex:
            return Lit(None, loc)
        return self.compile(ex[0])

    def c_int_lit(self, t: Tree, loc: Location) -> Node:
        return Lit(_number(str(t.children[0])), loc)

    c_float_lit = c_int_lit

    def c_literal_value(self, t: Tree, loc: Location) -> Node:
        v = str(t.children[0])
        return Lit({"true": True, "false": False, "null": None}[v], loc)

    def c_identifier(self, t: Tree, loc: Location) -> Node:
        return Ref(str(t.children[0]), loc)

    def c_keyword(self, t: Tree, loc: Location) -> Node:
        return Ref(str(t.children[0]), loc)

    def c_tuple(self, t: Tree, loc: Location) -> Node:
        return TupleN([self.compile(c) for c in _exprs(t.children)], loc)

    def c_object(self, t: Tree, loc: Location) -> Node:
        items = []
        for el in t.children:
            if not (isinstance(el, Tree) and el.data == "object_elem"):
                continue
            key_t = el.children[0]
            val_t = next(c for c in el.children[1:] if _is_expr(c))
            kinner = key_t.children[0]
            kloc = self.pm.of(key_t)
            key: Node
            if isinstance(kinner, Tree) and kinner.data == "keyword":
                key = Lit(str(kinner.children[0]), kloc)
            else:
                kn = self.compile(kinner)
                if isinstance(kn, Ref):
                    key = Lit(kn.name, kloc)
                elif isinstance(kn, Paren):
                    key = kn.inner
                else:
                    key = kn
            items.append((key, self.compile(val_t)))
        return ObjectN(items, loc)

    def c_string(self, t: Tree, loc: Location) -> Node:
        if self.overrides:
            meta = t.meta
            inner = self.overrides.get((meta.line, meta.column))
            if inner is not None:
                shift = meta.column + self.pm.all_cols + (self.pm.col_shift if meta.line == 1 else 0)
                pm = PosMap(self.pm.filename, self.pm.line_shift + meta.line - 1, shift)
                return build_template(scan_template(inner, pm, self, quoted=True), loc, self)
        flat: list[tuple] = []
        for part in t.children:
            if not isinstance(part, Tree):
                continue
            ch = part.children[0]
            ploc = self.pm.of(part)
            if isinstance(ch, Token):
                s = str(ch)
                if ch.type == "STRING_CHARS":
                    flat.append(("lit", self.unescape(s, ploc)))
                elif ch.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    flat.append(("lit", s[1:]))
                else:
                    flat.append(("lit", s))
                continue
            kind = ch.data
            strips = [c for c in ch.children if isinstance(c, Token) and c.type == "STRIP_MARKER"]
            toks = [c for c in ch.children if isinstance(c, Token)]
            sl = len(toks) > 1 and toks[1].type == "STRIP_MARKER"
            sr = len(toks) > 1 and toks[-2].type == "STRIP_MARKER"
            del strips
            if kind == "interpolation":
                flat.append(("interp", self.compile(_exprs(ch.children)[0]), False, False, ploc))
            elif kind == "template_if_start":
                flat.append(("if", self.compile(_exprs(ch.children)[0]), sl, sr, ploc))
            elif kind == "template_else":
                flat.append(("else", None, sl, sr, ploc))
            elif kind == "template_endif":
                flat.append(("endif", None, sl, sr, ploc))
            elif kind == "template_for_start":
                idents = [
                    str(c.children[0]) for c in ch.children if isinstance(c, Tree) and c.data == "identifier"
                ]
                coll = [c for c in ch.children if _is_expr(c) and c.data != "identifier"]
                k, v = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
                flat.append(("for", (k, v, self.compile(coll[-1])), sl, sr, ploc))
            elif kind == "template_endfor":
                flat.append(("endfor", None, sl, sr, ploc))
        return build_template(flat, loc, self)

    def c_template_string(self, t: Tree, loc: Location) -> Node:
        s = str(t.children[0])
        inner = s[2:-2] if s.startswith('\\"') else s.strip('"')
        return Lit(self.unescape(inner.replace('\\\\"', '"').replace('\\"', '"'), loc), loc)

    def unescape(self, s: str, loc: Location) -> str:
        if "\\" not in s:
            return s

        def rep(m: re.Match[str]) -> str:
            e = m.group(1)
            if e in _SIMPLE_ESC:
                return _SIMPLE_ESC[e]
            if e[0] in "uU" and len(e) > 1:
                return chr(int(e[1:], 16))
            self.err(
                "Invalid escape sequence", f'The symbol "{e}" is not a valid escape sequence selector.', loc
            )
            return e

        return _ESC_RE.sub(rep, s)

    def _heredoc(self, t: Tree, loc: Location, trim: bool) -> Node:
        raw = str(t.children[0])
        first_nl = raw.index("\n")
        marker = raw[3 if trim else 2 : first_nl].strip()
        body = raw[first_nl + 1 :]
        # drop the closing marker line
        body = body.rstrip("\r\n")
        lines = body.split("\n")
        if lines and lines[-1].strip() == marker:
            lines = lines[:-1]
        n = 0
        if trim:
            ind = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
            n = min(ind) if ind else 0
            lines = [ln[n:] for ln in lines]
        text = "\n".join(lines) + ("\n" if lines else "")
        body_line = loc.line + 1
        flat = scan_template(text, PosMap(self.pm.filename, body_line - 1, 0, n if trim else 0), self)
        return build_template(flat, loc, self)

    def c_heredoc_template(self, t: Tree, loc: Location) -> Node:
        return self._heredoc(t, loc, False)

    def c_heredoc_template_trim(self, t: Tree, loc: Location) -> Node:
        return self._heredoc(t, loc, True)

    # -- traversals -------------------------------------------------------
    def c_get_attr_expr_term(self, t: Tree, loc: Location) -> Node:
        obj = self.compile(t.children[0])
        return self._apply_op(obj, t.children[1])

    def _apply_op(self, obj: Node, op: Tree) -> Node:
        oloc = self.pm.of(op)
        if op.data == "get_attr":
            return Attr(obj, _name_of(op.children[1]), oloc)
        if op.data == "short_index":
            return Index(obj, Lit(int(str(op.children[1])), oloc), oloc)
        if op.data == "braces_index":
            return Index(obj, self.compile(_exprs(op.children)[0]), oloc)
        raise AssertionError(op.data)

    def c_index_expr_term(self, t: Tree, loc: Location) -> Node:
        obj = self.compile(t.children[0])
        return self._apply_op(obj, t.children[1])

    def _splat(self, t: Tree, loc: Location, full: bool) -> Node:
        obj = self.compile(t.children[0])
        ops: list[tuple[str, Any, Location]] = []
        for op in t.children[1].children:
            if not isinstance(op, Tree):
                continue
            oloc = self.pm.of(op)
            if op.data == "get_attr":
                ops.append(("attr", _name_of(op.children[1]), oloc))
            elif op.data == "short_index":
                ops.append(("index", Lit(int(str(op.children[1])), oloc), oloc))
            else:
                ops.append(("index", self.compile(_exprs(op.children)[0]), oloc))
        return Splat(obj, ops, full, self.pm.of(t.children[1]))

    def c_attr_splat_expr_term(self, t: Tree, loc: Location) -> Node:
        return self._splat(t, loc, False)

    def c_full_splat_expr_term(self, t: Tree, loc: Location) -> Node:
        return self._splat(t, loc, True)

    def c_function_call(self, t: Tree, loc: Location) -> Node:
        idents = [c for c in t.children if isinstance(c, Tree) and c.data == "identifier"]
        name = "::".join(str(i.children[0]) for i in idents)
        args_t = [c for c in t.children if isinstance(c, Tree) and c.data == "arguments"]
        args: list[Node] = []
        expand = False
        if args_t:
            for c in args_t[0].children:
                if _is_expr(c):
                    args.append(self.compile(c))
                elif isinstance(c, Token) and c.type == "ELLIPSIS":
                    expand = True
        return Call(name, args, expand, loc)

    # -- operators --------------------------------------------------------
    def c_unary_op(self, t: Tree, loc: Location) -> Node:
        op = str(t.children[0])
        operand = self.compile(_exprs(t.children)[0])
        if (
            op == "-"
            and isinstance(operand, Lit)
            and isinstance(operand.value, int | float)
            and not isinstance(operand.value, bool)
        ):
            return Lit(-operand.value, loc)
        return Unary(op, operand, loc)

    def c_binary_op(self, t: Tree, loc: Location) -> Node:
        ex = _exprs(t.children)
        left = self.compile(ex[0])
        term = ex[1]
        opt = next(c for c in term.children if isinstance(c, Tree) and c.data == "binary_operator")
        m = _OP_RE.search(str(opt.children[0]))
        op = m.group(1) if m else str(opt.children[0]).strip()
        right = self.compile(next(c for c in term.children if _is_expr(c) and c.data != "binary_operator"))
        return Binary(op, left, right, self.pm.of(opt))

    def c_conditional(self, t: Tree, loc: Location) -> Node:
        ex = _exprs(t.children)
        return Cond(self.compile(ex[0]), self.compile(ex[1]), self.compile(ex[2]), loc)

    # -- for expressions --------------------------------------------------
    def _for(self, t: Tree, loc: Location, is_obj: bool) -> Node:
        intro = next(c for c in t.children if isinstance(c, Tree) and c.data == "for_intro")
        idents = [
            str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"
        ]
        coll_t = [c for c in intro.children if _is_expr(c) and c.data != "identifier"]
        # the collection may itself be a bare identifier
        if not coll_t:
            id_trees = [c for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
            coll_t = [id_trees[-1]]
            idents = idents[:-1]
        elif len(idents) > 2:
            idents = idents[:2]
        kvar, vvar = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        coll = self.compile(coll_t[-1])
        body = [c for c in t.children if _is_expr(c) and c.data not in ("for_intro", "for_cond")]
        cond_t = [c for c in t.children if isinstance(c, Tree) and c.data == "for_cond"]
        cond = self.compile(_exprs(cond_t[0].children)[0]) if cond_t else None
        group = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in t.children)
        if is_obj:
            return ForN(
                kvar, vvar, coll, self.compile(body[0]), self.compile(body[1]), cond, group, True, loc
            )
        return ForN(kvar, vvar, coll, None, self.compile(body[0]), cond, False, False, loc)

    def c_for_tuple_expr(self, t: Tree, loc: Location) -> Node:
        return self._for(t, loc, False)

    def c_for_object_expr(self, t: Tree, loc: Location) -> Node:
        return self._for(t, loc, True)


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def build_template(flat: list[tuple], loc: Location, comp: Compiler) -> Node:
    """Apply strip markers and assemble if/for structure from a flat part list."""
    # strip markers
    items = [list(x) for x in flat]
    for i, it in enumerate(items):
        if it[0] == "lit":
            continue
        sl, sr = it[2], it[3]
        if sl and i > 0 and items[i - 1][0] == "lit":
            items[i - 1][1] = items[i - 1][1].rstrip(" \t\r\n")
        if sr and i + 1 < len(items) and items[i + 1][0] == "lit":
            items[i + 1][1] = items[i + 1][1].lstrip(" \t\r\n")

    pos = 0

    def parse_seq(stop: tuple[str, ...]) -> tuple[list[Any], str | None, Location | None]:
        nonlocal pos
        out: list[Any] = []
        while pos < len(items):
            it = items[pos]
            kind = it[0]
            if kind in stop:
                pos += 1
                return out, kind, it[4]
            pos += 1
            if kind == "lit":
                if it[1]:
                    if out and isinstance(out[-1], str):
                        out[-1] += it[1]
                    else:
                        out.append(it[1])
            elif kind == "interp":
                out.append(Interp(it[1], it[4]))
            elif kind == "if":
                then, k, _ = parse_seq(("else", "endif"))
                els: list[Any] = []
                if k == "else":
                    els, k, _ = parse_seq(("endif",))
                if k != "endif":
                    comp.err("Unterminated template directive", "Missing %{ endif } for this %{ if }.", it[4])
                out.append(TIf(it[1], then, els, it[4]))
            elif kind == "for":
                body, k, _ = parse_seq(("endfor",))
                if k != "endfor":
                    comp.err(
                        "Unterminated template directive", "Missing %{ endfor } for this %{ for }.", it[4]
                    )
                kv, vv, coll = it[1]
                out.append(TFor(kv, vv, coll, body, it[4]))
            else:
                comp.err(
                    "Unexpected template directive",
                    f"A %{{ {kind} }} directive appears without a matching opening directive.",
                    it[4],
                )
        return out, None, None

    parts, _, _ = parse_seq(())
    return Tmpl(parts, loc)


def _line_col(text: str, offset: int, starts: list[int]) -> tuple[int, int]:
    import bisect

    i = bisect.bisect_right(starts, offset) - 1
    return i + 1, offset - starts[i] + 1


def _match_brace(text: str, i: int) -> int:
    """Index of the ``}`` closing the interpolation/directive whose body starts at i, or -1."""
    stack = ["code"]
    depth = [0]
    n = len(text)
    while i < n:
        c = text[i]
        mode = stack[-1]
        if mode == "str":
            if c == "\\":
                i += 2
                continue
            if c == '"':
                stack.pop()
                depth.pop()
            elif c in "$%" and text.startswith("{", i + 1):
                if text.startswith(c + c + "{", i):
                    i += 3
                    continue
                stack.append("code")
                depth.append(0)
                i += 2
                continue
            i += 1
            continue
        if c == '"':
            stack.append("str")
            depth.append(0)
        elif c == "{":
            depth[-1] += 1
        elif c == "}":
            if depth[-1] == 0:
                stack.pop()
                depth.pop()
                if not stack:
                    return i
            else:
                depth[-1] -= 1
        i += 1
    return -1


_TSTART_RE = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_FOR_RE = re.compile(r"^\s*for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?\s+in\s+(.*)$", re.S)


def parse_expression(text: str, pm: PosMap, comp: Compiler) -> Node:
    """Parse one expression from text (snippet) with position mapping."""
    _ensure_lark()
    src = "x=(" + text + "\n)"
    sub = PosMap(pm.filename, pm.line_shift, pm.col_shift - 3)
    overrides: dict[tuple[int, int], str] = {}
    try:
        tree = hcl2.parses_to_tree(src)
    except UnexpectedInput as e:
        protected, overrides = protect_strip_markers(src)
        try:
            if not overrides:
                raise e
            tree = hcl2.parses_to_tree(protected)
        except UnexpectedInput:
            comp.diags.append(syntax_diag(e, sub, src))
            return Lit(None, sub.loc(1, 4))
    except LarkError as e:  # pragma: no cover - defensive
        comp.err("Invalid expression", str(e), sub.loc(1, 4))
        return Lit(None, sub.loc(1, 4))
    attr = tree.children[0].children[0]
    expr = _exprs(attr.children)[-1]
    c = Compiler(sub, overrides)
    node = c.compile(expr)
    comp.diags.extend(c.diags)
    if isinstance(node, Paren):
        node = node.inner
    return node


def scan_template(text: str, pm: PosMap, comp: Compiler, quoted: bool = False) -> list[tuple]:
    """Split raw template text into flat parts, parsing embedded expressions.

    ``quoted``: the text is the inside of a quoted string, whose literal parts use escapes.
    """
    flat = _scan_template(text, pm, comp)
    if quoted:
        loc = pm.loc(1, 1)
        flat = [("lit", comp.unescape(f[1], loc)) if f[0] == "lit" else f for f in flat]
    return flat


def _scan_template(text: str, pm: PosMap, comp: Compiler) -> list[tuple]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    flat: list[tuple] = []
    lit: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        m = _TSTART_RE.search(text, i)
        if m is None:
            lit.append(text[i:])
            break
        if m.start() > i:
            lit.append(text[i : m.start()])
        i = m.start()
        c = text[i]
        if len(m.group(0)) == 3:
            lit.append(c + "{")
            i += 3
            continue
        # start of ${ or %{
        line, col = _line_col(text, i, starts)
        ploc = pm.loc(line, col)
        end = _match_brace(text, i + 2)
        if end < 0:
            comp.err(
                "Unterminated template string",
                "No closing marker was found for the "
                f"{'interpolation' if c == '$' else 'directive'} sequence.",
                ploc,
            )
            lit.append(text[i:])
            break
        inner = text[i + 2 : end]
        body_off = i + 2
        sl = inner.startswith("~")
        if sl:
            inner = inner[1:]
            body_off += 1
        sr = inner.endswith("~")
        if sr:
            inner = inner[:-1]
        if lit:
            flat.append(("lit", "".join(lit)))
            lit = []
        bl, bc = _line_col(text, body_off, starts)
        sub = PosMap(
            pm.filename, pm.line_shift + bl - 1, (bc - 1) + pm.all_cols + (pm.col_shift if bl == 1 else 0)
        )
        if c == "$":
            flat.append(("interp", parse_expression(inner, sub, comp), sl, sr, ploc))
        else:
            word = inner.strip()
            m = _FOR_RE.match(inner)
            if word.startswith("if ") or word.startswith("if\t") or word.startswith("if("):
                off = inner.index("if") + 2
                sub2 = PosMap(sub.filename, sub.line_shift, sub.col_shift + off)
                flat.append(("if", parse_expression(inner[off:], sub2, comp), sl, sr, ploc))
            elif word == "else":
                flat.append(("else", None, sl, sr, ploc))
            elif word == "endif":
                flat.append(("endif", None, sl, sr, ploc))
            elif word == "endfor":
                flat.append(("endfor", None, sl, sr, ploc))
            elif m:
                k, v = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
                off = m.start(3)
                sub2 = PosMap(sub.filename, sub.line_shift, sub.col_shift + off)
                flat.append(("for", (k, v, parse_expression(m.group(3), sub2, comp)), sl, sr, ploc))
            else:
                comp.err(
                    "Invalid template directive",
                    'A template directive keyword ("if", "for", etc) is expected at the '
                    "beginning of a %{ sequence.",
                    ploc,
                )
        i = end + 1
    if lit:
        flat.append(("lit", "".join(lit)))
    return flat


def compile_template_text(text: str, filename: str, line: int = 1, col: int = 1) -> Node:
    """Compile raw template text (templatefile contents). Raises CompileError."""
    comp = Compiler(PosMap(filename, line - 1, col - 1))
    flat = scan_template(text, comp.pm, comp)
    node = build_template(flat, Location(filename, line, col), comp)
    if comp.diags:
        raise CompileError(comp.diags)
    return node


# ---------------------------------------------------------------------------
# Syntax errors
# ---------------------------------------------------------------------------


def syntax_diag(e: Any, pm: PosMap, text: str) -> Diagnostic:
    line = getattr(e, "line", 0) or 0
    col = getattr(e, "column", 0) or 0
    if line in (-1, None) or line == 0:
        lines = text.rstrip("\n").split("\n")
        line, col = len(lines), len(lines[-1]) + 1
    loc = pm.loc(line, col)
    src_line = text.split("\n")[line - 1] if 0 < line <= len(text.split("\n")) else ""
    if isinstance(e, UnexpectedCharacters):
        ch = text[e.pos_in_stream] if e.pos_in_stream is not None and e.pos_in_stream < len(text) else ""
        before = src_line[: max(col - 1, 0)]
        if before.count('"') % 2 == 1:
            return Diagnostic(
                "Unterminated template string", "No closing marker was found for the string.", loc
            )
        if ch == "\\":
            return Diagnostic("Invalid character", "This character is not used within the language.", loc)
        return Diagnostic("Invalid character", f"The character {ch!r} is not expected here.", loc)
    if isinstance(e, UnexpectedEOF):
        opened = find_unclosed_brace(text)
        if opened is not None:
            loc = pm.loc(*opened)
        return Diagnostic(
            "Unclosed configuration block",
            "There is no closing brace for this block before the end of the file.",
            loc,
        )
    bad = find_unterminated_string(text)
    if bad is not None:
        return Diagnostic(
            "Unterminated template string",
            "No closing marker was found for the string. Quoted strings may not be split over multiple "
            'lines; use the \\n escape or the "heredoc" syntax for multi-line strings.',
            pm.loc(*bad),
        )
    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "STRING_CHARS":
            val = str(tok)
            stripped = val.lstrip(" \t")
            if not stripped or stripped[0] in "\r\n":
                return Diagnostic(
                    "Invalid expression",
                    "Expected the start of an expression, but found an invalid expression token.",
                    loc,
                )
            loc = pm.loc(line, col + len(val) - len(stripped))
            return Diagnostic(
                "Invalid character",
                f"The character {stripped[0]!r} is not used within the language.",
                loc,
            )
        if tok.type == "$END":
            opened = find_unclosed_brace(text)
            if opened is not None:
                loc = pm.loc(*opened)
            return Diagnostic(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file. "
                "This may be caused by incorrect brace nesting elsewhere in this file.",
                loc,
            )
        expected = set(e.expected or ())
        if tok.type == "NL_OR_COMMENT" and expected & {"NAME", "DBLQUOTE", "LSQB", "INT_LITERAL", "LBRACE"}:
            return Diagnostic(
                "Invalid expression",
                "Expected the start of an expression, but found an invalid expression token.",
                loc,
            )
        if tok.type == "RBRACE" and expected & {"NAME", "DBLQUOTE", "LSQB", "INT_LITERAL"}:
            return Diagnostic(
                "Invalid expression",
                "Expected the start of an expression, but found an invalid expression token.",
                loc,
            )
        at_line_start = not text.split("\n")[line - 1][: max(col - 1, 0)].strip() if line else False
        if at_line_start and line > 1:
            # the problem is at the end of the previous non-blank line
            lines = text.split("\n")
            k = line - 2
            while k > 0 and not lines[k].strip():
                k -= 1
            prev_loc = pm.loc(k + 1, len(lines[k].rstrip()) + 1)
        else:
            prev_loc = loc
        if "LBRACE" in expected and "EQ" not in expected and tok.type != "LBRACE":
            return Diagnostic(
                "Invalid block definition",
                'A block definition must have block content delimited by "{" and "}", starting on the same '
                "line as the block header.",
                prev_loc,
            )
        if "RSQB" in expected and "COMMA" in expected and tok.type not in ("RSQB", "COMMA"):
            return Diagnostic(
                "Missing item separator",
                'Expected a comma to mark the beginning of the next item, or "]" to end the list.',
                prev_loc,
            )
        if "RPAR" in expected and "COMMA" in expected and tok.type not in ("RPAR", "COMMA"):
            return Diagnostic(
                "Missing argument separator",
                'A comma is required to separate each function argument from the next, or ")" to end the call.',
                prev_loc,
            )
        if tok.type == "RBRACE" and ("NAME" in expected or expected == {"$END"}):
            return Diagnostic(
                "Argument or block definition required",
                "An argument or block definition is required here; this closing brace has no matching "
                "opening brace.",
                loc,
            )
        if tok.type == "NAME" and "EQ" not in expected and "NL_OR_COMMENT" in expected:
            return Diagnostic(
                "Missing newline after argument", "An argument definition must end with a newline.", loc
            )
        if "EQ" in expected or "LBRACE" in expected:
            return Diagnostic(
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, "
                'use the equals sign "=" to introduce the argument value.',
                loc,
            )
        return Diagnostic("Invalid syntax", f"Unexpected {_tok_desc(tok)} here.", loc)
    return Diagnostic("Invalid syntax", str(e).splitlines()[0], loc)


def _tok_desc(tok: Token) -> str:
    v = str(tok)
    if tok.type == "NL_OR_COMMENT":
        return "newline"
    return f'"{v.strip()}"' if v.strip() else tok.type


def find_unterminated_string(text: str) -> tuple[int, int] | None:
    """(line, col) of the first quoted string that runs into a newline, if any."""
    for _start, _end, line, col, closed in _iter_quoted_strings(text):
        if not closed:
            return line, col
    return None


_BRACE_SCAN = re.compile(
    r'#[^\n]*|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n|[{}\n]', re.S
)


def find_unclosed_brace(text: str) -> tuple[int, int] | None:
    """(line, col) of the outermost ``{`` that is never closed, if any."""
    stack: list[tuple[int, int]] = []
    line, line_start, pos = 1, 0, 0
    while True:
        m = _BRACE_SCAN.search(text, pos)
        if m is None:
            break
        tok = m.group(0)
        if m.group(1):  # heredoc: skip to its closing marker
            marker = m.group(1)
            end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M).search(text, m.end())
            stop = end.end() if end else len(text)
            line += text.count("\n", m.start(), stop)
            line_start = text.rfind("\n", 0, stop) + 1
            pos = stop
            continue
        if tok == "{":
            stack.append((line, m.start() - line_start + 1))
        elif tok == "}":
            if stack:
                stack.pop()
        elif "\n" in tok:
            line += tok.count("\n")
            line_start = m.start() + tok.rfind("\n") + 1
        pos = m.end()
    return stack[0] if stack else None


_HEREDOC_START = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")


@dataclass
class Parsed:
    filename: str
    text: str
    tree: Tree | None
    diags: list[Diagnostic]
    overrides: dict[tuple[int, int], str] = field(default_factory=dict)


def protect_strip_markers(text: str) -> tuple[str, dict[tuple[int, int], str]]:
    """python-hcl2's grammar has no strip markers in quoted-string interpolations
    (``"a ${~ x ~} b"``). Such single-line strings are replaced by a same-length
    placeholder for the grammar; their text is compiled by :func:`scan_template`."""
    if "${~" not in text and "~}" not in text:
        return text, {}
    overrides: dict[tuple[int, int], str] = {}
    out: list[str] = []
    last = 0
    for start, end, line, col, _closed in _iter_quoted_strings(text):
        s = text[start:end]
        if "\n" in s or not ("${~" in s or "~}" in s):
            continue
        overrides[(line, col)] = s[1:-1]
        out.append(text[last:start])
        out.append('"' + "x" * (len(s) - 2) + '"')
        last = end
    out.append(text[last:])
    return "".join(out), overrides


def _iter_quoted_strings(text: str) -> Iterator[tuple[int, int, int, int, bool]]:
    """(start, end, line, col, closed) of each top-level quoted string, skipping comments and
    heredocs; ``closed`` is False for a string that runs into a newline or the end of the text."""
    i, n, line, line_start = 0, len(text), 1, 0
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            line_start = i + 1
            i += 1
        elif c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            k = text.rfind("\n", i, j)
            if k >= 0:
                line_start = k + 1
            i = j
        elif text.startswith("<<", i) and _HEREDOC_START.match(text, i):
            m = _HEREDOC_START.match(text, i)
            assert m is not None
            end_m = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t\r]*$", re.M).search(text, m.end())
            j = end_m.end() if end_m else n
            line += text.count("\n", i, j)
            k = text.rfind("\n", i, j)
            if k >= 0:
                line_start = k + 1
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] in "$%" and text.startswith("{", j + 1) and text[j - 1] != text[j]:
                    e = _match_brace(text, j + 2)
                    if e < 0:
                        j = n
                        break
                    j = e + 1
                    continue
                j += 1
            end = min(j + 1, n)
            yield i, end, line, i - line_start + 1, j < n and text[j] == '"'
            line += text.count("\n", i, end)
            k = text.rfind("\n", i, end)
            if k >= 0:
                line_start = k + 1
            i = end
        else:
            i += 1


def parse_file_text(text: str, filename: str) -> Parsed:
    _ensure_lark()
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as e:
        protected, overrides = protect_strip_markers(text)
        if overrides:
            try:
                return Parsed(filename, text, hcl2.parses_to_tree(protected), [], overrides)
            except UnexpectedInput:
                pass
        return Parsed(filename, text, None, [syntax_diag(e, PosMap(filename), text + "\n")])
    except LarkError as e:
        return Parsed(filename, text, None, [Diagnostic("Invalid syntax", str(e), Location(filename, 1, 1))])
    return Parsed(filename, text, tree, [])
