"""``pybuild verify`` on real images under TCG.

The positive run is the one inside the session's cloud build (its ``verify`` post-processor
writes ``verify-report.json``): it is read here, not booted again. Each negative image
(see conftest.py) must fail EXACTLY the checks its fault breaks:

    no_qga          qga_ping, set_password   (through a build: verify -> glance; nothing
                                              may reach Glance)
    no_growpart     growpart                 (through the ``pybuild verify`` CLI)
    no_admin_pass   admin_pass               (verify_image in-process)
    not_sysprepped  clean                    (offline: ``--expect format,clean`` boots
                                              nothing; the boot part of clean is unit-tested)
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.build import Runner, RunOptions, plan, prepare
from builder.cancel import CancelToken
from builder.config import BaseConfig, opt
from builder.errors import Cancelled
from builder.plugins import REGISTRY, Artifact, Builder
from builder.template.loader import load
from builder.ui import UI, UIOptions
from builder.verify import checks
from builder.verify.checks import CHECKS, CleanFacts, VerifyOptions, verify_image

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = [n for n, (_, req) in CHECKS.items() if req]


def _failed(report: dict) -> set[str]:
    return {r["name"] for r in report["results"] if r["required"] and not r["ok"]}


def _no_vm_dirs(workdir: Path) -> None:
    assert not list(workdir.glob("pybuild-verify-*")), "the VM's temporary directory was left behind"


def test_cloud_image_passes_every_check(cloud_build):
    if cloud_build.rc != 0:
        pytest.fail(f"the debian12-cloud build failed (rc {cloud_build.rc}):\n{cloud_build.out[-4000:]}")
    rep = cloud_build.verify_report
    by_name = {r["name"]: r for r in rep["results"]}
    assert set(DEFAULTS) <= set(by_name)
    assert [n for n in DEFAULTS if not by_name[n]["ok"]] == [], json.dumps(rep, indent=2)
    assert rep["ok"] is True and rep["evidence_dir"] == ""
    assert "compressed_clusters=" in by_name["format"]["evidence"]
    assert "own machine-id" in by_name["clean"]["evidence"]
    assert "root" in by_name["admin_pass"]["evidence"]
    # no timing assertion: the 3-minute goal is measured by bench/verify_bench.py (a loaded
    # host boots TCG guests many times slower)


# --- no qemu-guest-agent: a build whose chain is verify -> glance ---------------------------

@dataclass(kw_only=True)
class ImageFileCfg(BaseConfig):
    image: str = opt(help="an existing disk image to hand over as this build's artifact")
    communicator: str = opt("none", help="unused")


class ImageFileBuilder(Builder[ImageFileCfg]):
    """A builder whose artifact is a copy of an existing image (the negative one)."""

    Config = ImageFileCfg

    def run(self, ctx):
        d = ctx.template_dir / f"output-{ctx.source_name}"
        d.mkdir()
        disk = d / "disk.qcow2"
        subprocess.run(["cp", "--reflink=auto", self.config.image, str(disk)], check=True)
        return Artifact("test.image-file", "disk", [disk], directory=d, data={"diskPaths": [str(disk)]})


REGISTRY.register("builder", "image-file", ImageFileBuilder, origin="tests")


def test_image_without_qemu_guest_agent_never_reaches_glance(negative_image, glance_server, glance_conn,
                                                              tmp_path):
    image = negative_image("no_qga")
    name = "verify-negative-no-qga"
    tpl_path = tmp_path / "t.pkr.hcl"
    tpl_path.write_text(textwrap.dedent(f"""
        source "image-file" "noqga" {{ image = "{image}" }}
        build {{
          sources = ["source.image-file.noqga"]
          post-processors {{
            post-processor "verify" {{
              user   = "debian"
              report = "{tmp_path}/verify-report.json"
            }}
            post-processor "glance" {{
              auth_type        = "none"
              endpoint         = "{glance_server.url}"
              image_name       = "{name}"
              disk_format      = "qcow2"
              container_format = "bare"
            }}
          }}
        }}
    """))
    tpl = load(str(tpl_path))
    out = io.StringIO()
    ui = UI(out=out, options=UIOptions())
    os.environ["PYBUILD_FAILURE_DIR"] = str(tmp_path / "failures")
    try:
        results = Runner(tpl, ui, RunOptions(failure_root=tmp_path / "failures", log_dir=tmp_path / "logs")).run(
            prepare(tpl, plan(tpl)))
    finally:
        os.environ.pop("PYBUILD_FAILURE_DIR", None)
    text = out.getvalue()
    assert not results[0].ok, text[-3000:]
    assert "qga_ping" in results[0].error and "set_password" in results[0].error
    rep = json.loads((tmp_path / "verify-report.json").read_text())
    assert _failed(rep) == {"qga_ping", "set_password"}, json.dumps(rep, indent=2)
    assert "Running post-processor: glance" not in text
    assert [i.name for i in glance_conn.image.images() if i.name == name] == []
    ev = Path(rep["evidence_dir"])
    assert (ev / "serial.log").stat().st_size > 0


# --- no growpart: the CLI -----------------------------------------------------------------

def test_cli_fails_an_image_without_growpart(negative_image, tmp_path):
    image = negative_image("no_growpart")
    report = tmp_path / "report.json"
    env = {**os.environ, "PYBUILD_ACCELERATOR": "tcg", "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "builder.cli", "verify", str(image), "--report", str(report),
                        "--evidence-dir", str(tmp_path / "evidence")],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500)
    assert p.returncode == 1, p.stdout + p.stderr
    rep = json.loads(report.read_text())
    assert _failed(rep) == {"growpart"}, p.stdout
    assert "growpart" in p.stdout and "FAIL" in p.stdout and "verdict" in p.stdout
    assert (tmp_path / "evidence" / "serial.log").exists()
    assert (tmp_path / "evidence" / "screenshot.png").exists()
    _no_vm_dirs(tmp_path)


# --- no admin_pass hook: in-process ----------------------------------------------------------

def test_image_without_admin_pass_hook_fails_admin_pass_only(negative_image, tmp_path):
    image = negative_image("no_admin_pass")
    rep = verify_image(image, VerifyOptions(workdir=tmp_path, evidence_dir=tmp_path / "evidence"))
    data = json.loads(rep.to_json())
    assert _failed(data) == {"admin_pass"}, rep.table()
    by_name = {r.name: r for r in rep.results}
    assert "does not match" in by_name["admin_pass"].evidence
    # the guest agent still sets passwords: nova set-password works without the hook
    assert by_name["set_password"].ok
    _no_vm_dirs(tmp_path)


# --- not sysprepped: offline -----------------------------------------------------------------

def test_image_not_sysprepped_fails_clean(negative_image, tmp_path):
    image = negative_image("not_sysprepped")
    rep = verify_image(image, VerifyOptions(expect=["format", "clean"], workdir=tmp_path))
    assert [r.name for r in rep.results] == ["format", "clean"], "offline checks must not boot"
    assert rep.failed() == ["clean"], rep.table()
    ev = rep.results[1].evidence
    for word in ("SSH host keys", "/etc/machine-id is set", "/root/.bash_history",
                 "/var/lib/cloud/instances/i-pybuild-build"):
        assert word in ev
    _no_vm_dirs(tmp_path)


# --- cancellation --------------------------------------------------------------------------

def test_cancel_stops_the_vm_and_removes_its_directory(tmp_path, monkeypatch):
    """Ctrl-C (the cancel token) during the boot wait: Cancelled, no QEMU, no temp dir.
    A blank disk boots nothing, so SSH never answers; the offline inspection is skipped
    (faked) to keep the appliance boot out of this test."""
    monkeypatch.setattr(checks, "inspect_clean", lambda image, cancel=None: CleanFacts())
    disk = tmp_path / "blank.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(disk), "64M"], check=True)
    token = CancelToken()
    pids: list[int] = []

    class Watch:
        def say(self, text: str) -> None:
            if text.startswith("VM started"):
                out = subprocess.run(["pgrep", "-f", f"qemu-system.*{tmp_path}"], capture_output=True, text=True)
                pids.extend(int(x) for x in out.stdout.split())
                threading.Timer(2.0, token.cancel, args=("SIGINT",)).start()

        def message(self, text: str) -> None:
            pass

        def event(self, *a: object, **k: object) -> None:
            pass

    with pytest.raises(Cancelled):
        verify_image(disk, VerifyOptions(workdir=tmp_path, evidence_dir=tmp_path / "ev", boot_timeout=600),
                     Watch(), cancel=token)  # type: ignore[arg-type]
    assert pids, "QEMU was not found running before the cancel"
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    _no_vm_dirs(tmp_path)
    assert (tmp_path / "ev" / "serial.log").exists()
