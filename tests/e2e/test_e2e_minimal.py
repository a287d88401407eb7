"""End-to-end builds with real QEMU (TCG), real SSH, real provisioners; failure paths
(SSH never comes, SIGINT while booting and while provisioning) leave nothing behind."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from e2e_util import (
    HOOKS,
    MINIMAL,
    kill_tree,
    qemu_running,
    read_until,
    rest_of_output,
    run_pybuild,
    start_pybuild,
    tmp_rundirs,
)

from builder import run

pytestmark = pytest.mark.slow
CANARY = "e2e-Secret-Canary-42"


def virt_cat(image: Path, path: str) -> str:
    return run.run(["virt-cat", "-a", str(image), path], env=run.libguestfs_env(), timeout=600).stdout


def test_minimal_build_end_to_end(base_copy: Path, tmp_path: Path):
    record = tmp_path / "hooks.jsonl"
    r = run_pybuild(["build", "--hooks", str(HOOKS), "-var", f"base_image={base_copy}", str(MINIMAL)],
                    tmp_path / "w", env={"HOOK_RECORD": str(record)})
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
    assert {"run_dir", "qemu_run", "connect", "provision", "shutdown", "convert"} <= ended
    assert "cleanup_failed" not in kinds  # every step released what it acquired
    assert "artifact" in kinds
    # the sensitive variable appears nowhere: UI, events, logs
    assert CANARY not in r.out
    assert "secret is <sensitive>" in r.out
    assert CANARY not in (r.workdir / "events.jsonl").read_text()
    for log in (r.workdir / "logs").glob("*.log"):
        assert CANARY not in log.read_text(errors="replace")
    assert not qemu_running(r.workdir)
    assert tmp_rundirs(r.pid) == set()
    # hooks: every phase in order, with the context each phase promises
    recs = [json.loads(line) for line in record.read_text().splitlines()]
    assert [x["phase"] for x in recs] == ["pre_build", "post_boot", "pre_provision", "post_provision",
                                         "pre_shutdown", "post_build", "post_process"]
    by = {x["phase"]: x for x in recs}
    assert all(x["build_name"] == "qemu.e2e" and x["build_type"] == "qemu" for x in recs)
    assert all(x["password"] == "<sensitive>" for x in recs)
    assert by["post_boot"]["has_vm"] and by["post_boot"]["vm_status"] == "running"
    assert by["pre_provision"]["has_communicator"]
    assert by["post_provision"]["marker"] == "built-by-pybuild" and by["post_provision"]["rc"] == 0
    assert by["post_build"]["artifact"] == "VM"
    assert by["post_process"]["post_processor"] == "announce"
    assert "marker says built-by-pybuild" in r.out
    # the third-party post-processor (an installed plugin package) ran on the artifact
    reg = [json.loads(line) for line in (r.workdir / "register.jsonl").read_text().splitlines()]
    assert reg[0]["build"] == "qemu.e2e" and reg[0]["builder_id"] == "transcend.qemu" and reg[0]["note"] == "e2e"


def test_failing_hook_stops_build_cleanly(base_copy: Path, tmp_path: Path):
    hooks = tmp_path / "bad_hooks.py"
    hooks.write_text("def post_boot(ctx):\n    raise RuntimeError('compliance scan refused the image')\n")
    r = run_pybuild(["build", "--hooks", str(hooks), "-var", f"base_image={base_copy}", str(MINIMAL)],
                    tmp_path / "w")
    assert r.rc == 1
    assert "hook post_boot failed: RuntimeError: compliance scan refused the image" in r.out
    assert not (r.workdir / "output-e2e").exists()
    assert not qemu_running(r.workdir)


def test_unreachable_ssh_fails_with_evidence(base_copy: Path, tmp_path: Path):
    t0 = time.monotonic()
    r = run_pybuild(["build", "-var", f"base_image={base_copy}", "-var", "seed_user_data=false",
                     "-var", "ssh_timeout=45s", str(MINIMAL)], tmp_path / "w")
    elapsed = time.monotonic() - t0
    assert r.rc == 1, r.out[-3000:]
    # without the seed nobody can log in: the build's one error line says why (no answer
    # in time, or the credentials refused ssh_handshake_attempts times)
    errors = [line for line in r.out.splitlines() if "errored after" in line]
    assert len(errors) == 1 and re.search(r"Timeout waiting for SSH|SSH authentication as .* failed", errors[0]), \
        r.out[-3000:]
    assert elapsed < 45 + 120  # the timeout plus start-up and cleanup
    fdirs = list((r.workdir / "failures").iterdir())
    assert len(fdirs) == 1 and fdirs[0].name.startswith("qemu.e2e-")
    f = fdirs[0]
    assert (f / "serial.log").stat().st_size > 0
    assert (f / "screenshot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (f / "build.log").stat().st_size > 0
    assert f"Failure evidence: {f}" in r.out, r.out[-3000:]
    assert not (r.workdir / "output-e2e").exists()
    assert not qemu_running(r.workdir)


@pytest.mark.parametrize(("phase", "needle", "extra"), [
    ("boot", "Waiting for SSH", []),
    ("provision", "PROVISIONING-STARTED", ["-on-error=abort", "-var", "provision_sleep=600"]),
])
def test_sigint_cleans_up(base_copy: Path, tmp_path: Path, phase: str, needle: str, extra: list[str]):
    w = tmp_path / "w"
    p = start_pybuild(["build", "-var", f"base_image={base_copy}", *extra, str(MINIMAL)], w)
    try:
        out = read_until(p, needle, timeout=900)
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        out += rest_of_output(p, timeout=120)
    finally:
        kill_tree(p)
    assert p.returncode == 130, out[-3000:]
    assert "cancelled" in out.lower()
    assert not qemu_running(w)
    assert tmp_rundirs(p.pid) == set()
    if phase == "provision":  # -on-error=abort keeps the output for inspection
        assert (w / "output-e2e").is_dir()
    else:
        assert not (w / "output-e2e").exists()
    out_ps = subprocess.run(["pgrep", "-af", "sshd: debian"], capture_output=True, text=True).stdout
    assert "packer-e2e" not in out_ps
