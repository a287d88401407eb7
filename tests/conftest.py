"""Test-suite wide setup.

- QEMU and libguestfs always run with TCG here (nested KVM hangs guests on these machines);
- shared fixtures (the cached Debian base image, a real Glance, installer ISOs) are pytest
  plugins under ``tests/fixtures``; heavy artefacts are cached in ``$PYBUILD_TEST_CACHE``
  (default ``~/.cache/pybuild-test``) keyed by a hash of what makes them;
- at the end of the session no QEMU or Glance process started by the tests may remain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["PYBUILD_ACCELERATOR"] = "tcg"
os.environ.setdefault("LIBGUESTFS_BACKEND", "direct")
os.environ.setdefault("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg")
os.environ.setdefault("PYBUILD_TEST_CACHE", str(Path.home() / ".cache" / "pybuild-test"))
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

_PLUGINS = ("tests.fixtures.images", "tests.fixtures.glance", "tests.fixtures.di_iso", "tests.fixtures.vm")
pytest_plugins = [m for m in _PLUGINS if (ROOT / (m.replace(".", "/") + ".py")).exists()]


def _qemu_pids() -> set[int]:
    out = subprocess.run(["pgrep", "-f", "qemu-system"], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


@pytest.fixture(scope="session", autouse=True)
def no_leaked_vms():
    """Fail the run if the tests leave a QEMU process behind."""
    before = _qemu_pids()
    yield
    leaked = _qemu_pids() - before
    if leaked:
        for pid in leaked:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        pytest.fail(f"tests leaked QEMU processes: {sorted(leaked)}")
