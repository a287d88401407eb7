"""TCP port leases that never collide, across threads, builds and pybuild processes.

Packer picks a random port in a range and hopes; parallel Packer processes have
collided for years (VNC, SSH host forwarding, HTTP). A pybuild lease is:

1. an exclusive, non-blocking ``fcntl.flock`` on ``<cache>/ports/<n>.lock``
   (``<cache>`` = ``$PYBUILD_CACHE_DIR`` or ``~/.cache/pybuild``); flock locks belong
   to one open file, so two builds in the same process exclude each other too, and
   the kernel drops the lock if the holder dies;
2. a socket bound to ``bind:n``, proving nothing else (not even a foreign program
   that ignores the lock files) listens there.

The HTTP server takes the bound socket over (:meth:`PortLease.take_socket`) so no
other program can grab the port between the check and the listen. For ports QEMU
opens itself (VNC, ``hostfwd``) call :meth:`PortLease.close_socket` just before
starting QEMU: the socket goes away, the lock stays until :meth:`PortLease.release`.

Lock files are never deleted: unlinking a flock'ed file lets two processes each
hold a lock on a different inode of the "same" file.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import random
import socket
from pathlib import Path
from types import TracebackType

from builder.errors import BuildError

log = logging.getLogger("pybuild.ports")

_rng = random.SystemRandom()  # never seeded alike in parallel processes (packer#2032)


def cache_dir() -> Path:
    """pybuild's cache directory: ``$PYBUILD_CACHE_DIR``, else ``~/.cache/pybuild``."""
    env = os.environ.get("PYBUILD_CACHE_DIR", "")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "pybuild"


class PortLease:
    """A reserved TCP port; release it (or leave the ``with`` block) when done."""

    def __init__(self, port: int, bind: str, purpose: str, lock_fd: int, sock: socket.socket | None):
        self.port = port
        self.bind = bind
        self.purpose = purpose
        self._lock_fd: int | None = lock_fd
        self._sock = sock

    @property
    def held(self) -> bool:
        return self._lock_fd is not None

    def take_socket(self) -> socket.socket:
        """Hand over the bound (not yet listening) socket; the caller now owns it."""
        if self._sock is None:
            raise RuntimeError(f"port {self.port}: the socket was already taken or closed")
        sock, self._sock = self._sock, None
        return sock

    def close_socket(self) -> None:
        """Free the port for another program (QEMU) while keeping the lock."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def release(self) -> None:
        """Close the socket (if still ours) and drop the lock. Idempotent."""
        self.close_socket()
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
            log.debug("released port %d (%s)", self.port, self.purpose)

    def __enter__(self) -> PortLease:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lease must not keep a port forever
        try:
            self.release()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "held" if self.held else "released"
        return f"PortLease({self.bind}:{self.port}, {self.purpose or '-'}, {state})"


def _family(bind: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in bind else socket.AF_INET


def _try_lock(lock_dir: Path, port: int) -> int | None:
    fd = os.open(lock_dir / f"{port}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def _try_bind(bind: str, port: int) -> socket.socket | None:
    sock = socket.socket(_family(bind), socket.SOCK_STREAM)
    try:
        # allows re-binding over TIME_WAIT, never over a live listener on Linux
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind, port))
    except OSError:
        sock.close()
        return None
    sock.set_inheritable(False)
    return sock


def reserve_port(
    min_port: int,
    max_port: int,
    bind: str = "127.0.0.1",
    purpose: str = "",
    *,
    lock_dir: Path | None = None,
) -> PortLease:
    """Lease a free TCP port in ``[min_port, max_port]`` (both inclusive, random order).

    ``min_port == max_port`` forces that port. Raises :class:`BuildError` when every
    port of the range is locked by another lease or in use by another program.
    """
    if not (0 < min_port <= max_port <= 65535):
        raise ValueError(f"invalid port range {min_port}-{max_port}")
    ldir = lock_dir or cache_dir() / "ports"
    ldir.mkdir(parents=True, exist_ok=True)
    candidates = list(range(min_port, max_port + 1))
    _rng.shuffle(candidates)
    locked = in_use = 0
    for port in candidates:
        fd = _try_lock(ldir, port)
        if fd is None:
            locked += 1
            continue
        sock = _try_bind(bind, port)
        if sock is None:
            in_use += 1
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            continue
        log.debug("leased port %s:%d (%s)", bind, port, purpose)
        return PortLease(port, bind, purpose, fd, sock)
    what = f" for {purpose}" if purpose else ""
    raise BuildError(
        f"no free TCP port{what} in {min_port}-{max_port} on {bind}: "
        f"{locked} leased by pybuild builds (lock files in {ldir}), {in_use} in use by other programs"
    )


__all__ = ["PortLease", "cache_dir", "reserve_port"]
