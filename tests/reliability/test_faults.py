"""Fault injection on real builds (QEMU under TCG, the real pybuild CLI).

- QEMU killed with SIGKILL while the guest boots: the build fails with a clear error and
  a non-zero exit, leaves no QEMU, no run directory and no output; on the way the canary
  secret (a sensitive variable used as SSH password and in the NoCloud seed) is checked
  absent from QEMU's command line, the output, the JSON events, the logs and the failure
  evidence, and the private files (run directory, seed ISO, keys, logs) are user-only.
- The output disk fills up (output_directory on a 300 MiB tmpfs, the disk_image copy
  does not fit): a clear error naming the lack of space, nothing left behind.

(Glance killed mid-upload and Ctrl-C mid-upload: tests/post_processors/test_glance.py;
SIGINT while booting/provisioning: tests/e2e/test_e2e_minimal.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from e2e_util import MINIMAL, kill_tree, read_until, rest_of_output, tmp_rundirs  # noqa: E402

from tests.tools import require_root  # noqa: E402

pytestmark = pytest.mark.slow
CANARY = "Rel-Canary-Secret-9137"


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYBUILD_ACCELERATOR="tcg", PYBUILD_FAILURE_DIR=str(work / "failures"),
               PYBUILD_LOG_DIR=str(work / "logs"), PYTHONUNBUFFERED="1")
    return env


def _start(args: list[str], cwd: Path, work: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "builder.cli", "build", "--log-json", str(work / "events.jsonl"),
                             *args], cwd=cwd, env={**_env(work), **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _qemu_of(pid: int) -> int | None:
    for c in _children(pid):
        try:
            if "qemu-system" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace"):
                return c
        except OSError:
            continue
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def _all_text(root: Path) -> Iterator[tuple[Path, str]]:
    for f in root.rglob("*"):
        if f.is_file():
            yield f, f.read_bytes().decode("utf-8", errors="replace")


@pytest.fixture
def base_copy(debian_base_image: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "base.qcow2"
    shutil.copyfile(debian_base_image, dst)
    return dst


def _stop(p: subprocess.Popen[str], qemu: int | None) -> None:
    """Whatever happened in the test: no QEMU and no pybuild left running."""
    if qemu is not None and _alive(qemu):
        os.kill(qemu, signal.SIGKILL)
    kill_tree(p)


def _assert_failed_clean(p: subprocess.Popen[str], out: str, qemu: int | None, work: Path) -> None:
    """The build under a dead QEMU failed cleanly: exit 1, no traceback, no process, no run
    dir, no output dir, no canary in what it printed."""
    assert p.returncode == 1, out[-3000:]
    assert "Traceback" not in out
    assert qemu is not None and not _alive(qemu)
    assert _children(p.pid) == []
    assert tmp_rundirs(p.pid) == set()
    assert not (work / "output-e2e").exists()
    assert CANARY not in out


def _error_line(out: str) -> str:
    """The one "Build '...' errored after ..." line of a failed build."""
    lines = [line for line in out.splitlines() if "errored after" in line]
    assert len(lines) == 1, out[-3000:]
    return lines[0]


def test_qemu_sigkill_mid_boot(base_copy: Path, tmp_path: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    p = _start(["-var", f"base_image={base_copy}", "-var", f"password={CANARY}", str(MINIMAL)], work, work)
    qemu = None
    try:
        out = read_until(p, "Waiting for SSH", timeout=900)
        deadline = time.monotonic() + 30
        while qemu is None and time.monotonic() < deadline:
            qemu = _qemu_of(p.pid)
            time.sleep(0.2)
        assert qemu is not None, out[-3000:]
        # the canary never reaches QEMU's command line (what `ps` shows)
        argv = Path(f"/proc/{qemu}/cmdline").read_bytes().decode(errors="replace")
        assert CANARY not in argv
        environ_q = Path(f"/proc/{qemu}/environ").read_bytes().decode(errors="replace")
        assert CANARY not in environ_q
        # private files while the build runs: the run dir and everything in it (seed ISO
        # with the password, generated keys, QMP/VNC sockets) are the user's only
        rundirs = [Path(d) for d in tmp_rundirs(p.pid)]
        assert rundirs, "no run directory found"
        checked = 0
        for d in rundirs:
            assert _private(d), oct(d.stat().st_mode)
            for f in d.rglob("*"):
                if f.is_file():
                    checked += 1
                    assert _private(f) or CANARY not in f.read_bytes().decode(errors="replace"), f
                    if f.suffix == ".iso" or "key" in f.name:
                        assert _private(f), (f, oct(f.stat().st_mode))
        for f in (work / "logs").glob("*"):
            assert _private(f), (f, oct(f.stat().st_mode))
        assert _private(work / "events.jsonl")
        # the fault: QEMU dies under the build
        os.kill(qemu, signal.SIGKILL)
        out += rest_of_output(p, timeout=300)
    finally:
        _stop(p, qemu)
    _assert_failed_clean(p, out, qemu, work)
    # the build's one error line says why (every line of the run names qemu.e2e: no `or` here)
    assert "QEMU exited while waiting for SSH" in _error_line(out), out[-3000:]
    # the canary appears nowhere: output, events, logs, failure evidence
    events = [json.loads(x) for x in (work / "events.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "build_end" and events[-1]["ok"] is False
    for root in (work / "logs", work / "failures", work):
        if root.exists():
            for f, text in _all_text(root):
                assert CANARY not in text, f
    for f in (work / "failures").rglob("*"):
        assert _private(f) or f.is_dir(), (f, oct(f.stat().st_mode))


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    require_root("mounting a tmpfs")
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300m,mode=0700", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_output_disk_full(base_copy: Path, tmp_path: Path, small_tmpfs: Path) -> None:
    assert base_copy.stat().st_size > 300 * 2**20  # the copy cannot fit
    work = tmp_path / "w"
    work.mkdir()
    # the host check at start (tests/test_hostcheck.py) would refuse at once: this is the
    # build's own check, which stays for disks that fill while the build runs
    p = _start(["-var", f"base_image={base_copy}", "-var", f"password={CANARY}", str(MINIMAL)], small_tmpfs, work,
               PYBUILD_HOSTCHECK="0")
    try:
        out, _ = p.communicate(timeout=900)
    finally:
        kill_tree(p)
    assert p.returncode == 1, out[-3000:]
    # pybuild checks the free space before copying (or fails with ENOSPC while copying)
    assert "Not enough free disk space" in out or "No space left on device" in out, out[-3000:]
    assert "Traceback" not in out
    assert CANARY not in out
    assert tmp_rundirs(p.pid) == set()
    # nothing half-written is left on the full disk
    assert not (small_tmpfs / "output-e2e").exists(), list(small_tmpfs.rglob("*"))
    assert not [x for x in small_tmpfs.iterdir()], list(small_tmpfs.rglob("*"))


def test_qemu_sigkill_mid_provision(base_copy: Path, tmp_path: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    p = _start(["-var", f"base_image={base_copy}", "-var", f"password={CANARY}", "-var", "provision_sleep=600",
                str(MINIMAL)], work, work)
    qemu = None
    try:
        out = read_until(p, "PROVISIONING-STARTED", timeout=1200)
        qemu = _qemu_of(p.pid)
        assert qemu is not None, out[-3000:]
        time.sleep(1.0)
        os.kill(qemu, signal.SIGKILL)
        out += rest_of_output(p, timeout=300)
    finally:
        _stop(p, qemu)
    _assert_failed_clean(p, out, qemu, work)
    # the provisioner's SSH session dies with the VM: the build's error line says so
    assert "Script disconnected unexpectedly" in _error_line(out), out[-3000:]
    for f, text in _all_text(work):
        assert CANARY not in text, f
