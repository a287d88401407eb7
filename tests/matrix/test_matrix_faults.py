"""Faults with the real broker and real workers.

- A worker SIGKILLed in the middle of a cell: two workers serve the same queue; the one building
  the cell is killed (its whole process group, as the OOM killer or a power cut would); Redis
  hands the unacknowledged cell to the other worker once the visibility timeout has passed, the
  run completes there, and the killed worker's build does not live on (SIGTERM when its parent
  dies).
- The broker restarted in the middle of a run (Redis with its append-only file): the worker
  and the submitter reconnect, the run completes, each cell is built once."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import redis

from builder.ports import reserve_port
from tests.matrix.conftest import WorkerSpec, _need, redis_server, submit_matrix, worker_pool

SLOW = '''
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["sleep 8", "echo slow cell done"]
  }
}
'''
VISIBILITY = 20  # longer than the cell (~10 s here), shorter than a test should wait


def _processes_in(d: Path) -> list[int]:
    """Pids whose working directory is under d (a build started there)."""
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if os.readlink(p / "cwd").startswith(str(d)):
                    out.append(int(p.name))
            except OSError:
                continue
    return out


def test_killed_worker_cell_reruns_on_another(mdir: Path, broker: str) -> None:
    (mdir / "slow.pkr.hcl").write_text(SLOW)
    (mdir / "matrix.hcl").write_text('''
cell "slow" { template = "slow.pkr.hcl" }
cell "after" {
  template   = "null.pkr.hcl"
  depends_on = ["slow"]
}
''')
    args = ["--visibility-timeout", str(VISIBILITY), "--restore-interval", "1"]
    specs = [WorkerSpec(n, "x86_64", mdir / n, args=args) for n in ("w-a@test", "w-b@test")]
    runs = mdir / "runs"
    with worker_pool(broker, specs, mdir) as procs:
        submit = submit_matrix(broker, mdir / "matrix.hcl", runs, "kill")
        try:
            deadline = time.monotonic() + 60
            victim = None
            while victim is None:
                assert time.monotonic() < deadline, "no worker started the cell within 60 s"
                victim = next((s for s in specs if (s.work_dir / "kill" / "slow" / "build.log").exists()), None)
                time.sleep(0.2)
            time.sleep(1.0)  # the build is running
            assert _processes_in(victim.work_dir / "kill"), "the victim's build is not running"
            os.killpg(procs[victim.name].pid, signal.SIGKILL)
            killed_at = time.time()
            # the killed worker's build does not live on (its sleep alone would run 6 s more)
            while _processes_in(victim.work_dir / "kill"):
                assert time.time() < killed_at + 4, "the killed worker's build is still running"
                time.sleep(0.1)
            out, _ = submit.communicate(timeout=180)
        finally:
            if submit.poll() is None:
                submit.kill()
                submit.wait()
        survivor = next(s for s in specs if s is not victim)
        cells = {c["name"]: c for c in json.loads((runs / "kill" / "summary.json").read_text())["cells"]}
        assert submit.returncode == 0, out
        assert cells["slow"]["status"] == "ok" and cells["slow"]["worker"] == survivor.name
        assert cells["after"]["status"] == "ok" and cells["after"]["started"] >= cells["slow"]["finished"]
        # re-delivered after the visibility timeout, not at once and not hours later
        assert killed_at + VISIBILITY - 15 < cells["slow"]["started"] < killed_at + VISIBILITY + 30
        assert "slow cell done" in (survivor.work_dir / "kill" / "slow" / "build.log").read_text()


def test_broker_restart_mid_run(mdir: Path) -> None:
    _need("redis-server")
    (mdir / "slow.pkr.hcl").write_text(SLOW.replace("sleep 8", "sleep 4"))
    (mdir / "matrix.hcl").write_text('''
cell "a" { template = "slow.pkr.hcl" }
cell "b" {
  template   = "slow.pkr.hcl"
  depends_on = ["a"]
}
cell "c" {
  template   = "slow.pkr.hcl"
  depends_on = ["b"]
}
''')
    rd = mdir / "redis"
    rd.mkdir()
    spec = WorkerSpec("w-r@test", "x86_64", mdir / "w-r", args=["--restore-interval", "1"])
    with reserve_port(20000, 40000, purpose="redis for the restart test") as lease:
        lease.close_socket()
        url = f"redis://127.0.0.1:{lease.port}/0"
        server = redis_server(rd, lease.port, persistent=True)
        try:
            with worker_pool(url, [spec], mdir):
                submit = submit_matrix(url, mdir / "matrix.hcl", mdir / "runs", "restart")
                try:
                    deadline = time.monotonic() + 60
                    while not (spec.work_dir / "restart" / "a" / "build.log").exists():
                        assert time.monotonic() < deadline, "cell a did not start within 60 s"
                        time.sleep(0.2)
                    server.stop()  # in the middle of cell a
                    time.sleep(1.0)
                    server = redis_server(rd, lease.port, persistent=True)
                    out, _ = submit.communicate(timeout=180)
                finally:
                    if submit.poll() is None:
                        submit.kill()
                        submit.wait()
                assert submit.returncode == 0, out
                cells = json.loads((mdir / "runs" / "restart" / "summary.json").read_text())["cells"]
                assert [(c["name"], c["status"], c["worker"]) for c in cells] == [
                    ("a", "ok", "w-r@test"), ("b", "ok", "w-r@test"), ("c", "ok", "w-r@test")]
                log = (mdir / "w-r@test.log").read_text()
                assert "Connection to broker lost" in log  # the worker did lose the broker
                for n in "abc":
                    assert log.count(f"pybuild.matrix.cell[restart.{n}] received") == 1, log[-3000:]
                # nothing left unacknowledged, to be re-delivered (built twice) later
                assert redis.Redis(host="127.0.0.1", port=lease.port).hlen("unacked") == 0
        finally:
            server.stop()
