"""The template engine's modules import each other without a cycle.

The graph is read from the source with ``ast`` (nothing is imported), and counts every import,
also one made lazily inside a function: a lazy import hides a cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "builder.template"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    base = ROOT.joinpath(*PACKAGE.split("."))
    return {_module_name(p): p for p in sorted(base.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The builder.template modules ``name`` imports. ``from pkg import sub`` is an edge to the
    submodule when ``sub`` is one, else to ``pkg``; a package a submodule lives in is not an edge
    (Python initialises it first whatever the submodule does)."""
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_pkg else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in known and t != name)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m):], m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_graph_sees_the_engine() -> None:
    graph = import_graph()
    # the modules this test is about, and edges it must see (a top-level and a package import)
    for mod in ("builder.template.evaluator", "builder.template.functions.registry",
                "builder.template.loader", "builder.template.loader.variables"):
        assert mod in graph
    assert "builder.template.evaluator" in graph["builder.template.functions.templatefile"]
    assert "builder.template.functions" in graph["builder.template.loader.context"]
    assert "builder.template.functions.yamlenc" in graph["builder.template.functions.registry"]


def test_no_import_cycle_in_the_template_engine() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_find_cycle(graph: dict[str, set[str]], expected: list[str] | None) -> None:
    assert find_cycle(graph) == expected
