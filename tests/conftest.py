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

_PLUGINS = ("tests.fixtures.images", "tests.fixtures.glance", "tests.fixtures.keystone", "tests.fixtures.di_iso",
            "tests.fixtures.cloud")
pytest_plugins = [m for m in _PLUGINS if (ROOT / (m.replace(".", "/") + ".py")).exists()]


def _descends_from_us(pid: int) -> bool:
    me = os.getpid()
    for _ in range(64):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if ppid == me:
            return True
        if ppid <= 1:
            return False
        pid = ppid
    return False


def _qemu_pids() -> set[int]:
    """QEMU processes started by this test session (children of this pytest or of its
    children); a QEMU that pybuild detaches into its own session still has us as parent."""
    out = subprocess.run(["pgrep", "-f", "qemu-system"], capture_output=True, text=True).stdout
    return {int(p) for p in out.split() if _descends_from_us(int(p))}


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Whole modules in three groups, in their usual order within each: modules without a
    slow test first (they run while the session's cloud build works in the background, see
    tests/fixtures/cloud.py), then the other slow modules, then the modules that need the
    cloud build. Modules stay contiguous, so module-scoped fixtures are made once."""
    from tests.fixtures.cloud import needs_cloud_build

    def group(item: pytest.Item) -> int:
        if needs_cloud_build(item):
            return 2
        return 1 if item.get_closest_marker("slow") else 0

    by_module: dict[str, int] = {}
    for item in items:
        key = str(item.path)
        by_module[key] = max(by_module.get(key, 0), group(item))
    items.sort(key=lambda item: by_module[str(item.path)])
