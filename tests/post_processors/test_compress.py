"""``compress`` post-processor: Packer's format detection, and real round trips through
each format's own command-line tool (gzip, xz, zstd, lz4, bgzip, unzip, tar); memory
stays flat for a large sparse input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from builder.config import ConfigError
from builder.errors import BuildError
from builder.plugins import Artifact
from builder.post_processors.compress import Plan, detect
from tests.post_processors.conftest import make_pp
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("output", "fmt", "plan"), [
    ("packer_{{.BuildName}}_{{.BuilderType}}", "", Plan("tar", "gzip")),  # Packer's default
    ("out/img.tar.gz", "", Plan("tar", "gzip")),
    ("out/img.tgz", "", Plan("tar", "gzip")),  # unknown extension: tar + gzip
    ("out/img.tar", "", Plan("tar", "")),
    ("out/img.zip", "", Plan("zip", "")),
    ("out/img.gz", "", Plan("", "gzip")),
    ("out/img.qcow2.gz", "", Plan("", "gzip")),
    ("out/img.lz4", "", Plan("", "lz4")),
    ("out/img.tar.lz4", "", Plan("tar", "lz4")),
    ("out/img.bgzf", "", Plan("", "bgzf")),
    ("out/img.xz", "", Plan("", "xz")),
    ("out/img.tar.xz", "", Plan("tar", "xz")),
    ("out/img.zst", "", Plan("", "zstd")),
    ("out/img.tar.zst", "", Plan("tar", "zstd")),
    ("out/img", "zst", Plan("", "zstd")),  # format overrides (appended for detection only)
    ("out/img.gz", "tar.xz", Plan("tar", "xz")),
])
def test_format_is_detected_as_packer_does(output: str, fmt: str, plan: Plan) -> None:
    assert detect(output, fmt) == plan


def _need(tool: str) -> str:
    return require_tool(tool, hint="dev/setup installs it")


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    d = tmp_path / "output-debian"
    d.mkdir()
    disk = d / "disk.qcow2"
    with open(disk, "wb") as f:  # compressible, incompressible and text parts, over 2 BGZF blocks
        f.write(os.urandom(300_000))
        f.write(b"\0" * 1_000_000)
        f.write(b"line of text\n" * 50_000)
    efi = d / "efivars.fd"
    efi.write_bytes(os.urandom(1000) + b"\xff" * 65536)
    return [disk, efi]


def _artifact(files: list[Path]) -> Artifact:
    return Artifact(builder_id="transcend.qemu", id="VM", files=files, directory=files[0].parent)


SINGLE = [  # extension, command that writes the decompressed file to stdout
    ("gz", ["gzip", "-dc"]),
    ("xz", ["xz", "-dc"]),
    ("zst", ["zstd", "-dc"]),
    ("lz4", ["lz4", "-dc"]),
    ("bgzf", ["bgzip", "-dc"]),
]


@pytest.mark.parametrize(("ext", "cmd"), SINGLE, ids=[e for e, _ in SINGLE])
def test_single_file_round_trip_with_the_formats_own_tool(ctx, inputs, tmp_path, ext, cmd) -> None:
    _need(cmd[0])
    out = tmp_path / "dist" / f"{{{{.BuildName}}}}-{{{{.BuilderType}}}}.qcow2.{ext}"
    res = make_pp("compress", output=str(out), compression_level=9).post_process(ctx, _artifact(inputs[:1]))
    target = tmp_path / "dist" / f"debian-qemu.qcow2.{ext}"
    assert res.artifact.files == [target] and not res.keep
    assert res.artifact.builder_id == "packer.post-processor.compress"
    assert target.stat().st_size < inputs[0].stat().st_size
    got = subprocess.run([*cmd, str(target)], capture_output=True, check=True).stdout
    assert got == inputs[0].read_bytes()


def test_bgzf_is_real_bgzf(ctx, inputs, tmp_path) -> None:
    _need("bgzip")
    target = tmp_path / "img.bgzf"
    make_pp("compress", output=str(target)).post_process(ctx, _artifact(inputs[:1]))
    # bgzip's own check reads the BC block sizes and the EOF marker; plain gzip reads it too
    subprocess.run(["bgzip", "-t", str(target)], check=True, capture_output=True)
    assert subprocess.run(["gzip", "-dc", str(target)], capture_output=True, check=True).stdout == \
        inputs[0].read_bytes()
    data = target.read_bytes()
    assert data[12:16] == b"BC\x02\x00" and data.endswith(bytes.fromhex("1f8b0804") + bytes(4) + b"\0\xff\x06\0BC\x02\0"
                                                          + bytes.fromhex("1b0003000000000000000000"))


TARS = [
    ("tar.gz", ["tar", "-xzf"]),
    ("tgz", ["tar", "-xzf"]),
    ("tar", ["tar", "-xf"]),
    ("tar.xz", ["tar", "-xJf"]),
    ("tar.zst", ["tar", "--zstd", "-xf"]),
    ("tar.lz4", ["tar", "-I", "lz4", "-xf"]),
]


@pytest.mark.parametrize(("ext", "cmd"), TARS, ids=[e for e, _ in TARS])
def test_tarball_round_trip_with_tar(ctx, inputs, tmp_path, ext, cmd) -> None:
    _need("tar")
    _need("zstd" if "zst" in ext else "lz4" if "lz4" in ext else "gzip")
    target = tmp_path / f"box.{ext}"
    make_pp("compress", output=str(target)).post_process(ctx, _artifact(inputs))
    dest = tmp_path / "x"
    dest.mkdir()
    subprocess.run([*cmd, str(target), "-C", str(dest)], check=True, capture_output=True)
    assert sorted(p.name for p in dest.iterdir()) == ["disk.qcow2", "efivars.fd"]  # base names, as Packer
    for f in inputs:
        assert (dest / f.name).read_bytes() == f.read_bytes()


def test_zip_round_trip_with_unzip(ctx, inputs, tmp_path, monkeypatch) -> None:
    _need("unzip")
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "box.zip"
    make_pp("compress", output=str(target), compression_level=1).post_process(ctx, _artifact(inputs))
    subprocess.run(["unzip", "-tq", str(target)], check=True, capture_output=True)
    listing = subprocess.run(["unzip", "-Z1", str(target)], check=True, capture_output=True, text=True).stdout
    assert listing.split() == ["output-debian/disk.qcow2", "output-debian/efivars.fd"]  # paths as given
    got = subprocess.run(["unzip", "-p", str(target), "output-debian/disk.qcow2"], check=True,
                         capture_output=True).stdout
    assert got == inputs[0].read_bytes()


def test_format_override_and_level_rules(ctx, inputs, tmp_path) -> None:
    _need("zstd")
    target = tmp_path / "image"
    make_pp("compress", output=str(target), format="zst", compression_level=42).post_process(
        ctx, _artifact(inputs[:1]))
    assert subprocess.run(["zstd", "-dc", str(target)], capture_output=True, check=True).stdout == \
        inputs[0].read_bytes()
    with pytest.raises(ConfigError) as info:
        make_pp("compress", compression_level=-2)
    assert "Expected an integer from -1 to 9" in info.value.render()


def test_several_files_need_an_archive_format(ctx, inputs, tmp_path) -> None:
    with pytest.raises(BuildError, match="can only have 1 input file when not using tar/zip"):
        make_pp("compress", output=str(tmp_path / "x.gz")).post_process(ctx, _artifact(inputs))
    assert not (tmp_path / "x.gz").exists()


_RSS_CHILD = r"""
import resource, sys
from pathlib import Path
from builder.cancel import TOKEN
from builder.config import parse_config
from builder.plugins import Artifact, PostProcessContext
from builder.post_processors.compress import Compress, CompressConfig
from builder.ui import UI
import io
src, out, level = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = PostProcessContext(build_name="qemu.x", build_type="qemu", ui=UI(out=io.StringIO()).for_build("qemu.x"),
                         template_dir=src.parent, cancel=TOKEN)
