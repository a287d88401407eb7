"""builder/template/lazy.py: values computed once on first use, cycles reported with their
whole chain (also through values of different kinds sharing one Resolver), a failure
reported once."""

from __future__ import annotations

import pytest

from builder.errors import Diagnostic, Location
from builder.template.evaluator import EvalError, fail
from builder.template.lazy import Lazy, Resolver

HERE = Location("t.pkr.hcl", 1, 1)


def test_computed_once() -> None:
    calls: list[str] = []
    r = Resolver(report=lambda d: None)
    cell = Lazy("local.a")

    def compute() -> int:
        calls.append("a")
        return 42

    assert r.get(cell, HERE, compute, "Cycle") == 42
    assert r.get(cell, HERE, compute, "Cycle") == 42
    assert calls == ["a"] and cell.state == "done"


def test_a_cycle_through_two_kinds_names_every_link() -> None:
    reported: list[list[Diagnostic]] = []
    r = Resolver(report=reported.append)
    a, x = Lazy("local.a"), Lazy("data.null.x")

    def get_a() -> object:
        return r.get(a, HERE, lambda: r.get(x, HERE, get_a, "Cyclic data source reference"),
                     "Cyclic local value reference")

    with pytest.raises(EvalError):
        get_a()
    (diags,) = [d for d in reported if d]
    assert [(d.summary, d.detail) for d in diags] == [
        ("Cyclic local value reference", "local.a depends on itself: local.a -> data.null.x -> local.a.")]
    assert a.state == x.state == "failed" and r.stack == []


def test_a_failure_is_reported_once() -> None:
    reported: list[list[Diagnostic]] = []
    r = Resolver(report=reported.append)
    cell = Lazy("data.http.y")

    def broken() -> object:
        raise fail("boom", "the data source failed", HERE)

    for _ in range(3):
        with pytest.raises(EvalError) as e:
            r.get(cell, HERE, broken, "Cycle")
        assert e.value.diags == []  # already reported
    assert [[d.summary for d in ds] for ds in reported] == [["boom"]]
