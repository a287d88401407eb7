"""Fixtures of the nightly-operation tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nightly_util import Pybuild


@pytest.fixture(scope="session")
def blank_iso(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Media with nothing bootable on it: SeaBIOS gives up and QEMU exits (tiny.pkr.hcl)."""
    p = tmp_path_factory.mktemp("media") / "blank.iso"
    p.write_bytes(b"\0" * 2**20)
    return p


@pytest.fixture
def pybuilds() -> Iterator[list[Pybuild]]:
    """Register every Pybuild here: whatever happens, they and their QEMUs are killed."""
    runs: list[Pybuild] = []
    try:
        yield runs
    finally:
        for r in runs:
            r.close()
