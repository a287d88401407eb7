"""Images handed between cells through a real Glance (two clouds in clouds.yaml, each a real
Glance API), with null-builder cells that upload a small qcow2 (artifice + glance):

- a base cell uploads once per cloud, hidden and tagged with the run and the cell; a derived
  cell gets ``-var base_image=glance://CLOUD/ID`` of exactly that upload (not a same-named image
  of another night); at the end the base is unhidden unless ``intermediate``;
- what an earlier attempt of the cell in the same run left (a queued half image) is deleted:
  one image per cell and cloud;
- ``matrix rerun --failed``: a derived cell run again starts from its base's image of the
  first run;
- a worker SIGKILLed after its upload (real redis-server, two real workers): the re-run on the
  other worker replaces the image, exactly one active image per cell and cloud.
The QEMU version of the hand-off is tests/matrix/test_matrix_qemu_handoff.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from builder.errors import TemplateError
from builder.matrix.loader import load_matrix
from builder.matrix.validate import validate_matrix
from tests.fixtures.glance import GlanceServer
from tests.matrix.conftest import ROOT, WorkerSpec, submit_matrix, worker_pool
from tests.test_glance_source import upload

pytestmark = pytest.mark.glance

BASE = '''
variable "label" {
  type = string
}
variable "linger" {
  type    = number
  default = 0
}
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["qemu-img create -q -f qcow2 disk.qcow2 16M", "echo built ${var.label}"]
  }
  post-processors {
    post-processor "artifice" {
      files = ["disk.qcow2"]
    }
    post-processor "glance" {
      image_name = "handoff-${var.label}"
      cloud      = "not-used-in-a-matrix-cell-with-clouds"
    }
    post-processor "shell-local" {
      inline = ["echo uploaded, lingering ${var.linger}s", "sleep ${var.linger}"]
    }
  }
}
'''

DERIVED = '''
variable "base_image" {
  type = string
}
variable "glance" {
  type = string
}
variable "fail" {
  type    = bool
  default = false
}
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = [
      "echo derived from ${var.base_image}",
      "echo base record: $(curl -sf ${var.glance}/v2/images/$(basename ${var.base_image}))",
      "${var.fail ? "exit 4" : "true"}",
    ]
  }
}
'''


@pytest.fixture
def clouds(glance_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, GlanceServer]]:
    """Two clouds, east and west, each a Glance of its own; clouds.yaml in the environment."""
    servers = {"east": glance_factory(), "west": glance_factory()}
    lines = ["clouds:"]
    for name, srv in servers.items():
        lines += [f"  {name}:", "    auth_type: none", "    auth:", f"      endpoint: {srv.url}"]
    (tmp_path / "clouds.yaml").write_text("\n".join(lines) + "\n")
    for k in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    (tmp_path / "base.pkr.hcl").write_text(BASE)
    (tmp_path / "derived.pkr.hcl").write_text(DERIVED)
    yield servers


def images_of(srv: GlanceServer, cell: str, run: str = "") -> list[dict[str, Any]]:
    return [i for i in srv.images() if i.get("pybuild_matrix_cell") == cell
            and (not run or i.get("pybuild_matrix_run") == run)]


def matrix_cmd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder.cli", "matrix", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def summary(runs: Path, run: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads((runs / run / "summary.json").read_text())["cells"]}


def test_image_vars_must_name_an_uploading_dependency(tmp_path: Path) -> None:
    (tmp_path / "base.pkr.hcl").write_text(BASE)
    (tmp_path / "m.hcl").write_text('''
cell "a" {
  template = "base.pkr.hcl"
}
cell "b" {
  template   = "base.pkr.hcl"
  depends_on = ["a"]
  image_vars = { base_image = "a", other = "c" }
}
cell "c" {
  template = "base.pkr.hcl"
  clouds   = ["east"]
}
''')
    with pytest.raises(TemplateError) as e:
        load_matrix(str(tmp_path / "m.hcl"))
    text = e.value.render()
    assert 'takes variable base_image from cell "a", which has no clouds' in text
    assert 'takes variable other from cell "c", which is not in its depends_on' in text
    assert "m.hcl line 8 (column 3)" in text, text


def test_handoff_hidden_tagged_exact_id_released(clouds: dict[str, GlanceServer], tmp_path: Path) -> None:
    east, west = clouds["east"], clouds["west"]
    glance = east.url
    (tmp_path / "matrix.hcl").write_text(f'''
cell "base-a" {{
  template     = "base.pkr.hcl"
  vars         = {{ label = "a" }}
  clouds       = ["east", "west"]
  intermediate = true
}}
cell "derived-a" {{
  template   = "derived.pkr.hcl"
  depends_on = ["base-a"]
  image_vars = {{ base_image = "base-a" }}
  vars       = {{ glance = "{glance}", fail = true }}
}}
cell "base-b" {{
  template = "base.pkr.hcl"
  vars     = {{ label = "b" }}
  clouds   = ["east", "west"]
}}
cell "derived-b" {{
  template   = "derived.pkr.hcl"
  depends_on = ["base-b"]
  image_vars = {{ base_image = "base-b" }}
  vars       = {{ glance = "{west.url}" }}
  clouds     = ["west"]
}}
''')
    validate_matrix(load_matrix(str(tmp_path / "matrix.hcl")))  # image_vars validate as glance:// URLs
    # another night's image of the same name (visible, newest), and a half image this run's
    # base-b left before (a worker lost during its upload)
    decoy = upload(east, "handoff-a", b"another night" * 1000)
    half = requests.post(f"{east.url}/v2/images", timeout=30, json={
        "name": "handoff-b", "disk_format": "qcow2", "container_format": "bare",
        "pybuild_matrix_run": "night1", "pybuild_matrix_cell": "base-b"}).json()["id"]
    runs = tmp_path / "runs"
    # one cell at a time: the fixture's Glance keeps its records in sqlite, which answers
    # concurrent writers of two builds with "database is locked" (HTTP 500)
    r = matrix_cmd("run", "--runs-dir", str(runs), "--run-id", "night1",
                   str(tmp_path / "matrix.hcl"))
    assert r.returncode == 1, r.stdout + r.stderr  # derived-a fails on purpose (rerun below)
    cells = summary(runs, "night1")
    assert {n: c["status"] for n, c in cells.items()} == {
        "base-a": "ok", "derived-a": "failed", "base-b": "ok", "derived-b": "ok"}

    # once per cloud: one image of each base cell in each Glance, tagged with run and cell
    for cell in ("base-a", "base-b"):
        for name, srv in clouds.items():
            imgs = images_of(srv, cell)
            assert len(imgs) == 1, (cell, name, imgs)
            img = imgs[0]
            assert img["status"] == "active" and img["pybuild_matrix_run"] == "night1"
            assert {"matrix-run:night1", f"matrix-cell:{cell}"} <= set(img["tags"])
            assert {"cloud": name, "region": "", "image_id": img["id"], "image_name": img["name"]} \
                in cells[cell]["images"]
    assert half not in {i["id"] for i in east.images()}  # the earlier attempt's half image is gone
    a_east = images_of(east, "base-a")[0]["id"]
    b_west = images_of(west, "base-b")[0]["id"]

    # derived cells got exactly this run's image, in a cloud they upload to when there is one
    log_a = Path(cells["derived-a"]["log"]).read_text()
    assert f"derived from glance://east/{a_east}" in log_a and decoy not in log_a
    log_b = Path(cells["derived-b"]["log"]).read_text()
    assert f"derived from glance://west/{b_west}" in log_b
    # base-b was hidden while derived-b ran (the record derived-b read from Glance)
    assert f'"id": "{b_west}"' in log_b and '"os_hidden": true' in log_b
    b_east = images_of(east, "base-b")[0]["id"]
    # the run is over: base-b is visible, the intermediate base-a stays hidden
    assert all(i["os_hidden"] is False for srv in clouds.values() for i in images_of(srv, "base-b"))
    assert all(i["os_hidden"] is True for srv in clouds.values() for i in images_of(srv, "base-a"))
    assert "base images made visible: " in r.stdout and b_east in r.stdout and b_west in r.stdout

    # rerun --failed: derived-a starts from base-a's image of night1 (base-a is not rebuilt)
    (tmp_path / "matrix.hcl").write_text((tmp_path / "matrix.hcl").read_text().replace("fail = true", "fail = false"))
    r = matrix_cmd("rerun", "--failed", "night1", "--runs-dir", str(runs), "--run-id", "night1b")
    assert r.returncode == 0, r.stdout + r.stderr
    again = summary(runs, "night1b")
    assert again["derived-a"]["run_id"] == "night1b" and again["base-a"]["run_id"] == "night1"
    assert f"derived from glance://east/{a_east}" in Path(again["derived-a"]["log"]).read_text()
    assert len(images_of(east, "base-a")) == 1


SLOW_BASE_LINGER = 12
VISIBILITY = 20


def test_killed_worker_after_upload_leaves_one_image(clouds: dict[str, GlanceServer], broker: str,
                                                     tmp_path: Path) -> None:
    """The worker building the base is SIGKILLed after its upload (while the build lingers);
    the cell runs again on the other worker, which replaces the first image: one active image
    per cloud, and the derived cell starts from the surviving one."""
    east, west = clouds["east"], clouds["west"]
    (tmp_path / "matrix.hcl").write_text(f'''
cell "base" {{
  template = "base.pkr.hcl"
  vars     = {{ label = "k", linger = {SLOW_BASE_LINGER} }}
  clouds   = ["east", "west"]
}}
cell "derived" {{
  template   = "derived.pkr.hcl"
  depends_on = ["base"]
  image_vars = {{ base_image = "base" }}
  vars       = {{ glance = "{east.url}" }}
}}
''')
    env = {"OS_CLIENT_CONFIG_FILE": str(tmp_path / "clouds.yaml")}
    args = ["--visibility-timeout", str(VISIBILITY), "--restore-interval", "1"]
    specs = [WorkerSpec(n, "x86_64", tmp_path / n, env=env, args=args) for n in ("h-a@test", "h-b@test")]
    runs = tmp_path / "runs"
    with worker_pool(broker, specs, tmp_path) as procs:
        submit = submit_matrix(broker, tmp_path / "matrix.hcl", runs, "k1")
        try:
            deadline = time.monotonic() + 90
            victim = None
            while victim is None:  # the worker whose build has uploaded and lingers
                assert time.monotonic() < deadline, "no worker uploaded the base within 90 s"
                for s in specs:
                    log = s.work_dir / "k1" / "base" / "build.log"
                    if log.exists() and "lingering" in log.read_text(errors="replace"):
                        victim = s
                time.sleep(0.2)
            first = {n: [i["id"] for i in images_of(srv, "base", "k1")] for n, srv in clouds.items()}
            assert all(len(v) == 1 for v in first.values()), first
            os.killpg(procs[victim.name].pid, signal.SIGKILL)
            out, _ = submit.communicate(timeout=200)
        finally:
            if submit.poll() is None:
                submit.kill()
                submit.wait()
    assert submit.returncode == 0, out
    cells = summary(runs, "k1")
    survivor = next(s for s in specs if s is not victim)
    assert cells["base"]["worker"] == survivor.name and cells["derived"]["status"] == "ok"
    for name, srv in clouds.items():
        imgs = images_of(srv, "base", "k1")
        assert [i["status"] for i in imgs] == ["active"], (name, imgs)
        assert imgs[0]["id"] not in first[name]  # the re-run's upload replaced the first
    log = (survivor.work_dir / "k1" / "base" / "build.log").read_text()
    assert f"deleted image {first['east'][0]} (active) of an earlier attempt" in log
    new_east = images_of(east, "base", "k1")[0]["id"]
    assert f"derived from glance://east/{new_east}" in Path(cells["derived"]["log"]).read_text()
    assert west.requests_seen("GET", "/v2/images") >= 1


def test_plan_context_and_binding(tmp_path: Path) -> None:
    """The pure parts: the plan text, the environment a cell's build gets, the image a derived
    cell is given (one in a cloud it uploads to, else the first), events → images."""
    from builder.matrix.cell import CellResult
    from builder.matrix.handoff import HandoffError, UploadContext, bind_image_vars, images_from_events
    from builder.matrix.plan import plan_text

    (tmp_path / "base.pkr.hcl").write_text(BASE)
    (tmp_path / "m.hcl").write_text('''
cell "base" {
  template     = "base.pkr.hcl"
  clouds       = ["east", "west/R2"]
  intermediate = true
}
cell "web" {
  template   = "base.pkr.hcl"
  depends_on = ["base"]
  image_vars = { src = "base" }
  clouds     = ["west/R2"]
}
''')
    m = load_matrix(str(tmp_path / "m.hcl"))
    text = plan_text(m)
    assert "web.src <- base" in text and "Uploaded hidden: base (stays hidden)" in text
    base, web = m.cells["base"], m.cells["web"]
    assert base.base and not web.base
    env = UploadContext.for_cell(base, "R1").to_env()
    assert env == {"PYBUILD_MATRIX_CELL": "base", "PYBUILD_MATRIX_RUN": "R1",
                   "PYBUILD_MATRIX_CLOUDS": "east,west/R2", "PYBUILD_MATRIX_HIDDEN": "1"}
    ctx = UploadContext.from_env(env)
    assert [str(t) for t in ctx.targets()] == ["east", "west/R2"] and ctx.hidden
    assert "PYBUILD_MATRIX_HIDDEN" not in UploadContext.for_cell(web, "R1").to_env()

    images = [{"cloud": "east", "region": "", "image_id": "e1", "image_name": "n"},
              {"cloud": "west", "region": "R2", "image_id": "w1", "image_name": "n"}]
    assert bind_image_vars(web, {"base": CellResult("base", "ok", images=images)}).vars["src"] == "glance://west/R2/w1"
    assert bind_image_vars(replace_clouds(web), {"base": {"images": images}}).vars["src"] == "glance://east/e1"
    assert bind_image_vars(web, {}).image_vars == {"src": "base"}  # not known yet: left for later
    with pytest.raises(HandoffError, match='its base "base" uploaded no image'):
        bind_image_vars(web, {"base": CellResult("base", "ok")})

    ev = tmp_path / "events.jsonl"
    ev.write_text(json.dumps({"event": "glance.uploaded", "cloud": "east", "region": None, "image_id": "e1",
                              "image_name": "n"}) + "\n" + json.dumps({"event": "other"}) + "\nnot json\n")
    assert images_from_events(ev) == [images[0]]
    assert images_from_events(tmp_path / "missing.jsonl") == []


def replace_clouds(cell: Any) -> Any:
    from dataclasses import replace

    return replace(cell, clouds=())
