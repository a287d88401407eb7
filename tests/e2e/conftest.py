"""End-to-end fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def base_copy(debian_base_image: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "base.qcow2"
    shutil.copyfile(debian_base_image, dst)
    return dst
