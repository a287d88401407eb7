"""Many build hosts, for real: a redis-server on 127.0.0.1 (random port) and three
``pybuild worker`` processes with different queues standing in for build hosts, running
null-builder cells submitted by ``pybuild matrix run --celery``. Every process is stopped at
the end, also on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from builder.matrix import distributed
from builder.matrix.loader import load_matrix
from builder.ports import reserve_port
from builder.run import Process
from tests.matrix.conftest import ROOT, WorkerSpec, run_matrix, worker_pool
from tests.tools import require_module

QUEUES = ("x86_64", "x86_64-kvm", "aarch64")
SECRET = "hunter2-not-in-messages"
CLOUD_PASSWORD = "cloud-pw-not-in-flower"


@pytest.fixture(scope="module")
def workers(broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One worker per queue; the x86_64 host alone has the sensitive variable in its environment."""
    d = tmp_path_factory.mktemp("workers")
    specs = [WorkerSpec(f"w-{q}@test", q, d / q,
                        {"PKR_VAR_password": SECRET, "OS_PASSWORD": CLOUD_PASSWORD} if q == "x86_64" else {})
             for q in QUEUES]
    with worker_pool(broker, specs, d):
        yield {q: d / q for q in QUEUES}


TREES = '''
cell "base" {
  template = "null.pkr.hcl"
  vars     = { msg = "base" }
}
cell "derived" {
  template   = "null.pkr.hcl"
  depends_on = ["base"]
  kvm        = true
}
cell "derived-pw" {
  template   = "null.pkr.hcl"
  depends_on = ["base"]
  vars       = { need_pw = true }
}
cell "arm" {
  template = "null.pkr.hcl"
  arch     = "aarch64"
  vars     = { fail = true }
}
cell "arm-child" {
  template   = "null.pkr.hcl"
  arch       = "aarch64"
  depends_on = ["arm"]
}
cell "arm-grandchild" {
  template   = "null.pkr.hcl"
  depends_on = ["arm-child"]
  kvm        = true
}
'''


def test_trees_routed_by_queue_failure_skips_dependants(mdir: Path, broker: str,
                                                         workers: dict[str, Path]) -> None:
    (mdir / "matrix.hcl").write_text(TREES)
    rc, cells = run_matrix(broker, mdir / "matrix.hcl", mdir / "runs", "trees")
    assert rc == 1
    assert {n: c["status"] for n, c in cells.items()} == {
        "base": "ok", "derived": "ok", "derived-pw": "ok",
        "arm": "failed", "arm-child": "skipped", "arm-grandchild": "skipped"}
    # routing: which worker ran which cell
    assert {n: c["worker"] for n, c in cells.items()} == {
        "base": "w-x86_64@test", "derived": "w-x86_64-kvm@test", "derived-pw": "w-x86_64@test",
        "arm": "w-aarch64@test", "arm-child": "w-aarch64@test", "arm-grandchild": "w-x86_64-kvm@test"}
    # dependencies: a derived cell started after its base finished
    for child in ("derived", "derived-pw"):
        assert cells[child]["started"] >= cells["base"]["finished"]  # type: ignore[operator]
    # each cell built in its worker's own work dir
    log = workers["x86_64"] / "trees" / "base" / "build.log"
    assert str(log) == cells["base"]["log"] and "cell says base" in log.read_text()
    assert (workers["x86_64-kvm"] / "trees" / "derived" / "build.log").exists()
    assert "non-zero exit status: 3" in str(cells["arm"]["error"])
    assert "depends on arm " in str(cells["arm-child"]["error"])
    junit = (mdir / "runs" / "trees" / "junit.xml").read_text()
    assert 'failures="1"' in junit and 'skipped="2"' in junit


def test_sensitive_value_stays_on_the_worker(mdir: Path, broker: str, workers: dict[str, Path]) -> None:
    """derived-pw needs var.password, which only the x86_64 worker's environment has: it succeeds
    there, and the value is in no message, result or summary."""
    (mdir / "matrix.hcl").write_text(TREES)
    _rc, cells = run_matrix(broker, mdir / "matrix.hcl", mdir / "runs", "secret")
    assert cells["derived-pw"]["status"] == "ok"
    client = redis.Redis.from_url(broker)
    stored = [client.dump(k) or b"" for k in client.scan_iter()]
    assert stored and not any(SECRET.encode() in v for v in stored)
    assert SECRET not in (mdir / "runs" / "secret" / "summary.json").read_text()


def test_diamond_runs_level_by_level(mdir: Path, broker: str, workers: dict[str, Path]) -> None:
    (mdir / "matrix.hcl").write_text('''
cell "a" { template = "null.pkr.hcl" }
cell "b" {
  template = "null.pkr.hcl"
  arch     = "aarch64"
}
cell "c" {
  template   = "null.pkr.hcl"
  depends_on = ["a", "b"]
  kvm        = true
}
cell "d" {
  template   = "null.pkr.hcl"
  depends_on = ["c"]
}
''')
    assert not load_matrix(str(mdir / "matrix.hcl")).is_forest()
    rc, cells = run_matrix(broker, mdir / "matrix.hcl", mdir / "runs", "diamond")
    assert rc == 0 and all(c["status"] == "ok" for c in cells.values())
    assert cells["c"]["started"] >= max(cells["a"]["finished"], cells["b"]["finished"])  # type: ignore[type-var]
    assert cells["d"]["started"] >= cells["c"]["finished"]  # type: ignore[operator]
    assert cells["b"]["worker"] == "w-aarch64@test" and cells["c"]["worker"] == "w-x86_64-kvm@test"


