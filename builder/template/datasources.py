"""``data "TYPE" "NAME"`` blocks: decoded with the template, run once, read as ``data.TYPE.NAME``.

As Packer (≥ 1.12) does, data sources and locals form one dependency graph: a data block
may use variables, locals and other data sources, and is evaluated the first time
something refers to it (cycles are reported with their chain). Every data block runs
once per load, referenced or not. With ``execute=False`` (``validate`` without
``-evaluate-datasources``, ``inspect``) nothing runs: each declared output is
:data:`builder.config.UNKNOWN`, and whatever uses it is unknown too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.config import UNKNOWN, did_you_mean, parse_config
from builder.errors import ConfigError, Diagnostic, Location, PybuildError, TemplateError
from builder.plugins import REGISTRY, DataSource, DataSourceContext
from builder.template.evaluator import EvalError, Namespace, Scope, fail, suggest
from builder.template.lazy import Lazy, Resolver


@dataclass
class _Data:
    type: str
    name: str
    block: Any  # loader.HBlock
    cell: Lazy = field(init=False)

    def __post_init__(self) -> None:
        self.cell = Lazy(f"data.{self.type}.{self.name}")


class DataSources:
    """The ``data`` namespace of one template load."""

    def __init__(
        self,
        scope: Callable[[], Scope],
        eval_body: Callable[[Any, Scope, list[Diagnostic]], dict[str, Any]],
        report: Callable[[list[Diagnostic]], None],
        template_dir: Callable[[], str],
        execute: bool,
        resolver: Resolver | None = None,
    ):
        """``resolver``: the one shared with the locals, so that a cycle through both is
        reported with its whole chain (its own otherwise)."""
        self._scope = scope
        self._eval_body = eval_body
        self._report = report
        self._template_dir = template_dir
        self.execute = execute
        self.blocks: dict[str, dict[str, _Data]] = {}
        self._resolver = resolver or Resolver(report)
        self.namespace = Namespace("data", lambda: list(self.blocks), self._type_ns, self._missing_type)

    # -- decoding ------------------------------------------------------------------
    def add(self, b: Any) -> list[Diagnostic]:
        """Declare one ``data`` block (labels already checked: type and name)."""
        dtype, name = b.labels
        prev = self.blocks.get(dtype, {}).get(name)
        if prev is not None:
            p = prev.block.loc
            return [Diagnostic(
                "Duplicate data block",
                f'This data block has the same type and name as a previous block declared at '
                f"{p.filename}:{p.line},{p.col}. Each data source must have a unique name per type.",
                b.loc,
            )]
        d = self.blocks.setdefault(dtype, {})[name] = _Data(dtype, name, b)
        known = REGISTRY.names("data-source")
        if dtype in known:
            return []
        d.cell.state = "failed"  # references to it stay quiet: this is its one error
        return [Diagnostic(
            f'Unknown data source type "{dtype}"',
            f'pybuild has no data source "{dtype}".{did_you_mean(dtype, known)} Built in: '
            f"{', '.join(known)}. A Python package can add one through the pybuild.data_sources "
            "entry point; or pass the value in through a variable instead.",
            b.loc,
        )]

    # -- references ------------------------------------------------------------------
    def _type_ns(self, dtype: str, loc: Location) -> Namespace:
        table = self.blocks[dtype]

        def missing(name: str, where: Location) -> EvalError:
            return fail(
                "Reference to undeclared data source",
                f'There is no data "{dtype}" "{name}" block.{suggest(name, table)}',
                where,
            )

        return Namespace(f"data.{dtype}", lambda: list(table), lambda n, where: self._value(table[n], where),
                         missing)

    def _missing_type(self, dtype: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared data source",
            f'There is no data "{dtype}" block in this template.{suggest(dtype, self.blocks)}',
            loc,
        )

    def _value(self, d: _Data, loc: Location) -> Any:
        return self._resolver.get(d.cell, loc, lambda: self._run(d), "Cyclic data source reference")

    def _run(self, d: _Data) -> dict[str, Any]:
        b = d.block
        diags: list[Diagnostic] = []
        raw = self._eval_body(b.body, self._scope(), diags)
        if diags:
            raise EvalError(diags)
        cls = REGISTRY.get("data-source", d.type, b.loc)
        assert issubclass(cls, DataSource)
        try:
            cfg = parse_config(
                cls.Config, raw, component=f'data "{d.type}" "{d.name}"', block=b.loc,
                attr_locations={n: a.loc for n, a in b.body.attrs.items()},
            )
        except ConfigError as e:
            raise EvalError(list(e.diagnostics)) from None
        if not self.execute:
            return dict.fromkeys(cls.outputs, UNKNOWN)
        source = cls(cfg)
        try:
            out = source.execute(DataSourceContext(Path(self._template_dir())))
        except TemplateError as e:
            raise EvalError(list(e.diagnostics)) from None
        except (PybuildError, OSError) as e:
            raise fail(f'data "{d.type}" "{d.name}" failed', str(e), b.loc) from None
        undeclared = set(out) - set(cls.outputs)
        if undeclared:
            raise fail(f'data "{d.type}" "{d.name}" failed',
                       f"it returned outputs it does not declare: {', '.join(sorted(undeclared))}", b.loc)
        return dict(sorted(out.items()))

    def values(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {t: {n: d.cell.value for n, d in table.items() if d.cell.state == "done"}
                for t, table in self.blocks.items()}

    def evaluate_all(self) -> None:
        """Run every data source that nothing has referenced yet (Packer runs them all)."""
        for table in self.blocks.values():
            for d in table.values():
                try:
                    self._value(d, d.block.loc)
                except EvalError as e:
                    self._report(e.diags)
