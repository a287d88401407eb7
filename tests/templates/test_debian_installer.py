"""templates/debian12.pkr.hcl against the real Debian installer, through `pybuild build`.

A full network install cannot finish on these machines (the reachable mirror answers
404 for the installer's .udeb files), so the test goes as far as the part that is
ours: pybuild boots the installer ISO (Debian's own boot menu, built from the netboot
files), types the template's boot command over VNC (Packer's way; the QMP and serial
keyboards are tested against a real boot loader in tests/bootcommand), the boot loader
echoes the exact line on the serial console, the installer fetches the rendered preseed
from pybuild's HTTP server and moves on past it. Then the build is
interrupted (Ctrl-C) and must clean up: QEMU gone, output directory removed.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder.bootcommand.typer import _terminal_row
from tests.templates._paths import HTTP, ROOT, SCRIPTS, TEMPLATES

pytestmark = pytest.mark.slow

FETCH_TIMEOUT = 600.0
TYPED = ("auto url=http://10.0.2.2:{port}/preseed.cfg priority=critical locale=en_US.UTF-8 keymap=us "
         "hostname=debian domain= interface=auto console=tty0 console=ttyS0,115200n8")


def template_copy(tmp: Path, keyboard: str) -> Path:
    """The shipped template (with its http/ and scripts/ siblings), with the keyboard chosen."""
    for d in (HTTP, SCRIPTS):
        shutil.copytree(d, tmp / d.name)
    (tmp / "templates").mkdir()
    text = (TEMPLATES / "debian12.pkr.hcl").read_text()
    if keyboard != "vnc":
        text = text.replace('  boot_wait      = "5s"', f'  boot_wait      = "5s"\n  boot_keyboard  = "{keyboard}"', 1)
        assert f'boot_keyboard  = "{keyboard}"' in text
    out = tmp / "templates" / "debian12.pkr.hcl"
    out.write_text(text)
    return out


def mirror_var() -> list[str]:
    """The build host's own Debian mirror (its apt sources), as an operator would pass it."""
    from pybuild_mmdebstrap.config import default_mirror

    mirror = default_mirror()
    return ["-var", f"mirror={mirror}"] if mirror else []


# VNC, Packer's keyboard, here; QMP and serial typing into a real boot loader are covered by
# tests/bootcommand/test_bootcommand_qemu.py (the same step, without a 2-minute installer boot)
@pytest.mark.parametrize("keyboard", ["vnc"])
def test_installer_fetches_the_rendered_preseed(di_iso_menu: Path, tmp_path: Path, keyboard: str) -> None:
    template = template_copy(tmp_path / "t", keyboard)
    work = tmp_path / "w"
    work.mkdir()
    env = {**os.environ, "PYBUILD_ACCELERATOR": "tcg", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "builder.cli", "build", "-on-error=abort", "-var", f"iso_url={di_iso_menu}",
            "-var", "iso_checksum=none", *mirror_var(), str(template)]
    proc = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    fetched = None
    serial = work / "output-debian12" / "serial.log"
    try:
        start = time.monotonic()
        while time.monotonic() - start < FETCH_TIMEOUT and proc.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            log.append(line)
            if "HTTP GET /preseed.cfg -> 200" in line:
                fetched = time.monotonic() - start
                break
        assert fetched is not None, "the installer never fetched /preseed.cfg:\n" + "".join(log[-60:])
        # the installer accepts the preseed and moves on (network / mirror stage)
        moved_on = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and moved_on is None:
            text = serial.read_text(errors="replace") if serial.exists() else ""
            after = text.split("preseed.cfg", 1)[-1]
            moved_on = re.search(r"(?i)(mirror|Retrieving|Downloading|Configuring apt|Loading additional|"
                                 r"Setting up the clock|Detecting disks|Partition)", after)
            time.sleep(2)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)  # pybuild's own Ctrl-C handling
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                pytest.fail("pybuild did not stop within 120 s of Ctrl-C")
    port = re.search(r"Starting HTTP server on port (\d+)", "".join(log))
    assert port, "".join(log[-40:])
    text = serial.read_text(errors="replace")
    print(f"\n[{keyboard}] preseed fetched {fetched:.0f}s after `pybuild build` started")
    # the boot loader echoed exactly what the template types (its echo redraws the line
    # with terminal escapes and wraps it at 80 columns: replay each serial line through a
    # tiny terminal, then join the wrapped rows)
    rows = [_terminal_row(line) for line in text.replace("\r\n", "\n").split("\n")]
    typed = TYPED.format(port=port.group(1))
    assert typed in "".join(rows), [r for r in rows if "auto" in r][-3:]
    assert moved_on is not None, "installer did not move on after the preseed:\n" + text[-3000:]
    assert proc.returncode == 130  # interrupted
    assert (work / "output-debian12").is_dir()  # kept: -on-error=abort
    shutil.rmtree(work / "output-debian12")
