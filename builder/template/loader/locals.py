"""Local values: ``locals``/``local`` blocks, evaluated lazily in dependency order (a cycle is
reported with its chain); sensitive ones are registered as secrets. The ``local`` namespace
reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from builder import secrets
from builder.errors import Location
from builder.template import expr as E
from builder.template.evaluator import EvalError, Namespace, evaluate, fail, suggest
from builder.template.lazy import Lazy, Resolver
from builder.template.loader.checks import check_attrs, check_labels
from builder.template.loader.context import LoadState


@dataclass
class Local:
    name: str
    expr: E.Node
    loc: Location
    sensitive: bool = False
    cell: Lazy = field(init=False)

    def __post_init__(self) -> None:
        self.cell = Lazy(f"local.{self.name}")

    @property
    def value(self) -> Any:
        return self.cell.value


class Locals:
    """The local values of one load, by name."""

    def __init__(self, st: LoadState, resolver: Resolver):
        """``resolver``: the one the data sources share, so that a cycle through a local and a
        data source is reported with its whole chain."""
        self.st = st
        self.by_name: dict[str, Local] = {}
        self.resolver = resolver
        self.namespace = Namespace("local", lambda: list(self.by_name), self.get, self.missing)

    def decode(self) -> None:
        for b in [b for b in self.st.all_blocks() if b.type in ("locals", "local")]:
            if b.type == "locals":
                check_labels(self.st.col, b, 0, "")
                check_attrs(self.st.col, b.body, None)
                for a in b.body.attrs.values():
                    self._add(Local(a.name, a.expr, a.loc))
            else:
                if not check_labels(self.st.col, b, 1, "name"):
                    continue
                check_attrs(self.st.col, b.body, ("expression", "sensitive"))
                ex = b.body.attrs.get("expression")
                if ex is None:
                    self.st.col.err(
                        "Missing required argument",
                        'The argument "expression" is required, but no definition was found.',
                        b.loc,
                    )
                    continue
                lv = Local(b.labels[0], ex.expr, b.loc)
                if "sensitive" in b.body.attrs:
                    try:
                        s = self.st.const(b.body.attrs["sensitive"].expr)
                        lv.sensitive = bool(s)
                    except EvalError as e:
                        self.st.col.extend(e.diags)
                self._add(lv)

    def _add(self, lv: Local) -> None:
        if lv.name in self.by_name:
            prev = self.by_name[lv.name].loc
            self.st.col.err(
                "Duplicate local definition",
                f'Local variable "{lv.name}" is defined twice: '
                f"previously at {prev.filename}:{prev.line},{prev.col}.",
                lv.loc,
            )
            return
        self.by_name[lv.name] = lv

    def get(self, name: str, loc: Location) -> Any:
        lv = self.by_name[name]
        if self.st.syntax_only:
            return None
        return self.resolver.get(lv.cell, loc, lambda: self._compute(lv), "Cyclic local value reference")

    def _compute(self, lv: Local) -> Any:
        val = evaluate(lv.expr, self.st.root_scope())
        if lv.sensitive and val is not None:
            secrets.add(val)
        return val

    def missing(self, name: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared local value",
            f'A local value with the name "{name}" has not been declared.{suggest(name, self.by_name)}',
            loc,
        )

    def evaluate_all(self) -> None:
        for name in list(self.by_name):
            try:
                self.get(name, self.by_name[name].loc)
            except EvalError as e:
                self.st.col.extend(e.diags)
