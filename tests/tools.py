"""The one way a test says "this machine lacks what I need".

Locally a missing tool (or module, or root) is a skip with the install hint; under
``CI=true`` it is a failure, because dev/setup installs everything and a skip there
would hide a test that never ran.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(what: str) -> NoReturn:
    """Skip (locally) or fail (under CI=true) because ``what`` is missing."""
    if in_ci():
        pytest.fail(f"{what} (CI=true: a missing requirement is a failure, not a skip)", pytrace=False)
    pytest.skip(what)


def require_tool(*names: str, hint: str = "") -> str:
    """The path of the first command; every one of ``names`` must exist."""
    absent = [n for n in names if shutil.which(n) is None]
    if absent:
        missing(f"not installed: {', '.join(absent)}" + (f" ({hint})" if hint else ""))
    path = shutil.which(names[0])
    assert path is not None
    return path


def require_module(name: str, hint: str = "") -> ModuleType:
    """A third-party or separately installed module (never one of pybuild's own)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"module {name} is not installed" + (f" ({hint})" if hint else ""))


def require_root(why: str) -> None:
    if os.geteuid() != 0:
        missing(f"needs root: {why}")
