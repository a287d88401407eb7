"""Boot a real installer through ``pybuild build`` with zero keys, until it has read its
unattended file — shared by the slow tests and bench/zerokey_remaster.py.

The preseed's ``early_command`` writes :data:`MARKER` on the serial port: the Debian
installer runs it right after loading the preseed. A ``pybuild_hooks.py`` beside the
template wraps every real keyboard driver (VNC, QMP, serial) and ``open_keyboard`` in
the pybuild process, recording each call into ``keys.log``, and marks ``post_boot``:
so "nothing typed" is read from the keyboard drivers themselves, not from the output.
The build is stopped (Ctrl-C, pybuild's own cleanup) as soon as the marker shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARKER = "PYBUILD-PRESEED-READ"
PRESEED = f"""\
d-i preseed/early_command string echo {MARKER} > /dev/ttyS0
d-i debian-installer/locale string en_US.UTF-8
d-i keyboard-configuration/xkb-keymap select us
d-i netcfg/choose_interface select auto
d-i netcfg/get_hostname string zerokey
d-i netcfg/get_domain string
"""
TEMPLATE = """\
variable "iso" { type = string }
source "qemu" "zerokey" {
  iso_url          = var.iso
  iso_checksum     = "none"
  communicator     = "none"
  headless         = true
  memory           = 1024
  disk_size        = "2G"
  boot_method      = "%(method)s"
  unattended_file  = "preseed.cfg"
  installer_append = "%(append)s"
  efi_boot         = %(efi)s
  shutdown_timeout = "1h"
}
build {
  sources = ["source.qemu.zerokey"]
}
"""
HOOKS = """\
from pathlib import Path

import builder.steps.boot_command as step
from builder.bootcommand import drivers

LOG = Path("keys.log")


def _recording(name, fn):
    def wrapper(*a, **k):
        with LOG.open("a") as fh:
            fh.write(name + "\\n")
        return fn(*a, **k)
    return wrapper


def pre_build(ctx):
    LOG.write_text("")
    for cls in (drivers.VNCKeyboard, drivers.QMPKeyboard, drivers.SerialKeyboard):
        for meth in ("key_down", "key_up", "press", "type_char", "flush"):
            setattr(cls, meth, _recording(f"{cls.__name__}.{meth}", getattr(cls, meth)))
    step.open_keyboard = _recording("open_keyboard", step.open_keyboard)


def post_boot(ctx):
    Path("post_boot.reached").write_text("yes")
"""


# what the Debian installer shows once it has moved on from the preseed
MOVED_ON = (r"(?i)(Detecting network|Configuring the network|network hardware|mirror|Retrieving|"
            r"Loading additional|Setting up the clock|Detecting disks)")


@dataclass
class Boot:
    seconds: float | None  # QEMU started (its event) → the marker on the serial console
    then: str | None  # with ``then=``: what matched it after the marker
    returncode: int | None
    output: str
    serial: str
    events: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] | None = None  # keyboard calls the hooks recorded (None: the hooks did not run)
    post_boot: bool = False

    def kinds(self) -> list[str]:
        return [str(e["event"]) for e in self.events]

    def event(self, kind: str) -> dict[str, Any]:
        found = [e for e in self.events if e["event"] == kind]
        assert len(found) == 1, (kind, self.kinds())
        return found[0]


def _events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def interrupt(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl-C a running ``pybuild build`` (its own cleanup); SIGKILL and fail after 120 s."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError("pybuild did not stop within 120 s of Ctrl-C") from None


def _shipped(work: Path, template: str) -> Path:
    """A copy of the shipped ``templates/TEMPLATE.pkr.hcl`` with its http/ and scripts/, the
    hooks beside it and the marker's early_command added to the preseed it serves."""
    for d in ("http", "scripts", "templates"):
        shutil.copytree(ROOT / d, work / d)
    preseed = work / "http" / template / "preseed.cfg.j2"
    assert "preseed/early_command" not in preseed.read_text()
    preseed.write_text(PRESEED.splitlines(keepends=True)[0] + preseed.read_text())
    (work / "templates" / "pybuild_hooks.py").write_text(HOOKS)
    return work / "templates" / f"{template}.pkr.hcl"


def boot_until_preseed(iso: Path, work: Path, *, method: str, efi: bool = False, append: str = "",
                       then: str | None = None, timeout: float = 1200.0, shipped: str = "") -> Boot:
    """Run ``pybuild build`` in ``work`` (created) and stop it once the marker shows (and,
    with ``then``, a match of that regex after it, e.g. :data:`MOVED_ON`). With ``shipped``
    (e.g. ``"debian12"``), the shipped template with ``-var boot_method=METHOD`` instead of
    :data:`TEMPLATE` (``efi`` and ``append`` unused)."""
    work.mkdir(parents=True, exist_ok=True)
    log_json, out_log = work / "events.jsonl", work / "pybuild.out"
    argv = [sys.executable, "-m", "builder.cli", "build", "-on-error=abort", "--log-json", str(log_json)]
    if shipped:
        argv += ["-var", f"iso_url={iso}", "-var", "iso_checksum=none", "-var", f"boot_method={method}",
                 str(_shipped(work, shipped))]
        serial = work / f"output-{shipped}" / "serial.log"
    else:
        (work / "t.pkr.hcl").write_text(TEMPLATE % {"method": method, "efi": str(efi).lower(), "append": append})
        (work / "preseed.cfg").write_text(PRESEED)
        (work / "pybuild_hooks.py").write_text(HOOKS)
        argv += ["-var", f"iso={iso}", "t.pkr.hcl"]
        serial = work / "output-zerokey" / "serial.log"
    env = {**os.environ, "PYBUILD_ACCELERATOR": os.environ.get("PYBUILD_ACCELERATOR", "tcg"),
           "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with open(out_log, "w") as fh:
        proc = subprocess.Popen(argv, cwd=work, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    seen_at: float | None = None
    moved_on = None
    try:
        start = time.monotonic()
        while time.monotonic() - start < timeout and proc.poll() is None:
            text = serial.read_text(errors="replace") if serial.exists() else ""
            if seen_at is None and MARKER in text:
                seen_at = time.time()
            if seen_at is not None:
                moved_on = re.search(then, text.split(MARKER, 1)[-1]) if then else None
                if then is None or moved_on:
                    break
            time.sleep(0.5)
    finally:
        interrupt(proc)
    events = _events(log_json)
    seconds = None
    started = [e for e in events if e["event"] == "qemu_started"]
    if seen_at is not None and started:
        seconds = seen_at - datetime.fromisoformat(str(started[0]["time"])).timestamp()
    keys_log = work / "keys.log"
    return Boot(
        seconds=seconds,
        then=moved_on.group(0) if moved_on else None,
        returncode=proc.returncode,
        output=out_log.read_text(errors="replace"),
        serial=serial.read_text(errors="replace") if serial.exists() else "",
        events=events,
        keys=keys_log.read_text().split() if keys_log.exists() else None,
        post_boot=(work / "post_boot.reached").exists(),
    )
