"""breakpoint: never hangs without a terminal; waits for Enter on one; cancellable."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ctxutil import provision_ctx

from builder.cancel import CancelToken
from builder.config import parse_config
from builder.errors import Cancelled
from builder.provisioners.breakpoint import BreakpointConfig, BreakpointProvisioner


def bp(stdin, **raw) -> BreakpointProvisioner:
    p = BreakpointProvisioner(parse_config(BreakpointConfig, raw, component="breakpoint"))
    p.stdin = stdin
    return p


def test_not_a_tty_continues(tmp_path: Path) -> None:
    ctx, cap = provision_ctx(None, tmp_path)
    t0 = time.monotonic()
    bp(io.StringIO(""), note="check the disk").provision(ctx)
    assert time.monotonic() - t0 < 1
    assert 'Breakpoint with note "check the disk": standard input is not a terminal' in cap.text


def test_disabled(tmp_path: Path) -> None:
    ctx, cap = provision_ctx(None, tmp_path)
    bp(io.StringIO(""), disable=True).provision(ctx)
    assert "disabled" in cap.text


def test_real_process_with_stdin_from_devnull() -> None:
    """The provisioner in a child process whose stdin is /dev/null (as under CI) returns."""
    code = (
        "import io, pathlib\n"
        "from builder.ui import UI\n"
        "from builder.plugins import ProvisionContext\n"
        "from builder.config import parse_config\n"
        "from builder.provisioners.breakpoint import BreakpointConfig, BreakpointProvisioner\n"
        "ui = UI().for_build('qemu.ci')\n"
        "ctx = ProvisionContext(build_name='qemu.ci', build_type='qemu', ui=ui, template_dir=pathlib.Path('.'))\n"
        "BreakpointProvisioner(parse_config(BreakpointConfig, {}, component='b')).provision(ctx)\n"
        "print('after')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=30, cwd=Path(__file__).parents[2])
    assert res.returncode == 0, res.stderr
    assert "not a terminal" in res.stdout and res.stdout.strip().endswith("after")


def test_tty_waits_for_enter(tmp_path: Path) -> None:
    master, slave = os.openpty()
    tty = os.fdopen(slave, "r")
    try:
        ctx, cap = provision_ctx(None, tmp_path)
        threading.Timer(0.5, lambda: os.write(master, b"\n")).start()
        t0 = time.monotonic()
        bp(tty, note="n").provision(ctx)
        assert time.monotonic() - t0 >= 0.4
        assert "Press Enter to continue" in cap.text
    finally:
        tty.close()
        os.close(master)


def test_tty_wait_is_cancellable(tmp_path: Path) -> None:
    master, slave = os.openpty()
    tty = os.fdopen(slave, "r")
    try:
        token = CancelToken()
        ctx, _ = provision_ctx(None, tmp_path, cancel=token)
        threading.Timer(0.3, token.cancel).start()
        with pytest.raises(Cancelled):
            bp(tty).provision(ctx)
    finally:
        tty.close()
        os.close(master)
