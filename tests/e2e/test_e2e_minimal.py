"""End-to-end builds with real QEMU (TCG), real SSH, real provisioners; failure paths
(SSH never comes, SIGINT while booting and while provisioning) leave nothing behind."""

from __future__ import annotations

import glob
import signal
import subprocess
import time
from pathlib import Path

import pytest
from e2e_util import MINIMAL, kill_tree, qemu_running, read_until, run_pybuild, start_pybuild

from builder import run

pytestmark = pytest.mark.slow
CANARY = "e2e-Secret-Canary-42"


def virt_cat(image: Path, path: str) -> str:
    return run.run(["virt-cat", "-a", str(image), path], env=run.libguestfs_env(), timeout=600).stdout


def tmp_rundirs() -> set[str]:
    return set(glob.glob("/tmp/pybuild-*"))


def test_minimal_build_end_to_end(base_copy: Path, tmp_path: Path):
    before = tmp_rundirs()
    r = run_pybuild(["build", "-var", f"base_image={base_copy}", str(MINIMAL)], tmp_path / "w")
    assert r.rc == 0, r.out[-4000:]
    assert "Builds finished" in r.out
    assert "PROVISIONING-STARTED on e2e" in r.out
    image = r.workdir / "output-e2e" / "packer-e2e"
    assert image.is_file()
    # what the provisioners wrote is in the image (checked offline)
    assert virt_cat(image, "/etc/pybuild-marker").strip() == "built-by-pybuild"
    assert virt_cat(image, "/etc/from-file.txt").strip() == "file-provisioner-content"
    # the serial console was logged
    assert "Linux version" in (r.workdir / "output-e2e" / "serial.log").read_text(errors="replace")
    # events: every step started and ended, an artifact, a successful end
    kinds = [e["event"] for e in r.events]
    assert kinds[0] == "build_start" and r.events[-1]["event"] == "build_end" and r.events[-1]["ok"] is True
    ended = {e["step"] for e in r.events if e["event"] == "step_end" and e["ok"]}
    assert {"qemu_run", "connect", "provision", "shutdown", "convert"} <= ended
    assert "artifact" in kinds
    # the sensitive variable appears nowhere: UI, events, logs
    assert CANARY not in r.out
    assert "secret is <sensitive>" in r.out
    assert CANARY not in (r.workdir / "events.jsonl").read_text()
    for log in (r.workdir / "logs").glob("*.log"):
        assert CANARY not in log.read_text(errors="replace")
    assert not qemu_running("packer-e2e")
    assert tmp_rundirs() - before == set()


def test_unreachable_ssh_fails_with_evidence(base_copy: Path, tmp_path: Path):
    t0 = time.monotonic()
    r = run_pybuild(["build", "-var", f"base_image={base_copy}", "-var", "seed_user_data=false",
                     "-var", "ssh_timeout=100s", str(MINIMAL)], tmp_path / "w")
    elapsed = time.monotonic() - t0
    assert r.rc == 1, r.out[-3000:]
    assert "Timeout waiting for SSH" in r.out or "authentication" in r.out
    assert elapsed < 100 + 120  # the timeout plus start-up and cleanup
    fdirs = list((r.workdir / "failures").iterdir())
    assert len(fdirs) == 1 and fdirs[0].name.startswith("qemu.e2e-")
    f = fdirs[0]
    assert (f / "serial.log").stat().st_size > 0
    assert (f / "screenshot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (f / "build.log").stat().st_size > 0
    assert f"Failure evidence: {Path('failures') / f.name}" in r.out or str(f.name) in r.out
    assert not (r.workdir / "output-e2e").exists()
    assert not qemu_running("packer-e2e")


@pytest.mark.parametrize(("phase", "needle", "extra"), [
    ("boot", "Waiting for SSH", []),
    ("provision", "PROVISIONING-STARTED", ["-on-error=abort", "-var", "provision_sleep=600"]),
])
def test_sigint_cleans_up(base_copy: Path, tmp_path: Path, phase: str, needle: str, extra: list[str]):
    before = tmp_rundirs()
    w = tmp_path / "w"
    p = start_pybuild(["build", "-var", f"base_image={base_copy}", *extra, str(MINIMAL)], w)
    try:
        out = read_until(p, needle, timeout=900)
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        rest, _ = p.communicate(timeout=120)
        out += rest
    finally:
        kill_tree(p)
    assert p.returncode == 130, out[-3000:]
    assert "cancelled" in out.lower()
    assert not qemu_running("packer-e2e")
    assert tmp_rundirs() - before == set()
    if phase == "provision":  # -on-error=abort keeps the output for inspection
        assert (w / "output-e2e").is_dir()
    else:
        assert not (w / "output-e2e").exists()
    out_ps = subprocess.run(["pgrep", "-af", "sshd: debian"], capture_output=True, text=True).stdout
    assert "packer-e2e" not in out_ps
