"""Part 9 — zero typed keys: QEMU start → the installer has read its preseed.

The shipped ``templates/debian12.pkr.hcl`` (copied with its http/ and scripts/), run by
``pybuild build`` against the real Debian 12 installer: the netboot kernel and initrd
on an ISO with Debian's own boot menu (tests/fixtures/di_iso.py, ``menu``) to which the
CD layout ``install.amd/vmlinuz`` + ``initrd.gz`` is added (``xorriso ... -map``), so
one ISO serves every leg:

- **keys** (the baseline, Packer's way): the template's boot_command typed over VNC
  after its 5 s boot_wait (``<esc>``, then ``auto url=http://…/preseed.cfg …``);
- **kernel**: ``-var boot_method=kernel``: pybuild boots ``install.amd/vmlinuz`` directly
  with ``url=http://…/preseed.cfg`` and the same arguments; nothing typed;
- **remaster**: ``-var boot_method=remaster``: pybuild copies the ISO with its isolinux
  and GRUB menus edited to boot ``install.amd/vmlinuz`` at once with ``url=http://…/preseed.cfg``
  and the same arguments (the preseed stays on pybuild's HTTP server); nothing typed.

The time is from pybuild's ``qemu_started`` event to its ``http_request`` event for
``GET /preseed.cfg`` answered 200 (both from ``--log-json``, pybuild's own clock); then
the build is interrupted (Ctrl-C). Runs are interleaved leg by leg.

A second table boots pybuild's remaster of Debian's CD layout (isolinux on BIOS, GRUB on
UEFI) to the preseed's early_command (:mod:`bench.zerokey_remaster`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.common import ROOT, Goal, Part, Stat, Table, load1, now
from bench.zerokey_remaster import HEADERS, remaster_leg
from builder.run import run as run_tool
from tests.fixtures.pybuild_proc import interrupt

TEMPLATE = ROOT / "templates" / "debian12.pkr.hcl"
FETCH_TIMEOUT = 900.0


def bench_iso() -> Path:
    """Debian's boot menu ISO plus the CD layout (cached next to it)."""
    from tests.fixtures.di_iso import DI_DIR, cached_di_iso

    menu = cached_di_iso("menu")
    out = menu.with_name(menu.stem + "-cdlayout.iso")
    if not out.exists():
        part = out.with_name(out.name + ".part")
        part.unlink(missing_ok=True)
        run_tool(["xorriso", "-indev", menu, "-outdev", part, "-map", DI_DIR / "linux", "/install.amd/vmlinuz",
                  "-map", DI_DIR / "initrd.gz", "/install.amd/initrd.gz", "-boot_image", "any", "replay"],
                 timeout=300)
        part.replace(out)
    return out


def _events(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass  # the line being written
    return out


def _at(event: dict[str, object]) -> float:
    return datetime.fromisoformat(str(event["time"])).timestamp()


def measure(iso: Path, extra_vars: list[str], timeout: float = FETCH_TIMEOUT) -> tuple[float, bool]:
    """One build of the shipped Debian template: seconds from QEMU start to the preseed read,
    and whether pybuild typed a boot_command before it (its ``boot_command_typed`` event)."""
    with tempfile.TemporaryDirectory(prefix="pb-bench-zk-") as tmp:
        t = Path(tmp)
        for d in ("http", "scripts", "templates"):
            shutil.copytree(ROOT / d, t / d)
        work = t / "w"
        work.mkdir()
        events = work / "events.jsonl"
        env = {**os.environ, "PYBUILD_ACCELERATOR": "tcg", "PYTHONPATH": str(ROOT)}
        argv = [sys.executable, "-m", "builder.cli", "build", "-on-error=cleanup", "--log-json", str(events),
                "-var", f"iso_url={iso}", "-var", "iso_checksum=none", *extra_vars,
                str(t / "templates" / TEMPLATE.name)]
        with open(work / "pybuild.out", "w") as fh:
            proc = subprocess.Popen(argv, cwd=work, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        seconds, typed = None, False
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None and seconds is None:
                evs = _events(events)
                started = [e for e in evs if e["event"] == "qemu_started"]
                read = [e for e in evs if e["event"] == "http_request" and e.get("path") == "/preseed.cfg"
                        and e.get("status") == 200]
                if started and read:
                    seconds = _at(read[0]) - _at(started[0])
                    typed = any(e["event"] == "boot_command_typed" for e in evs)
                time.sleep(0.5)
        finally:
            interrupt(proc)
        if seconds is None:
            tail = (work / "pybuild.out").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the installer never read /preseed.cfg ({extra_vars}):\n{tail}")
        return seconds, typed


def run(runs: int, quick: bool) -> Part:
    part = Part("zerokey", "9. Zero typed keys: QEMU start → installer has read its preseed", runs, quick,
                started=now(), load=[load1()])
    t0 = time.perf_counter()
    iso = bench_iso()
    legs: dict[str, list[str]] = {"keys": [], "kernel": ["-var", "boot_method=kernel"],
                                  "remaster": ["-var", "boot_method=remaster"]}
    times: dict[str, list[float]] = {k: [] for k in legs}
    typed: dict[str, int] = dict.fromkeys(legs, 0)
    for i in range(runs):
        for name, extra in legs.items():
            seconds, was_typed = measure(iso, extra)
            times[name].append(seconds)
            typed[name] += was_typed
            print(f"  run {i + 1}/{runs} {name}: {times[name][-1]:.1f} s", flush=True)
    base = Stat(times["keys"])
    rows = []
    how = {"keys": "boot_command typed over VNC after boot_wait 5s (baseline: Packer's way)",
           "kernel": "-var boot_method=kernel: installer kernel booted directly, url= on its command line",
           "remaster": "-var boot_method=remaster: the ISO's own boot menus edited, url= on their command line"}
    for name, values in times.items():
        s = Stat(values)
        rows.append([name, how[name], s.fmt(1, " s"), "1.00" if name == "keys" else f"{s.median / base.median:.2f}",
                     f"{typed[name]}/{runs}"])
    part.tables.append(Table("Shipped Debian 12 template, real Debian 12 installer (TCG)",
                             ["leg", "how", "QEMU start → preseed read", "vs keys", "runs with a boot_command typed"],
                             rows))
    kernel = Stat(times["kernel"])
    part.goals.append(Goal("kernel boot reads the preseed sooner than the typed boot_command",
                           kernel.median < base.median,
                           f"{kernel.median:.1f} s vs {base.median:.1f} s"))
    rem = Stat(times["remaster"])
    part.goals.append(Goal("remastered boot menu reads the preseed sooner than the typed boot_command",
                           rem.median < base.median, f"{rem.median:.1f} s vs {base.median:.1f} s"))
    part.notes.append("the time includes the installer's own start (kernel, initrd, DHCP) in every leg; the keys "
                      "leg adds boot_wait, the boot menu and the typing; the remaster leg's xorriso copy runs "
                      "before QEMU starts")
    rows2, notes2 = remaster_leg(runs)
    part.tables.append(Table("Debian's CD layout remastered (isolinux on BIOS, GRUB on UEFI), QEMU start → "
                             "preseed early_command (TCG)", HEADERS, rows2))
    part.notes += notes2
    part.seconds = time.perf_counter() - t0
    part.load.append(load1())
    return part


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(run(n, n == 1).text())