cfg = parse_config(CompressConfig, {"output": out, "compression_level": level}, component="compress")
Compress(cfg).post_process(ctx, Artifact(builder_id="t", id="t", files=[src]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_kib(src: Path, out: Path, level: int) -> int:
    p = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(src), str(out), str(level)], cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                       timeout=600, check=True)
    return int(p.stdout.split()[-1])


@pytest.mark.parametrize("ext", ["tar.gz", "zst", "lz4", "bgzf", "zip"])
def test_memory_stays_flat_for_a_large_sparse_input(tmp_path, ext) -> None:
    small, big = tmp_path / "small.raw", tmp_path / "big.raw"
    for p, size in ((small, 8 << 20), (big, 256 << 20)):
        with open(p, "wb") as f:
            f.write(os.urandom(1 << 20))  # some real data, the rest a hole
            f.truncate(size)
    base = _peak_rss_kib(small, tmp_path / f"s.{ext}", 1)
    peak = _peak_rss_kib(big, tmp_path / f"b.{ext}", 1)
    assert (tmp_path / f"b.{ext}").stat().st_size < 20 << 20
    # 32x the input, under 24 MiB more memory (zstd's worker threads have their own buffers)
    assert peak - base < 24 * 1024, (base, peak)


def test_bench_prints_the_comparison_table(tmp_path) -> None:
    _need("gzip")
    _need("zstd")
    p = subprocess.run([sys.executable, "bench/compress_bench.py", "--size-mib", "2", "--formats", "gz,zst"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[1].split()[:3] == ["format", "pybuild", "MB/s"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert set(rows) == {"gz", "zst"}
    assert all(float(r[1]) > 0 and float(r[2]) > 0 for r in rows.values())
