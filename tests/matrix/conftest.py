"""Matrix tests: a fast ``null``-builder template whose cells print a message and fail on demand;
a real redis-server (127.0.0.1, random port) and real ``pybuild worker`` processes, all stopped
at the end, also on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from celery import Celery

from builder.ports import reserve_port
from builder.run import Process
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]

NULL_TEMPLATE = '''
variable "msg" {
  type    = string
  default = "hi"
}
variable "fail" {
  type    = bool
  default = false
}
variable "need_pw" {
  type    = bool
  default = false
}
variable "password" {
  type      = string
  default   = ""
  sensitive = true
}
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    environment_vars = ["PW=${var.password}"]
    inline = [
      "echo cell says ${var.msg}",
      "${var.fail ? "exit 3" : "true"}",
      "${var.need_pw ? "test -n \\"$PW\\"" : "true"}",
    ]
  }
}
'''


@pytest.fixture
def mdir(tmp_path: Path) -> Path:
    """A directory with ``null.pkr.hcl``; write ``matrix.hcl`` beside it."""
    (tmp_path / "null.pkr.hcl").write_text(NULL_TEMPLATE)
    return tmp_path


def _need(tool: str) -> None:
    require_tool(tool, hint="dev/setup installs it")


def redis_server(d: Path, port: int, persistent: bool = False) -> Process:
    """A redis-server on 127.0.0.1:port answering pings; ``persistent``: an append-only file in d
    (every write), so a restarted server has the queues and results of the one before."""
    proc = Process(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "yes" if persistent else "no", "--appendfsync", "always",
                    "--daemonize", "no", "--dir", str(d)], log_path=d / "redis.log")
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            return proc
        except (redis.ConnectionError, redis.BusyLoadingError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.stop()
                raise AssertionError("redis-server did not answer within 20 s: " + (d / "redis.log").read_text())
            time.sleep(0.1)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this test module, on 127.0.0.1 and a free port."""
    _need("redis-server")
    d = tmp_path_factory.mktemp("redis")
    with reserve_port(20000, 40000, purpose="redis for matrix tests") as lease:
        lease.close_socket()
        proc = redis_server(d, lease.port)
        try:
            yield f"redis://127.0.0.1:{lease.port}/0"
        finally:
            proc.stop()


@dataclass
class WorkerSpec:
    name: str
    queues: str
    work_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)


def start_worker(broker: str, spec: WorkerSpec, logs: Path) -> Process:
    return Process([sys.executable, "-m", "builder.cli", "worker", "--broker", broker, "--queues", spec.queues,
                    "--concurrency", "1", "--name", spec.name, "--work-dir", str(spec.work_dir), *spec.args],
                   log_path=logs / f"{spec.name}.log", env={"PYTHONPATH": str(ROOT), **spec.env})


def wait_ready(broker: str, names: set[str], procs: dict[str, Process], logs: Path, timeout: float = 90) -> None:
    """Until every named worker answers a ping (a dead one fails the test with its log). A
    client app of its own: the module-level app may still hold connections to an earlier broker."""
    with Celery(broker=broker) as app:
        deadline = time.monotonic() + timeout
        while True:
            answering = {n for r in app.control.ping(timeout=1.0) for n in r}
            if names <= answering:
                return
            for n, p in procs.items():
                assert p.poll() is None, (logs / f"{n}.log").read_text()
            assert time.monotonic() < deadline, f"workers not ready after {timeout:.0f} s, answering: {answering}"


@contextmanager
def worker_pool(broker: str, specs: list[WorkerSpec], logs: Path) -> Iterator[dict[str, Process]]:
    procs: dict[str, Process] = {}
    try:
        for spec in specs:
            procs[spec.name] = start_worker(broker, spec, logs)
        wait_ready(broker, set(procs), procs, logs)
        yield procs
    finally:
        for p in procs.values():
            p.stop(grace=10)


def run_matrix(broker: str, matrix: Path, runs: Path, run_id: str,
               wait: bool = True, wait_timeout: float = 180) -> tuple[int, dict[str, dict[str, object]]]:
    """``pybuild matrix run --celery`` as a user runs it; (exit code, {cell: result})."""
    r = subprocess.run([sys.executable, "-m", "builder.cli", "matrix", "run", "--celery", broker, "--runs-dir",
                        str(runs), "--run-id", run_id, "--wait-timeout", str(int(wait_timeout)), str(matrix)],
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                       timeout=wait_timeout + 60)
    assert (runs / run_id / "summary.json").exists(), r.stdout + r.stderr
    summary = json.loads((runs / run_id / "summary.json").read_text())
    assert summary["mode"] == "celery"
    page = (runs / run_id / "report.html").read_text()  # the report of a Celery run, one row per cell at least
    assert all(f'data-cell="{c["name"]}"' in page for c in summary["cells"])
    return r.returncode, {c["name"]: c for c in summary["cells"]}


def submit_matrix(broker: str, matrix: Path, runs: Path, run_id: str) -> subprocess.Popen[str]:
    """``pybuild matrix run --celery`` started in the background (a fault test acts meanwhile);
    its output is read with ``communicate()``."""
    return subprocess.Popen([sys.executable, "-m", "builder.cli", "matrix", "run", "--celery", broker,
                             "--runs-dir", str(runs), "--run-id", run_id, "--wait-timeout", "150", str(matrix)],
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
