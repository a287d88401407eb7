"""Top-level ``source`` blocks, the references a build makes to them (``sources = [...]`` or
an in-build ``source`` block) and the :class:`SourceSpec` each reference becomes: evaluated
later with the source's and the build's values in scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builder.errors import Location
from builder.template import expr as E
from builder.template.evaluator import EvalError, evaluate, suggest
from builder.template.loader.body import HBlock, HBody
from builder.template.loader.checks import check_labels
from builder.template.loader.context import PLACEHOLDER_BUILD, LoadState
from builder.template.loader.dynamic import eval_body_or_raise
from builder.template.model import SourceSpec


class Sources:
    """The source blocks of one load, by (type, name)."""

    def __init__(self, st: LoadState):
        self.st = st
        self.blocks: dict[tuple[str, str], HBlock] = {}

    def decode(self) -> None:
        for b in self.st.blocks("source"):
            if not check_labels(self.st.col, b, 2, "type and name"):
                continue
            key = (b.labels[0], b.labels[1])
            if key in self.blocks:
                prev = self.blocks[key].loc
                self.st.col.err(
                    "Duplicate source block",
                    f"This source block has the same builder type and name as a previous block declared "
                    f"at {prev.filename}:{prev.line},{prev.col}. Each source must have a unique name per "
                    "builder type.",
                    b.loc,
                )
                continue
            self.blocks[key] = b

    def refs(self, node: E.Node) -> list[tuple[str, Location]]:
        """The source references of a build's ``sources`` argument, with their locations."""
        out: list[tuple[str, Location]] = []
        items: list[E.Node]
        if isinstance(node, E.TupleN):
            items = node.items
        else:
            try:
                v = evaluate(node, self.st.build_scope())
            except EvalError as e:
                if not self.st.syntax_only:
                    self.st.col.extend(e.diags)
                return out
            if not isinstance(v, list):
                self.st.col.err(
                    "Invalid sources",
                    'sources must be a list of source references like "source.qemu.example".',
                    node.loc,
                )
                return out
            return [(str(x), node.loc) for x in v]
        for it in items:
            # a bare traversal: source.qemu.example
            parts: list[str] = []
            n: E.Node = it
            while isinstance(n, E.Attr):
                parts.insert(0, n.name)
                n = n.obj
            if isinstance(n, E.Ref) and parts:
                out.append((".".join([n.name, *parts]), it.loc))
                continue
            try:
                v = evaluate(it, self.st.build_scope())
            except EvalError as e:
                if not self.st.syntax_only:
                    self.st.col.extend(e.diags)
                continue
            if not isinstance(v, str):
                self.st.col.err(
                    "Invalid source reference",
                    'A source reference must be a string like "source.qemu.example".',
                    it.loc,
                )
                continue
            out.append((v, it.loc))
        return out

    def resolve(self, ref: str, loc: Location) -> tuple[str, str] | None:
        """The (type, name) of a declared source ``ref`` (``source.TYPE.NAME`` or ``TYPE.NAME``) names."""
        parts = ref.split(".")
        if len(parts) == 3 and parts[0] in ("source", "sources"):
            key = (parts[1], parts[2])
        elif len(parts) == 2:
            key = (parts[0], parts[1])
        else:
            self.st.col.err(
                "Invalid source reference",
                f'"{ref}" is not a valid source reference: expected "source.TYPE.NAME".',
                loc,
            )
            return None
        if key not in self.blocks:
            known = [f"source.{t}.{n}" for t, n in self.blocks]
            self.st.col.err(
                "Unknown source",
                f'Unknown source "{key[0]}.{key[1]}": no source "{key[0]}" "{key[1]}" '
                f"block is declared.{suggest(f'source.{key[0]}.{key[1]}', known)}",
                loc,
            )
            return None
        return key

    def make(
        self, key: tuple[str, str], name: str, extra: HBlock | None, loc: Location
    ) -> SourceSpec:
        """The source ``key`` as a build uses it, named ``name``, with the arguments and blocks of
        an in-build ``source`` block (``extra``) added."""
        orig = self.blocks[key]
        body = HBody(dict(orig.body.attrs), list(orig.body.blocks), orig.loc)
        if extra is not None:
            for a in extra.body.attrs.values():
                if a.name != "name" and a.name not in body.attrs:
                    body.attrs[a.name] = a
            body.blocks += extra.body.blocks
        locs = {n: a.loc for n, a in body.attrs.items()}
        stype = key[0]

        def evaluate_source(ctx: Mapping[str, Any]) -> dict[str, Any]:
            scope = self.st.root_scope()
            src = {"name": name, "type": stype}
            src.update(dict(ctx.get("source") or {}))
            scope.vars["source"] = src
            bld = dict(PLACEHOLDER_BUILD)
            bld.update(dict(ctx.get("build") or {}))
            scope.vars["build"] = bld
            return eval_body_or_raise(body, scope, ())

        return SourceSpec(stype, name, orig.loc if extra is None else extra.loc, evaluate_source, locs)
