"""A cell's time limit (local runner and Celery worker) and the sweep of a dead worker's
leftovers when ``pybuild worker`` starts again: real QEMU processes started by real cells, a
real redis-server and real worker processes, every one stopped at the end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from builder.leftovers import pid_alive
from builder.matrix import distributed
from builder.matrix.loader import load_matrix
from builder.matrix.sweep import MARKER, processes_under
from builder.ports import reserve_port
from tests.matrix.conftest import (
    ROOT,
    WorkerSpec,
    _need,
    redis_server,
    run_matrix,
    start_worker,
    wait_ready,
    worker_pool,
)
from tests.matrix.test_matrix_report import qemu_failing_template


def _qemus(under: Path) -> list[int]:
    """QEMU processes running in a directory under ``under`` (a cell's build starts its QEMU in
    the cell's directory)."""
    return [p for p in processes_under(under) if _exe(p).startswith("qemu-system")]


def _exe(pid: int) -> str:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def test_time_limits_of_a_cell() -> None:
    """The parsed timeout becomes Celery's soft and hard limits, later than the runner's own."""
    assert distributed.time_limits(0) == {}
    lim = distributed.time_limits(1800)
    assert 1800 < lim["soft_time_limit"] < lim["time_limit"]


def test_local_time_limit_stops_the_cell_only(mdir: Path) -> None:
    (mdir / "sleepy.pkr.hcl").write_text('''
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["sleep 120"]
  }
}
''')
    (mdir / "matrix.hcl").write_text('''
cell "sleepy" {
  template = "sleepy.pkr.hcl"
  timeout  = "3s"
}
cell "after" {
  template   = "null.pkr.hcl"
  depends_on = ["sleepy"]
}
cell "other" { template = "null.pkr.hcl" }
''')
    assert load_matrix(str(mdir / "matrix.hcl")).cells["sleepy"].timeout == 3.0
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "builder.cli", "matrix", "run", "--runs-dir", str(mdir / "runs"),
                        "--run-id", "lim", "--parallel", "2", str(mdir / "matrix.hcl")],
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert time.monotonic() - t0 < 60
    cells = {c["name"]: c for c in json.loads((mdir / "runs" / "lim" / "summary.json").read_text())["cells"]}
    assert {n: c["status"] for n, c in cells.items()} == {"sleepy": "timeout", "after": "skipped", "other": "ok"}
    assert cells["after"]["error"].startswith("upstream failed: depends on sleepy")
    assert 3 <= cells["sleepy"]["duration"] < 30
    assert not processes_under(mdir / "runs" / "lim" / "cells" / "sleepy")  # the provisioner's sleep ended too
    assert 'data-status="timeout"' in (mdir / "runs" / "lim" / "report.html").read_text()


@pytest.mark.slow
def test_celery_time_limit_kills_the_cells_qemu(mdir: Path, broker: str) -> None:
    """A QEMU cell that would wait an hour for SSH is stopped at its 20 s limit on a real worker:
    its QEMU is gone, its dependant fails as upstream failed, the independent cell succeeds."""
    qemu_failing_template(mdir)
    (mdir / "matrix.hcl").write_text(f'''
cell "hang" {{
  template = "blank.pkr.hcl"
  vars     = {{ disk = "{mdir / 'blank.qcow2'}", ssh_timeout = "1h" }}
  timeout  = "20s"
  queue    = "limits"
}}
cell "after" {{
  template   = "null.pkr.hcl"
  depends_on = ["hang"]
  queue      = "limits"
}}
cell "other" {{
  template = "null.pkr.hcl"
  queue    = "limits"
}}
''')
    spec = WorkerSpec("w-limits@test", "limits", mdir / "w", {"PYBUILD_ACCELERATOR": "tcg"})
    seen: set[int] = set()
    done = threading.Event()

    def watch() -> None:  # the cell's QEMU while it runs
        while not done.is_set():
            seen.update(_qemus(spec.work_dir))
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    with worker_pool(broker, [spec], mdir):
        watcher.start()
        try:
            rc, cells = run_matrix(broker, mdir / "matrix.hcl", mdir / "runs", "limits")
        finally:
            done.set()
            watcher.join()
        assert seen, "no QEMU of the cell was ever seen running"
        assert not any(pid_alive(q) and _exe(q).startswith("qemu") for q in seen), "the cell's QEMU still runs"
        assert not _qemus(spec.work_dir)
    assert rc == 1
    assert {n: c["status"] for n, c in cells.items()} == {"hang": "timeout", "after": "skipped", "other": "ok"}
    hang = cells["hang"]
    steps = {s["name"]: s["ok"] for s in hang["details"]["steps"]}  # type: ignore[index]
    assert steps["qemu_run"] is True and steps["connect"] is False  # QEMU ran; stopped while waiting for SSH
    assert 20 <= hang["duration"] < 20 + 60  # type: ignore[operator]
    assert "time limit of 20s" in str(hang["error"])
    assert str(cells["after"]["error"]).startswith("upstream failed: depends on hang")
    log = (spec.work_dir / "limits" / "hang" / "build.log").read_text()
    assert "Stopping QEMU" in log or "QEMU" in log
    assert not (spec.work_dir / "limits" / "hang" / MARKER).exists()


