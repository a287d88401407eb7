"""Part 3 — post-processing: pybuild's clean + compact chain against plain conversions.

Input: a fresh copy of the cached Debian 12 base image (qcow2, 2 GiB virtual) per run.

- **pybuild chain**: the ``virt-sysprep`` post-processor, then ``virt-sparsify`` with
  ``compress = true`` (what templates/debian12-cloud.pkr.hcl runs): ``virt-sparsify
  --in-place`` then ``qemu-img convert -c``. Run in-process through the post-processor
  classes; once with the default zlib, once with ``compression_type = "zstd"``.
- baselines: ``qemu-img convert -O qcow2 -c`` (zlib, then zstd) of the same copy;
  ``virt-sparsify --compress`` (the libguestfs way; the size reference of the goal).

Throughput = input file size / wall time. libguestfs runs under TCG here
(``LIBGUESTFS_BACKEND_SETTINGS=force_tcg``: nested KVM hangs guests on this machine).
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import Goal, Part, Stat, Table, load1, now
from bench.orchestration import base_image
from builder import run as runmod
from builder.config import parse_config
from builder.plugins import Artifact, PostProcessContext
from builder.post_processors.virt_sparsify import VirtSparsify
from builder.post_processors.virt_sysprep import VirtSysprep
from builder.ui import UI


def _ctx(work: Path) -> PostProcessContext:
    return PostProcessContext(build_name="bench.pp", build_type="bench",
                              ui=UI(out=io.StringIO()).for_build("bench"), template_dir=work)


def _artifact(disk: Path) -> Artifact:
    return Artifact("bench", "pp", files=[disk], data={"diskPaths": [str(disk)]})


def pybuild_chain(disk: Path, work: Path, compression: str) -> tuple[float, float, float, int]:
    """(sysprep s, sparsify+compress s, total s, output bytes)."""
    ctx = _ctx(work)
    sysprep = VirtSysprep(parse_config(VirtSysprep.Config, {}, component="virt-sysprep"))
    sparsify = VirtSparsify(parse_config(VirtSparsify.Config, {"compress": True, "compression_type": compression},
                                         component="virt-sparsify"))
    t0 = time.perf_counter()
    art = sysprep.post_process(ctx, _artifact(disk)).artifact
    t1 = time.perf_counter()
    art = sparsify.post_process(ctx, art).artifact
    t2 = time.perf_counter()
    out = Path(art.data.get("diskPaths", [art.files[0]])[0])
    return t1 - t0, t2 - t1, t2 - t0, out.stat().st_size


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    runmod.run(argv, env=env, timeout=3600, cancel=None)
    return time.perf_counter() - t0


def run(runs: int, quick: bool) -> Part:
    part = Part("postprocess", "3. Post-processing: sysprep + sparsify + compress vs qemu-img convert -c",
                runs, quick, started=now(), load=[load1()])
    t_start = time.perf_counter()
    image = base_image()
    in_size = image.stat().st_size
    rows_t: dict[str, list[float]] = {}
    rows_s: dict[str, list[int]] = {}
    stages: dict[str, list[float]] = {"sysprep": [], "sparsify": []}
    chains = ["zlib"] if quick else ["zlib", "zstd"]

    def add(name: str, secs: float, size: int) -> None:
        rows_t.setdefault(name, []).append(secs)
        rows_s.setdefault(name, []).append(size)

    with tempfile.TemporaryDirectory(prefix="pybuild-bench-pp-", dir="/var/tmp") as td:
        work = Path(td)
        src = work / "in.qcow2"
        for i in range(runs):
            shutil.copyfile(image, src)
            for name, extra in (("qemu-img convert -c (zlib)", []),
                                ("qemu-img convert -c (zstd)", ["-o", "compression_type=zstd"])):
                out = work / "out.qcow2"
                secs = timed(["qemu-img", "convert", "-O", "qcow2", "-c", *extra, str(src), str(out)])
                add(name, secs, out.stat().st_size)
                out.unlink()
            out = work / "out.qcow2"
            secs = timed(["virt-sparsify", "--compress", "--format", "qcow2", str(src), str(out)],
                         env=runmod.libguestfs_env())
            add("virt-sparsify --compress", secs, out.stat().st_size)
            out.unlink()
            for comp in chains:
                disk = work / "chain.qcow2"
                shutil.copyfile(image, disk)
                sp, sz, total, size = pybuild_chain(disk, work, comp)
                add(f"pybuild: virt-sysprep + virt-sparsify compress ({comp})", total, size)
                if comp == "zlib":
                    stages["sysprep"].append(sp)
                    stages["sparsify"].append(sz)
                disk.unlink(missing_ok=True)
            print(f"  run {i + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in rows_t.items()), flush=True)
    base = Stat(rows_t["qemu-img convert -c (zlib)"]).median
    rows = []
    for name, ts in rows_t.items():
        st, sizes = Stat(ts), Stat([float(s) for s in rows_s[name]])
        rows.append([name, st.fmt(1, " s"), f"{in_size / 2**20 / st.median:.0f}", f"{100 * base / st.median:.0f} %",
                     f"{sizes.median / 2**20:.0f} MiB"])
    part.tables.append(Table(f"Same input: {in_size / 2**20:.0f} MiB qcow2 (2 GiB virtual), a fresh copy per run",
                             ["what", "time", "MiB/s (input)", "throughput vs convert zlib", "output size"], rows))
    part.tables.append(Table("pybuild chain (zlib) by stage", ["stage", "time"],
                             [["virt-sysprep (libguestfs appliance, TCG)", Stat(stages["sysprep"]).fmt(1, " s")],
                              ["virt-sparsify --in-place + qemu-img convert -c", Stat(stages["sparsify"]).fmt(1, " s")]]))
    chain = Stat(rows_t["pybuild: virt-sysprep + virt-sparsify compress (zlib)"])
    ref_size = Stat([float(s) for s in rows_s["virt-sparsify --compress"]]).median
    sizes_ok = {c: Stat([float(s) for s in rows_s[f"pybuild: virt-sysprep + virt-sparsify compress ({c})"]]).median
                for c in chains}
    ratio = base / chain.median
    part.goals.append(Goal(
        "chain ≥ 80 % of plain `qemu-img convert -c` throughput", ratio >= 0.8,
        f"{100 * ratio:.0f} %: the chain is convert + two libguestfs appliance boots (virt-sysprep, "
        f"virt-sparsify --in-place, {Stat(stages['sysprep']).median:.0f} s and "
        f"{Stat(stages['sparsify']).median:.0f} s incl. the convert) and under TCG each appliance boot alone "
        "costs more than the whole convert; the convert inside the chain is the same qemu-img call, so "
        "the gap is the cleaning itself, not pybuild's orchestration (with KVM an appliance boots in ~3 s)"))
    for c, out_size in sizes_ok.items():
        part.goals.append(Goal(f"output ({c}) no larger than `virt-sparsify --compress`",
                               out_size <= ref_size * 1.001,
                               f"{out_size / 2**20:.1f} MiB vs {ref_size / 2**20:.1f} MiB"))
    part.notes.append("pybuild's virt-sparsify post-processor runs `virt-sparsify --in-place` (discard free "
                      "blocks) then one `qemu-img convert -c`, instead of `virt-sparsify --compress`, which "
                      "zero-fills free space through the appliance and then copies.")
    part.seconds = time.perf_counter() - t_start
    part.load.append(load1())
    return part
