"""Port leases: lock files + a real bind, across threads and processes."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import socket
import time
from pathlib import Path

import pytest

from builder.errors import BuildError
from builder.ports import cache_dir, reserve_port


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYBUILD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _free_range(n: int) -> tuple[int, int]:
    """A range of n ports nothing listens on right now (checked by binding)."""
    for _ in range(200):
        lo = random.randint(20000, 60000 - n)
        socks = []
        try:
            for p in range(lo, lo + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return lo, lo + n - 1
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range")


def test_cache_dir_from_env(_cache: Path) -> None:
    assert cache_dir() == _cache


def test_lease_is_in_range_and_locked(_cache: Path) -> None:
    lo, hi = _free_range(10)
    with reserve_port(lo, hi, purpose="test") as lease:
        assert lo <= lease.port <= hi
        assert lease.held
        assert (_cache / "ports" / f"{lease.port}.lock").exists()
        # the same port cannot be leased twice, even in this process
        with pytest.raises(BuildError, match="1 leased by pybuild"):
            reserve_port(lease.port, lease.port)
    assert not lease.held
    again = reserve_port(lease.port, lease.port)
    assert again.port == lease.port
    again.release()
    again.release()  # idempotent


def test_port_used_by_another_program_is_skipped() -> None:
    lo, hi = _free_range(2)
    foreign = socket.socket()
    foreign.bind(("127.0.0.1", lo))
    foreign.listen()
    try:
        for _ in range(10):
            with reserve_port(lo, hi) as lease:
                assert lease.port == hi
        with pytest.raises(BuildError, match="1 in use by other programs"):
            reserve_port(lo, lo, purpose="vnc")
    finally:
        foreign.close()


def test_exhausted_range_names_the_range() -> None:
    lo, hi = _free_range(3)
    leases = [reserve_port(lo, hi) for _ in range(3)]
    try:
        assert sorted(lease.port for lease in leases) == [lo, lo + 1, lo + 2]
        with pytest.raises(BuildError, match=f"no free TCP port for http in {lo}-{hi}"):
            reserve_port(lo, hi, purpose="http")
    finally:
        for lease in leases:
            lease.release()


def test_take_socket_hands_over_a_bound_socket() -> None:
    lo, hi = _free_range(5)
    lease = reserve_port(lo, hi)
    try:
        sock = lease.take_socket()
        sock.listen()
        cli = socket.create_connection(("127.0.0.1", lease.port), timeout=2)
        conn, _ = sock.accept()
        conn.close()
        cli.close()
        sock.close()
        with pytest.raises(RuntimeError):
            lease.take_socket()
    finally:
        lease.release()


def test_close_socket_frees_the_port_but_keeps_the_lock() -> None:
    lo, _ = _free_range(1)
    lease = reserve_port(lo, lo, purpose="vnc")
    try:
        lease.close_socket()
        # QEMU (here: a plain socket) can now listen on it
        q = socket.socket()
        q.bind(("127.0.0.1", lo))
        q.close()
        # ... but no other pybuild build gets it
        with pytest.raises(BuildError):
            reserve_port(lo, lo)
    finally:
        lease.release()


def test_invalid_range() -> None:
    with pytest.raises(ValueError):
        reserve_port(10, 5)
    with pytest.raises(ValueError):
        reserve_port(0, 5)


def _grab(lo: int, hi: int, n: int, barrier, queue) -> None:  # runs in a child process
    barrier.wait()
    leases = [reserve_port(lo, hi, purpose="contention") for _ in range(n)]
    queue.put([lease.port for lease in leases])
    barrier.wait()  # hold every lease until all processes have reported
    for lease in leases:
        lease.release()


def test_concurrent_processes_never_share_a_port() -> None:
    ctx = mp.get_context("spawn")
    procs_n, each = 4, 5
    lo, hi = _free_range(procs_n * each)
    barrier = ctx.Barrier(procs_n)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_grab, args=(lo, hi, each, barrier, queue)) for _ in range(procs_n)]
    for p in procs:
        p.start()
    try:
        got = [queue.get(timeout=60) for _ in procs]
    finally:
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
    ports = [port for chunk in got for port in chunk]
    assert len(ports) == procs_n * each
    assert len(set(ports)) == len(ports), f"a port was leased twice: {sorted(ports)}"
    assert set(ports) == set(range(lo, hi + 1))
    assert all(p.exitcode == 0 for p in procs)


def _hold(port: int, ready) -> None:  # child: lease a port and sleep until killed
    lease = reserve_port(port, port)
    lease.close_socket()
    ready.set()
    time.sleep(60)


def test_lock_of_a_killed_process_is_released() -> None:
    ctx = mp.get_context("spawn")
    lo, _ = _free_range(1)
    ready = ctx.Event()
    child = ctx.Process(target=_hold, args=(lo, ready))
    child.start()
    try:
        assert ready.wait(30)
        with pytest.raises(BuildError):
            reserve_port(lo, lo)
    finally:
        child.kill()
        child.join(10)
    assert child.exitcode is not None and child.exitcode != 0
    with reserve_port(lo, lo) as lease:
        assert lease.port == lo


def test_lock_files_are_not_inherited_by_children() -> None:
    lo, _ = _free_range(1)
    with reserve_port(lo, lo) as lease:
        fd = lease._lock_fd
        assert fd is not None
        assert not os.get_inheritable(fd)
