"""Reading and parsing one HCL2 file into a generic body: attributes (name, compiled expression,
location) and blocks (type, labels, body), with the layout rules python-hcl2's grammar does not
enforce. Parsed bodies go through the AST cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from builder.errors import Location
from builder.template import cache as ast_cache
from builder.template import expr as E
from builder.template.loader.diagnostics import Collector


@dataclass
class HAttr:
    name: str
    expr: E.Node
    loc: Location


@dataclass
class HBlock:
    type: str
    labels: list[str]
    body: HBody
    loc: Location
    label_locs: list[Location] = field(default_factory=list)


@dataclass
class HBody:
    attrs: dict[str, HAttr]
    blocks: list[HBlock]
    loc: Location

    def blocks_of(self, kind: str) -> list[HBlock]:
        return [b for b in self.blocks if b.type == kind]


def _end_line(t: Any) -> int:
    """Line of the last real token of t (trailing newlines/comments excluded)."""
    for ch in reversed(t.children):
        if isinstance(ch, E.Token):
            if ch.type == "NL_OR_COMMENT":
                continue
            end = int(ch.end_line or ch.line)
            # a heredoc's token swallows the newline after its closing marker
            return end - 1 if str(ch).endswith("\n") and end > ch.line else end
        if isinstance(ch, E.Tree) and ch.data != "new_line_or_comment":
            r = _end_line(ch)
            if r:
                return r
    return 0


def _check_layout(block: Any, items: list[Any], comp: E.Compiler) -> None:
    """HCL rules python-hcl2's grammar does not enforce: one argument per line, and a
    single-line block holds a single argument and is closed on the same line."""
    prev_end = 0
    for it in items:
        if prev_end and it.meta.line == prev_end:
            comp.err(
                "Missing newline after argument",
                "An argument definition must end with a newline.",
                comp.pm.of(it),
            )
        prev_end = _end_line(it)
    if block is None or not items:
        return
    toks = [k for k in block.children if isinstance(k, E.Token)]
    lbrace = next((k for k in toks if k.type == "LBRACE"), None)
    rbrace = next((k for k in reversed(toks) if k.type == "RBRACE"), None)
    if lbrace is None or rbrace is None or items[0].meta.line != lbrace.line:
        return
    multi = len(items) > 1 and items[1].meta.line != items[0].meta.line
    unclosed = len(items) == 1 and rbrace.line != _end_line(items[0])
    if multi or unclosed:
        comp.err(
            "Invalid single-argument block definition",
            "An argument definition on the same line as its containing block creates a single-line block "
            "definition, which must also be closed on the same line. Place the block's closing brace "
            "immediately after the argument definition.",
            comp.pm.of(items[0]),
        )


def _decode_body(tree: Any, comp: E.Compiler, loc: Location, block: Any = None) -> HBody:
    body = HBody({}, [], loc)
    items = [ch for ch in tree.children if isinstance(ch, E.Tree) and ch.data in ("attribute", "block")]
    _check_layout(block, items, comp)
    for ch in items:
        if ch.data == "attribute":
            name = E._name_of(ch.children[0])
            aloc = comp.pm.of(ch)
            expr_t = [c for c in ch.children[1:] if E._is_expr(c)][-1]
            node = comp.compile(expr_t)
            if name in body.attrs:
                prev = body.attrs[name].loc
                comp.err(
                    "Attribute redefined",
                    f'The argument "{name}" was already set at '
                    f"{prev.filename}:{prev.line},{prev.col}. Each argument may be set only once.",
                    aloc,
                )
                continue
            body.attrs[name] = HAttr(name, node, aloc)
        elif ch.data == "block":
            bloc = comp.pm.of(ch)
            kids = ch.children
            btype = E._name_of(kids[0])
            labels: list[str] = []
            label_locs: list[Location] = []
            inner = None
            for k in kids[1:]:
                if isinstance(k, E.Tree) and k.data == "body":
                    inner = k
                    break
                if isinstance(k, E.Tree) and k.data in ("identifier", "string", "keyword", "literal_value"):
                    labels.append(E._name_of(k))
                    label_locs.append(comp.pm.of(k))
            sub = _decode_body(inner, comp, bloc, ch) if inner is not None else HBody({}, [], bloc)
            body.blocks.append(HBlock(btype, labels, sub, bloc, label_locs))
    return body


def read_text(path: str, col: Collector) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except UnicodeDecodeError:
        col.err("Invalid file encoding", f"{path} is not valid UTF-8.", Location(path))
    except OSError as e:
        col.err("Failed to read file", f"{path}: {e.strerror}", Location(path))
    return None


def parse_file(path: str, col: Collector) -> HBody | None:
    text = read_text(path, col)
    if text is None:
        return None
    key = ast_cache.key("file", path, text)
    cached = ast_cache.get(key)
    if isinstance(cached, HBody):
        return cached
    parsed = E.parse_file_text(text, path)
    if parsed.diags:
        col.extend(parsed.diags)
        return None
    assert parsed.tree is not None
    comp = E.Compiler(E.PosMap(path), parsed.overrides)
    body = _decode_body(parsed.tree.children[0], comp, Location(path, 1, 1))
    col.extend(comp.diags)
    if not comp.diags:
        ast_cache.put(key, body)
    return body
