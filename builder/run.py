"""The one subprocess helper: every external tool (qemu-img, qemu-system-*, virt-*,
xorriso, shell-local scripts) is started through :func:`run` or :func:`spawn`.

- the exact command line is logged (shell-quoted, secrets masked);
- the child runs in its own session, so a terminal Ctrl-C reaches pybuild only, and
  pybuild ends the child (SIGTERM, then SIGKILL) when the build is cancelled;
- failures become one :class:`~builder.errors.CommandError` carrying argv, exit code
  and the tail of stderr; exit 127 is explained.
"""

from __future__ import annotations

import logging
import os
import select
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from builder import secrets
from builder.cancel import TOKEN, CancelToken
from builder.errors import Cancelled, CommandError

log = logging.getLogger("pybuild.run")

LineCallback = Callable[[str], None]


@dataclass
class Result:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    duration: float


def libguestfs_env() -> dict[str, str]:
    """Environment for virt-* tools: the direct backend, TCG when KVM is unusable."""
    env = {"LIBGUESTFS_BACKEND": os.environ.get("LIBGUESTFS_BACKEND", "direct")}
    accel = os.environ.get("PYBUILD_ACCELERATOR", "")
    if accel == "tcg" or not kvm_usable():
        env["LIBGUESTFS_BACKEND_SETTINGS"] = os.environ.get(
            "LIBGUESTFS_BACKEND_SETTINGS", "force_tcg"
        )
    return env


def kvm_usable() -> bool:
    """Packer's rule: KVM if /dev/kvm can be opened read-write."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def which(tool: str) -> str | None:
    return shutil.which(tool)


def _merged_env(env: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(os.environ)
    if env:
        merged.update(env)
    return merged


def _pump(stream, sink: deque[str] | list[str], cb: LineCallback | None) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        sink.append(line)
        if cb is not None:
            try:
                cb(line)
            except Exception:  # a UI callback must never kill the pump
                log.exception("line callback failed")
    stream.close()


def terminate(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """End a child and its process group: SIGTERM, wait ``grace`` s, then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    check: bool = True,
    input: bytes | None = None,
    on_stdout: LineCallback | None = None,
    on_stderr: LineCallback | None = None,
    cancel: CancelToken | None = TOKEN,
    ok_codes: Sequence[int] = (0,),
    hint: str = "",
) -> Result:
    """Run a command to completion, streaming its lines to the callbacks."""
    args = [os.fspath(a) for a in argv]
    log.debug("run: %s", secrets.mask(shlex.join(args)))
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_merged_env(env),
            cwd=cwd,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise CommandError(args, 127, hint=hint) from None
    out: list[str] = []
    err: deque[str] = deque(maxlen=2000)
    threads = [
        threading.Thread(target=_pump, args=(proc.stdout, out, on_stdout), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, err, on_stderr), daemon=True),
    ]
    for t in threads:
        t.start()
    if input is not None and proc.stdin is not None:
        try:
            proc.stdin.write(input)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    try:
        while True:
            try:
                proc.wait(0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            if cancel is not None and cancel.cancelled:
                terminate(proc)
                cancel.check()
            if timeout is not None and time.monotonic() - start > timeout:
                terminate(proc)
                raise CommandError(
                    args, -1, "\n".join(list(err)[-20:]), hint=f"timed out after {timeout:.0f}s"
                )
    except BaseException:
        terminate(proc)
        raise
    for t in threads:
        t.join(5)
    res = Result(args, proc.returncode, "\n".join(out), "\n".join(err), time.monotonic() - start)
    log.debug("exit %d after %.2fs: %s", proc.returncode, res.duration, args[0])
    if check and proc.returncode not in ok_codes:
        tail = secrets.mask("\n".join(list(err)[-20:]))
        raise CommandError([secrets.mask(a) for a in args], proc.returncode, tail, hint=hint)
    return res


class Process:
    """A long-running child (QEMU, a server) with stdout/stderr sent to a log file."""

    def __init__(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        log_path: Path | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        pass_fds: Sequence[int] = (),
    ):
        self.argv = [os.fspath(a) for a in argv]
        log.debug("spawn: %s", secrets.mask(shlex.join(self.argv)))
        self._logf = open(log_path, "ab") if log_path else None  # noqa: SIM115
        self._pidfd: int | None = None
        out = self._logf if self._logf else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=_merged_env(env),
                cwd=cwd,
                start_new_session=True,
                pass_fds=tuple(pass_fds),
            )
        except FileNotFoundError:
            self._close()
            raise CommandError(self.argv, 127) from None
        try:  # readable once the child exits; the child is not reaped yet, so its pid is ours
            self._pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):  # no pidfd (not Linux >= 5.3): wait() polls
            self._pidfd = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self, timeout: float | None = None, cancel: CancelToken | None = TOKEN) -> int | None:
        """Wait for exit; None on timeout. Raises Cancelled when the token fires."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self._close_pidfd()
                return rc
            if cancel is not None and cancel.cancelled:
                cancel.check()  # raises Cancelled naming the signal
                raise Cancelled()
            if deadline is not None and time.monotonic() >= deadline:
                return None
            self._sleep_until_exit(0.05)

    def _sleep_until_exit(self, seconds: float) -> None:
        """Sleep ``seconds``, waking at once if the child exits (a pidfd turns readable then:
        the build goes on the moment QEMU ends, not up to a poll interval later)."""
        if self._pidfd is not None:
            try:
                select.select([self._pidfd], [], [], seconds)
                return
            except (OSError, ValueError):  # closed by stop() in another thread
                pass
        time.sleep(seconds)

    def stop(self, grace: float = 5.0) -> None:
        terminate(self.proc, grace)
        self._close()

    def _close(self) -> None:
        if self._logf is not None:
            self._logf.close()
            self._logf = None
        self._close_pidfd()

    def _close_pidfd(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
        self._pidfd = None


__all__ = ["Cancelled", "Process", "Result", "kvm_usable", "libguestfs_env", "run", "terminate", "which"]
