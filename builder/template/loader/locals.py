"""Local values: ``locals``/``local`` blocks, evaluated lazily in dependency order (a cycle is
reported with its chain); sensitive ones are registered as secrets. The ``local`` namespace
reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builder import secrets
from builder.errors import Location
from builder.template import expr as E
from builder.template.evaluator import EvalError, Namespace, evaluate, fail, suggest
from builder.template.loader.checks import check_attrs, check_labels
from builder.template.loader.context import LoadState


@dataclass
class Local:
    name: str
    expr: E.Node
    loc: Location
    sensitive: bool = False
    state: str = "pending"  # pending | busy | done | failed
    value: Any = None


class Locals:
    """The local values of one load, by name."""

    def __init__(self, st: LoadState):
        self.st = st
        self.by_name: dict[str, Local] = {}
        self.stack: list[str] = []  # the locals being evaluated, outermost first
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
        if lv.state == "done":
            return lv.value
        if lv.state == "failed":
            raise EvalError([])
        if lv.state == "busy":
            i = self.stack.index(name)
            chain = " -> ".join(f"local.{n}" for n in [*self.stack[i:], name])
            raise fail(
                "Cyclic local value reference", f"Local value local.{name} depends on itself: {chain}.", loc
            )
        if self.st.syntax_only:
            return None
        lv.state = "busy"
        self.stack.append(name)
        try:
            val = evaluate(lv.expr, self.st.root_scope())
        except EvalError as e:
            lv.state = "failed"
            self.st.col.extend(e.diags)
            raise EvalError([])
        finally:
            self.stack.pop()
        lv.state = "done"
        lv.value = val
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
