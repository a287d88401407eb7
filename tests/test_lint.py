"""Linters run as tests: ruff over the project, mypy over builder/."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "builder", "tests", "bench", "plugins"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_clean():
    r = subprocess.run([sys.executable, "-m", "mypy", "builder"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _local_modules(*dirs: Path) -> list[str]:
    """Module names the tests and benchmarks import from their own folders (conftest puts them on sys.path)."""
    names: set[str] = set()
    for d in dirs:
        for p in d.rglob("*.py"):
            names.add(p.stem)
            names.update(part for part in p.relative_to(d).parts[:-1])
    return sorted(names)


def _deptry(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deptry", ".", "--no-ansi", *extra],
                          cwd=project, capture_output=True, text=True)


def test_every_import_is_declared():
    """An import of an undeclared package fails here, not on a new user's machine (deptry)."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["deptry"]["known_first_party"]
    local = [*declared, *_local_modules(ROOT / "tests", ROOT / "bench")]  # the flag replaces the file's list
    r = _deptry(ROOT, *(f"--known-first-party={m}" for m in local))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Scanning" in r.stdout + r.stderr and "No dependency issues found" in r.stdout + r.stderr


def test_plugin_packages_declare_their_imports():
    for project in (ROOT / "plugins" / "pybuild-mmdebstrap", ROOT / "examples" / "pybuild-announce"):
        package = project.name.replace("-", "_")
        r = _deptry(project, "--known-first-party=builder", f"--known-first-party={package}")
        assert r.returncode == 0, f"{project.name}: {r.stdout}{r.stderr}"
