"""Negative images for ``pybuild verify``: the session's finished ``cloud_image`` copied and
broken OFFLINE with ``virt-customize`` (TCG appliance, no network), each made once per
session and only when a test asks for it.

    no_qga        qemu-guest-agent masked and its binary removed
    no_growpart   /usr/bin/growpart removed, cloud-init's growpart and resize_rootfs off
    no_admin_pass pybuild-admin-pass.service (scripts/install-admin-pass-hook.sh) removed
    not_sysprepped  SSH host keys, a machine-id, root's shell history, a cloud-init instance
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from builder import run

# every derived image keeps the sysprepped state: an empty machine-id (a customize run may
# leave a fresh one, as virt_sysprep.py measured on Debian 12)
_EMPTY_MACHINE_ID = ["--run-command", "if [ -s /etc/machine-id ]; then : > /etc/machine-id; fi"]

BUILD_MACHINE_ID = "0b5e55ed0b5e55ed0b5e55ed0b5e55ed"

NEGATIVE: dict[str, list[str]] = {
    "no_qga": ["--run-command", "systemctl mask qemu-guest-agent.service", "--delete", "/usr/sbin/qemu-ga",
               *_EMPTY_MACHINE_ID],
    "no_growpart": ["--delete", "/usr/bin/growpart",
                    "--write", "/etc/cloud/cloud.cfg.d/99-no-growpart.cfg:growpart:\n  mode: \"off\"\n"
                               "resize_rootfs: false\n",
                    *_EMPTY_MACHINE_ID],
    "no_admin_pass": ["--delete", "/etc/systemd/system/multi-user.target.wants/pybuild-admin-pass.service",
                      "--delete", "/etc/systemd/system/pybuild-admin-pass.service",
                      "--delete", "/usr/local/sbin/pybuild-admin-pass",
                      "--delete", "/etc/pybuild-admin-pass.conf",
                      *_EMPTY_MACHINE_ID],
    "not_sysprepped": ["--run-command", "ssh-keygen -A",
                       "--write", f"/etc/machine-id:{BUILD_MACHINE_ID}\n",
                       "--write", "/root/.bash_history:apt-get install qemu-guest-agent\n",
                       "--mkdir", "/var/lib/cloud/instances/i-pybuild-build",
                       "--write", "/var/lib/cloud/instances/i-pybuild-build/datasource:DataSourceNone\n"],
}


@pytest.fixture(scope="session")
def negative_image(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Path]]:
    """``negative_image(kind)``: a read-only path to the broken copy (cached per session).

    The first call starts all four derivations, two at a time (each is one TCG libguestfs
    appliance, about one core), so the later tests find theirs ready.
    ``PYBUILD_TEST_VERIFY_IMAGE=IMAGE.qcow2`` derives them from an image built earlier by
    the same template instead of the session's build (local iteration only)."""
    root = tmp_path_factory.mktemp("verify-negative")
    pool = ThreadPoolExecutor(2, thread_name_prefix="negative-image")
    futures: dict[str, Future[Path]] = {}

    def derive(source: Path, kind: str) -> Path:
        out = root / f"{kind}.qcow2"
        shutil.copyfile(source, out)
        run.run(["virt-customize", "-a", str(out), "--no-network", *NEGATIVE[kind]],
                env=run.libguestfs_env(), timeout=900, cancel=None)
        return out

    def make(kind: str) -> Path:
        if not futures:
            given = os.environ.get("PYBUILD_TEST_VERIFY_IMAGE")
            source = Path(given) if given else request.getfixturevalue("cloud_image")
            order = [kind, *(k for k in NEGATIVE if k != kind)]
            futures.update((k, pool.submit(derive, source, k)) for k in order)
        return futures[kind].result()

    try:
        yield make
    finally:
        for f in futures.values():
            f.cancel()
        pool.shutdown(wait=True)
