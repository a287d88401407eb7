"""Values evaluated on first use, in dependency order: locals and data sources.

Packer (>= 1.12) evaluates locals and data sources as one graph. pybuild walks that graph
lazily: a value is computed the first time something refers to it, once, and a reference
back to a value still being computed is a cycle, reported with its chain. :class:`Resolver`
holds the one stack of values being computed; :class:`Lazy` is one value's state.
A failed value reports its error once; later references to it stay quiet.

The loader's locals (:mod:`.loader.locals`) and the data sources (:mod:`.datasources`) share
one :class:`Resolver`, so a cycle through both names every link
(``local.a -> data.null.x -> local.a``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from builder.errors import Diagnostic, Location
from builder.template.evaluator import EvalError, fail


@dataclass
class Lazy:
    """One value: ``ref`` is how templates name it (``local.x``, ``data.http.y``)."""

    ref: str
    state: str = "pending"  # pending | busy | done | failed
    value: Any = None


@dataclass
class Resolver:
    """Computes :class:`Lazy` values on first use; ``report`` hears each failure once."""

    report: Callable[[list[Diagnostic]], None]
    stack: list[str] = field(default_factory=list)

    def get(self, cell: Lazy, loc: Location, compute: Callable[[], Any], cycle_summary: str) -> Any:
        if cell.state == "done":
            return cell.value
        if cell.state == "failed":
            raise EvalError([])
        if cell.state == "busy":
            i = self.stack.index(cell.ref)
            chain = " -> ".join([*self.stack[i:], cell.ref])
            raise fail(cycle_summary, f"{cell.ref} depends on itself: {chain}.", loc)
        cell.state = "busy"
        self.stack.append(cell.ref)
        try:
            cell.value = compute()
        except EvalError as e:
            cell.state = "failed"
            self.report(e.diags)
            raise EvalError([]) from None
        finally:
            self.stack.pop()
        cell.state = "done"
        return cell.value


__all__ = ["Lazy", "Resolver"]
