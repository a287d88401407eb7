"""``pybuild verify glance://CLOUD/IMAGE``: the image is fetched from a real Glance (clouds.yaml)
through the glance:// resolver and the media cache, then checked like a local file; the
report names the Glance image id."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_glance_source import upload

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.glance, pytest.mark.slow]  # a libguestfs appliance boot (~30 s under TCG)


def test_verify_fetches_from_glance_and_names_the_image(glance_factory: Any, tmp_path: Path) -> None:
    raw = tmp_path / "disk.raw"
    with raw.open("wb") as f:
        f.write(b"pybuild verify glance data " * 40000)
        f.truncate(16 * 2**20)
    disk = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "convert", "-c", "-O", "qcow2", str(raw), str(disk)], check=True)
    srv = glance_factory()
    iid = upload(srv, "nightly-base", disk.read_bytes(), disk_format="qcow2")
    (tmp_path / "clouds.yaml").write_text(f"clouds:\n  lab:\n    auth_type: none\n    auth:\n"
                                          f"      endpoint: {srv.url}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"), PYBUILD_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(ROOT))
    env.pop("PACKER_CACHE_DIR", None)

    def verify(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "builder.cli", "verify", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)

    p = verify("--expect", "format", "--report", str(tmp_path / "r.json"), "glance://lab/nightly-base")
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"Glance image {iid} (nightly-base) from glance://lab/nightly-base: downloaded copy" in p.stdout
    assert f"Verified Glance image {iid}" in p.stdout
    assert re.search(r"^format +pass ", p.stdout, re.M), p.stdout
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["glance_image_id"] == iid and rep["source"] == "glance://lab/nightly-base" and rep["ok"]
    assert srv.requests_seen("GET", f"/v2/images/{iid}/file") == 1

    p = verify("--expect", "format", "glance://lab/not-there")
    assert p.returncode == 1 and "no image with that id or name in lab" in p.stderr, p.stdout + p.stderr