def test_canvas_shape_without_broker(mdir: Path) -> None:
    """The canvas is built from the graph alone: queues and task ids per cell (no broker needed)."""
    (mdir / "matrix.hcl").write_text(TREES)
    m = load_matrix(str(mdir / "matrix.hcl"))
    canvas = distributed.build_canvas(m, "R")
    found: dict[str, str] = {}

    def walk(sig: object) -> None:
        for t in getattr(sig, "tasks", None) or []:
            walk(t)
        if getattr(sig, "task", "") == "pybuild.matrix.cell":
            opts = sig.options  # type: ignore[attr-defined]
            found[opts["task_id"]] = opts["queue"]

    walk(canvas)
    assert found == {f"R.{n}": c.route for n, c in m.cells.items()}


def test_rerun_failed_on_workers(mdir: Path, broker: str, workers: dict[str, Path]) -> None:
    (mdir / "matrix.hcl").write_text('''
cell "base" { template = "null.pkr.hcl" }
cell "arm" {
  template = "null.pkr.hcl"
  arch     = "aarch64"
  vars     = { fail = true }
}
cell "arm-child" {
  template   = "null.pkr.hcl"
  depends_on = ["arm"]
}
''')
    rc, _ = run_matrix(broker, mdir / "matrix.hcl", mdir / "runs", "first")
    assert rc == 1
    r = subprocess.run([sys.executable, "-m", "builder.cli", "matrix", "rerun", "--failed", "first", "--celery",
                        broker, "--runs-dir", str(mdir / "runs"), "--run-id", "again", "--wait-timeout", "120"],
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=180)
    assert r.returncode == 1, r.stdout + r.stderr
    cells = {c["name"]: c for c in json.loads((mdir / "runs" / "again" / "summary.json").read_text())["cells"]}
    assert {n: (c["status"], c["run_id"], c["worker"]) for n, c in cells.items()} == {
        "base": ("ok", "first", "w-x86_64@test"), "arm": ("failed", "again", "w-aarch64@test"),
        "arm-child": ("skipped", "again", "w-x86_64@test")}


def test_flower_shows_the_cells_and_no_secret(mdir: Path, broker: str, workers: dict[str, Path]) -> None:
    """Real Flower (127.0.0.1, basic auth) on the test broker: the cells of a run show up as tasks
    through its HTTP API, with their queue, worker and result, and neither the sensitive variable
    nor the cloud password of the worker's environment appears in anything Flower shows."""
    require_module("flower", "pip install 'pybuild[matrix]'")
    (mdir / "matrix.hcl").write_text(TREES)
    with reserve_port(20000, 40000, purpose="flower for the matrix tests") as lease:
        lease.close_socket()
        base = f"http://127.0.0.1:{lease.port}"
        flower = Process([sys.executable, "-m", "celery", "--broker", broker, "flower", "--address=127.0.0.1",
                          f"--port={lease.port}", "--basic-auth=ops:flower-login"], log_path=mdir / "flower.log",
                         env={"PYTHONPATH": str(ROOT)})
        try:
            auth = ("ops", "flower-login")
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/healthcheck", timeout=2).text == "OK":
                        break
                except requests.ConnectionError:
                    pass
                assert flower.poll() is None and time.monotonic() < deadline, (mdir / "flower.log").read_text()
                time.sleep(0.3)
            assert requests.get(f"{base}/api/tasks", timeout=5).status_code == 401  # the API needs the login
            _rc, cells = run_matrix(broker, mdir / "matrix.hcl", mdir / "runs", "flower")
            want = {f"flower.{n}" for n in cells}
            deadline = time.monotonic() + 30
            while True:  # task events reach Flower a moment after the results
                tasks = requests.get(f"{base}/api/tasks", auth=auth, timeout=5).json()
                done = {t for t, v in tasks.items() if v.get("state") == "SUCCESS"}
                if want <= done:
                    break
                assert time.monotonic() < deadline, f"Flower shows {sorted(done)}, not all of {sorted(want)}"
                time.sleep(0.5)
            shown = {t: tasks[t] for t in want}
            assert {t: v["name"] for t, v in shown.items()} == dict.fromkeys(want, "pybuild.matrix.cell")
            assert shown["flower.base"]["worker"] == "w-x86_64@test"
            # Flower shows what a task carries (so what is not there is not hidden from it)
            assert "null.pkr.hcl" in shown["flower.derived-pw"]["args"] and "need_pw" in shown["flower.derived-pw"]["args"]
            assert "'status': 'ok'" in shown["flower.derived-pw"]["result"]  # it used the secret, on the worker
            for path in ["/api/tasks", "/api/workers", *(f"/api/task/info/{t}" for t in want)]:
                text = requests.get(base + path, auth=auth, timeout=10).text
                assert SECRET not in text and CLOUD_PASSWORD not in text, path
        finally:
            flower.stop()
