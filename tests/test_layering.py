"""The command line sits on top: no component imports it (the verify post-processor once
took its size parser from it; sizes live in builder.units now)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_nothing_below_the_cli_imports_it() -> None:
    files = [p for p in (ROOT / "builder").rglob("*.py") if p.name != "cli.py"]
    files += list((ROOT / "plugins").rglob("*.py"))
    assert len(files) > 50
    offenders = [str(p.relative_to(ROOT)) for p in files if "builder.cli" in _imports(p)]
    assert offenders == []