@pytest.mark.slow
def test_worker_start_sweeps_a_killed_workers_qemu_and_dirs(mdir: Path) -> None:
    """A worker and its build are SIGKILLed (nothing of theirs runs a cleanup) while the cell's
    QEMU runs; a worker started again on the same work directory kills that QEMU and removes the
    cell's directory and the build's run directory, a line for each."""
    _need("redis-server")
    qemu_failing_template(mdir)
    (mdir / "matrix.hcl").write_text(f'''
cell "hang" {{
  template = "blank.pkr.hcl"
  vars     = {{ disk = "{mdir / 'blank.qcow2'}", ssh_timeout = "1h" }}
  queue    = "sweep"
}}
''')
    rd = mdir / "redis"
    rd.mkdir()
    spec = WorkerSpec("w-sweep@test", "sweep", mdir / "w", {"PYBUILD_ACCELERATOR": "tcg"})
    cell_dir = spec.work_dir / "swept" / "hang"
    qemus: list[int] = []
    with reserve_port(20000, 40000, purpose="redis for the sweep test") as lease:
        lease.close_socket()
        url = f"redis://127.0.0.1:{lease.port}/0"
        server = redis_server(rd, lease.port)
        submit = None
        try:
            with worker_pool(url, [spec], mdir) as procs:
                submit = subprocess.Popen([sys.executable, "-m", "builder.cli", "matrix", "run", "--celery", url,
                                           "--runs-dir", str(mdir / "runs"), "--run-id", "swept", str(mdir / "matrix.hcl")],
                                          env={**os.environ, "PYTHONPATH": str(ROOT)},
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 90
                while not (qemus := _qemus(cell_dir)):
                    assert time.monotonic() < deadline, "the cell's QEMU did not start within 90 s"
                    time.sleep(0.3)
                builds = [p for p in processes_under(cell_dir) if p not in qemus and _exe(p).startswith("python")]
                assert builds, "the cell's build process is not running"
                # the worker frozen first (it must not see its build end and tidy up), then the build
                # (no parent-death signal lets it stop its QEMU), then the worker
                os.killpg(procs[spec.name].pid, signal.SIGSTOP)
                for p in builds:
                    os.kill(p, signal.SIGKILL)
                os.killpg(procs[spec.name].pid, signal.SIGKILL)
                time.sleep(1.0)
                # the leftovers: QEMU still running, the cell's directory and the build's run directory
                assert all(pid_alive(q) for q in qemus)
                run_dirs = {a.split("unix:")[1].rsplit("/", 1)[0] for q in qemus
                            for a in Path(f"/proc/{q}/cmdline").read_text().split("\0") if a.startswith("unix:")}
                assert run_dirs and all(Path(d).is_dir() for d in run_dirs)
                assert (cell_dir / MARKER).exists()
            # nothing left to deliver: the restarted worker must only sweep (the killed cell's
            # task, redelivered, would make a new cell directory of its own)
            if submit is not None and submit.poll() is None:
                submit.kill()
                submit.wait()
            redis.Redis.from_url(url).flushall()
            (mdir / "again").mkdir()
            again = start_worker(url, spec, mdir / "again")
            try:
                wait_ready(url, {spec.name}, {spec.name: again}, mdir / "again")
            finally:
                again.stop(grace=10)
        finally:
            if submit is not None and submit.poll() is None:
                submit.kill()
                submit.wait()
            for q in qemus:  # never leave one behind, also when the test fails
                if pid_alive(q):
                    os.kill(q, signal.SIGKILL)
            server.stop()
    log = (mdir / "again" / f"{spec.name}.log").read_text()
    assert not any(pid_alive(q) and _exe(q).startswith("qemu") for q in qemus)
    assert not cell_dir.exists() and not any(Path(d).exists() for d in run_dirs)
    for q in qemus:
        assert f"sweep: killed qemu-system-x86_64 pid {q} left running in {cell_dir}" in log, log[:3000]
    assert f"sweep: removed {cell_dir} (cell directory of dead worker process" in log
    for d in run_dirs:
        assert f"sweep: removed {d} (run directory of dead pybuild pid" in log
