"""Part 3 — post-processing: every way pybuild cleans + compacts + compresses an image,
side by side in one run, against a bare ``qemu-img convert -c`` (zstd) of the same image.

Input: a real build guest. ``bench/templates/postprocess.pkr.hcl`` boots the cached Debian
12 base image twice, with the same provisioning (64 MiB of random data written then
deleted, shell history, a log, /tmp files, a package in apt's cache), one build after the
other: ``plain`` is left as the build made it (the input of every virt-* variant and of the
baselines, a fresh copy each), ``gs`` cleans itself with the ``guest-sysprep`` provisioner
(fstrim through a ``discard=unmap`` build disk). Both outputs are flattened, uncompressed.

Variants (pybuild's post-processor classes, run in-process):

- **baseline**: ``qemu-img convert -O qcow2 -c -o compression_type=zstd`` (no cleaning);
  the same with zlib; ``virt-sparsify --compress`` (no cleaning: the size reference);
- **two-boot chain**: ``virt-sysprep`` then ``virt-sparsify compress = true`` as pybuild ran
  them before (virt-sysprep boot, virt-sparsify --in-place boot, convert -c);
- **one-appliance chain**: the same two post-processors fused (``VirtSysprep.fuse_next``,
  what a build does when they are neighbours in a chain): virt-sysprep trims as its last
  command, then only the convert; zlib and zstd;
- **in-guest**: the guest-sysprep provisioner's time (from the build's events) + the
  convert -c of the ``gs`` disk; zlib and zstd.

Each output's ``clean`` verdict is ``pybuild verify``'s offline check (guestfish).
libguestfs and the guests run under TCG here (nested KVM hangs guests on this machine).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT, Goal, Part, Stat, Table, load1, now
from bench.orchestration import base_image
from builder import run as runmod
from builder.config import parse_config
from builder.plugins import Artifact, PostProcessContext
from builder.post_processors.virt_sparsify import VirtSparsify
from builder.post_processors.virt_sysprep import VirtSysprep
from builder.ui import UI
from builder.verify.checks import check_clean

TEMPLATE = ROOT / "bench" / "templates" / "postprocess.pkr.hcl"
BASELINE = "qemu-img convert -c zstd (baseline, no cleaning)"
SPARSIFY = "virt-sparsify --compress (no cleaning)"
GOAL_RATIO = 1.5


def _ctx(work: Path) -> PostProcessContext:
    return PostProcessContext(build_name="bench.pp", build_type="bench",
                              ui=UI(out=io.StringIO()).for_build("bench"), template_dir=work)


def _artifact(disk: Path) -> Artifact:
    return Artifact("bench", "pp", files=[disk], data={"diskPaths": [str(disk)]})


def chain(disk: Path, work: Path, compression: str, fused: bool) -> None:
    """virt-sysprep (default operations) then virt-sparsify compress = true, on ``disk``."""
    ctx = _ctx(work)
    sysprep = VirtSysprep(parse_config(VirtSysprep.Config, {}, component="virt-sysprep"))
    sparsify = VirtSparsify(parse_config(VirtSparsify.Config, {"compress": True, "compression_type": compression},
                                         component="virt-sparsify"))
    if fused:
        assert sysprep.fuse_next(sparsify)
    art = sysprep.post_process(ctx, _artifact(disk)).artifact
    sparsify.post_process(ctx, art)


def convert(src: Path, out: Path, compression: str) -> None:
    runmod.run(["qemu-img", "convert", "-O", "qcow2", "-c", "-o", f"compression_type={compression}",
                str(src), str(out)], timeout=3600)


def build_inputs(work: Path) -> tuple[Path, Path, float, float]:
    """(plain disk, gs disk, guest-sysprep seconds, whole build seconds) from one pybuild run."""
    base = work / "base.qcow2"
    shutil.copyfile(base_image(), base)
    events = work / "events.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYBUILD_ACCELERATOR="tcg", PYBUILD_NO_PROGRESS="1")
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "builder.cli", "build", "--log-json", str(events),
                        "-parallel-builds=1", "-var", f"base_image={base}", str(TEMPLATE)],
                       cwd=work, env=env, capture_output=True, text=True, timeout=5400)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"the input build failed:\n{p.stdout[-4000:]}\n{p.stderr[-2000:]}")
    ev = [json.loads(line) for line in events.read_text().splitlines()]
    gs_secs = next(e["duration"] for e in ev if e.get("event") == "provisioner_end"
                   and e.get("provisioner") == "guest-sysprep")
    return work / "output-plain" / "packer-plain", work / "output-gs" / "packer-gs", float(gs_secs), secs


def run(runs: int, quick: bool) -> Part:
    part = Part("postprocess", "3. Post-processing: clean + sparsify + compress, every variant vs a bare "
                "zstd qemu-img convert -c", runs, quick, started=now(), load=[load1()])
    t_start = time.perf_counter()
    times: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    verdicts: dict[str, tuple[bool, str]] = {}
    kinds = ["zlib"] if quick else ["zlib", "zstd"]

    with tempfile.TemporaryDirectory(prefix="pybuild-bench-pp-", dir="/var/tmp") as td:
        work = Path(td)
        plain, gs, gs_secs, build_secs = build_inputs(work)
        in_size = plain.stat().st_size
        print(f"  inputs built in {build_secs:.0f} s; guest-sysprep ran {gs_secs:.1f} s in the guest", flush=True)
        dirty_verdict = check_clean(plain)

        def timed(name: str, fn: Callable[[Path], None], *, copy: bool = True, cleaned: bool = True,
                  extra: float = 0.0) -> None:
            out = work / "out.qcow2"
            if copy:
                shutil.copyfile(plain, out)
            t0 = time.perf_counter()
            fn(out)
            times.setdefault(name, []).append(time.perf_counter() - t0 + extra)
            sizes[name] = out.stat().st_size
            if name not in verdicts:
                verdicts[name] = check_clean(out) if cleaned else dirty_verdict
            out.unlink()

        for i in range(runs):
            timed(BASELINE, lambda o: convert(plain, o, "zstd"), copy=False, cleaned=False)
            timed("qemu-img convert -c zlib (no cleaning)", lambda o: convert(plain, o, "zlib"), copy=False,
                  cleaned=False)
            timed(SPARSIFY, lambda o: runmod.run(["virt-sparsify", "--compress", "--format", "qcow2", str(plain),
                                                  str(o)], env=runmod.libguestfs_env(), timeout=3600),
                  copy=False, cleaned=False)
            timed("two-boot chain: virt-sysprep, virt-sparsify (zlib)", lambda o: chain(o, work, "zlib", False))
            for k in kinds:
                timed(f"one-appliance chain: virt-sysprep + trim, convert -c {k}", lambda o, k=k: chain(o, work, k, True))
            for k in kinds:
                timed(f"in-guest guest-sysprep + convert -c {k}", lambda o, k=k: convert(gs, o, k), copy=False,
                      extra=gs_secs)
            print(f"  run {i + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items()), flush=True)

    base = Stat(times[BASELINE]).median
    ref = sizes[SPARSIFY]
    rows = []
    for name, ts in times.items():
        st = Stat(ts)
        ok, why = verdicts[name]
        rows.append([name, st.fmt(1, " s"), f"{st.median / base:.2f}×", f"{sizes[name] / 2**20:.1f} MiB",
                     f"{100 * sizes[name] / ref:.0f} %", ("clean" if ok else "NOT clean: " + why[:90])])
    part.tables.append(Table(
        f"Same build guest ({in_size / 2**20:.0f} MiB qcow2, 3 GiB virtual); baseline: {BASELINE}",
        ["variant", "time", "time vs baseline", "output", "size vs virt-sparsify --compress", "verify clean"],
        rows))
    part.notes.append(f"in-guest rows: the guest-sysprep provisioner's own time in the running guest "
                      f"({gs_secs:.1f} s, shell + fstrim) plus the convert -c of the gs build's disk (the "
                      "build's final convert, which runs anyway, compresses instead of only flattening); its "
                      "input is a second boot of the same base with the same provisioning")
    part.notes.append("the no-cleaning rows keep the dirty input's verdict (they do not change files)")
    cleaned = [n for n in times if verdicts[n][0] and sizes[n] <= ref * 1.001]
    meets = [n for n in cleaned if Stat(times[n]).median <= GOAL_RATIO * base]
    best = min(cleaned, key=lambda n: Stat(times[n]).median) if cleaned else ""
    part.goals.append(Goal(
        f"clean + sparsify + compress within {GOAL_RATIO}× of a bare zstd convert -c, clean, output no larger "
        "than virt-sparsify --compress", bool(meets),
        ("met by: " + "; ".join(f"{n} ({Stat(times[n]).median / base:.2f}×)" for n in meets)) if meets else
        (f"fastest clean variant: {best} at {Stat(times[best]).median / base:.2f}×" if best else "no clean variant")))
    fused, two = ("one-appliance chain: virt-sysprep + trim, convert -c zlib",
                  "two-boot chain: virt-sysprep, virt-sparsify (zlib)")
    part.goals.append(Goal(
        "one-appliance chain faster than the two-boot chain, output no larger",
        Stat(times[fused]).median < Stat(times[two]).median and sizes[fused] <= sizes[two] * 1.001,
        f"{Stat(times[fused]).median:.1f} s vs {Stat(times[two]).median:.1f} s, "
        f"{sizes[fused] / 2**20:.1f} vs {sizes[two] / 2**20:.1f} MiB"))
    part.seconds = time.perf_counter() - t_start
    part.load.append(load1())
    return part
