#!/usr/bin/env python3
"""Throughput of the ``compress`` post-processor against each format's own command-line tool.

One input file (default 64 MiB: a quarter random bytes, half zeros, a quarter text, in
64 KiB pieces, roughly like a disk image) is compressed once per format by pybuild's
post-processor (in this process, as a build runs it) and by the CLI tool at the same level
(same thread count where the tool has a choice). The table gives MB/s of input and the
output sizes; the best of ``--runs`` runs counts.

    python bench/compress_bench.py [--size-mib 64] [--runs 1] [--formats gz,zst]

Short by design (a few seconds per format at 64 MiB): compare runs made under similar load.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.cancel import TOKEN  # noqa: E402
from builder.config import parse_config  # noqa: E402
from builder.plugins import Artifact, PostProcessContext  # noqa: E402
from builder.post_processors.compress import Compress, CompressConfig  # noqa: E402
from builder.ui import UI  # noqa: E402

LEVEL = 6
# extension -> CLI writing the compressed input to stdout (None: the tool writes a file)
TOOLS: dict[str, list[str]] = {
    "gz": ["gzip", f"-{LEVEL}", "-c"],
    "bgzf": ["bgzip", "-l", str(LEVEL), "-@", "1", "-c"],
    "xz": ["xz", f"-{LEVEL}", "-T1", "-c"],
    "zst": ["zstd", f"-{LEVEL}", "-T0", "-q", "-c"],
    "lz4": ["lz4", f"-{LEVEL}", "-q", "-c"],  # Packer's rule: a level above 0 means high compression
    "tar.gz": ["tar", "-cz", "-f", "-"],
    "zip": ["zip", f"-{LEVEL}", "-q", "-"],
}


def make_input(path: Path, size: int) -> None:
    text = (b"the quick brown fox jumps over the lazy dog 0123456789\n" * 1200)[:65536]
    piece = 65536
    with open(path, "wb") as f:
        for i in range(size // piece):
            k = i % 4
            f.write(os.urandom(piece) if k == 0 else text if k == 1 else bytes(piece))


def run_pybuild(src: Path, out: Path, level: int) -> float:
    ctx = PostProcessContext(build_name="qemu.bench", build_type="qemu", ui=UI(out=io.StringIO()).for_build("b"),
                             template_dir=src.parent, cancel=TOKEN)
    cfg = parse_config(CompressConfig, {"output": str(out), "compression_level": level}, component="compress")
    t0 = time.perf_counter()
    Compress(cfg).post_process(ctx, Artifact(builder_id="bench", id="bench", files=[src]))
    return time.perf_counter() - t0


def run_cli(ext: str, src: Path, out: Path) -> float | None:
    argv = TOOLS[ext]
    if shutil.which(argv[0]) is None:
        return None
    if ext == "tar.gz":
        argv = [*argv, "-C", str(src.parent), src.name]
    elif ext == "zip":
        argv = [*argv, str(src)]
    else:
        argv = [*argv, str(src)]
    t0 = time.perf_counter()
    with open(out, "wb") as f:
        env = {k: v for k, v in os.environ.items() if k not in ("GZIP", "XZ_OPT", "ZSTD_CLEVEL", "ZSTD_NBTHREADS")}
        subprocess.run(argv, stdout=f, check=True, env=env)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=64)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--formats", default=",".join(TOOLS))
    args = ap.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    size = args.size_mib << 20
    print(f"input {args.size_mib} MiB, level {LEVEL}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="compress-bench-") as d:
        src = Path(d) / "disk.raw"
        make_input(src, size)
        for ext in formats:
            ours = Path(d) / f"ours.{ext}"
            theirs = Path(d) / f"cli.{ext}"
            t_ours = min(run_pybuild(src, ours, LEVEL) for _ in range(args.runs))
            t_cli_runs = [run_cli(ext, src, theirs) for _ in range(args.runs)]
            t_cli = None if None in t_cli_runs else min(t for t in t_cli_runs if t is not None)
            rows.append((ext, size / t_ours / 1e6, ours.stat().st_size,
                         size / t_cli / 1e6 if t_cli else None, theirs.stat().st_size if t_cli else None))
            ours.unlink()
            theirs.unlink(missing_ok=True)
    print(f"{'format':<8} {'pybuild MB/s':>13} {'CLI MB/s':>9} {'pybuild/CLI':>12} {'pybuild size':>13} "
          f"{'CLI size':>10}")
    for ext, ours_mbs, ours_size, cli_mbs, cli_size in rows:
        cli = f"{cli_mbs:9.1f}" if cli_mbs else f"{'n/a':>9}"
        ratio = f"{ours_mbs / cli_mbs:12.2f}" if cli_mbs else f"{'':>12}"
        csize = f"{cli_size:10d}" if cli_size else f"{'':>10}"
        print(f"{ext:<8} {ours_mbs:13.1f} {cli} {ratio} {ours_size:13d} {csize}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
