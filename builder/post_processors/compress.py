"""``compress`` post-processor, compatible with Packer's: the artifact's files into one
archive or compressed file at ``output``.

Format, as Packer picks it: from the last two ``.ext`` parts of ``output`` (or of
``output + "." + format`` when ``format`` is set): ``.tar`` / ``.zip`` make an archive;
``.tar.X`` a tarball compressed with X; ``X`` alone compresses the single input file
(more than one file is an error). X is ``gz`` (gzip), ``bgzf`` (blocked gzip, readable
by ``bgzip``), ``lz4``, ``xz`` or ``zst``. Anything else, or no extension at all (the
default ``output`` is ``packer_{{.BuildName}}_{{.BuilderType}}``), is tar + gzip, which
is also what ``.tgz`` gets.

``compression_level``: -1 or 0 mean the default, above 9 means 9, below -1 is an error
(Packer's gzip rules); gzip, bgzf, xz and zstd take it as their level, lz4 switches to its
high-compression mode above 0. Everything streams through fixed-size buffers: memory
stays flat whatever the input size. zstd uses every core (the library's own threads);
the others use one.

Libraries: the standard library for gzip, xz, tar and zip; ``zstandard`` and ``lz4``
(PyPI, the reference bindings of the C libraries) for zstd and lz4. BGZF is written here
(a gzip member per 64 KiB block with a ``BC`` extra field, then the fixed EOF block):
some 30 lines over ``zlib``, where Biopython's writer would pull Biopython and NumPy in.
"""

from __future__ import annotations

import contextlib
import gzip
import lzma
import os
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from builder.config import BaseConfig, opt
from builder.errors import BuildError
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import render

BUILDER_ID = "packer.post-processor.compress"
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}"
CHUNK = 1 << 20
ALGORITHMS = {"gz": "gzip", "lz4": "lz4", "bgzf": "bgzf", "xz": "xz", "zst": "zstd"}
_EXT = re.compile(r"\.([a-z0-9]+)")


@dataclass(kw_only=True)
class CompressConfig(BaseConfig):
    output: str = opt(DEFAULT_OUTPUT, help="Archive path; its extension picks the format (Go template: "
                                           "BuildName, BuilderType and the builder's generated data).")
    format: str = opt("", help="Extension to use instead of output's own (e.g. \"tar.gz\", \"zst\").")
    compression_level: int = opt(-1, help="-1 or 0: the format's default; 1 (fastest) to 9 (smallest).")

    def validate(self) -> list[str]:
        if self.compression_level < -1:
            return ["compression_level: invalid compression level. Expected an integer from -1 to 9."]
        return []


@dataclass(frozen=True)
class Plan:
    archive: str  # "tar", "zip" or "" (compress the one input file)
    algorithm: str  # "gzip", "bgzf", "lz4", "xz", "zstd" or "" (none)


def detect(output: str, fmt: str = "") -> Plan:
    """Packer's reading of the output name (see the module docstring)."""
    exts = _EXT.findall(f"{output}.{fmt}" if fmt else output)
    if not exts:
        return Plan("tar", "gzip")
    last = exts[-1]
    before = exts[-2] if len(exts) > 1 else ""
    if last in ("tar", "zip"):
        return Plan(last, "")
    if last in ALGORITHMS:
        return Plan("tar" if before == "tar" else "", ALGORITHMS[last])
    return Plan("tar", "gzip")


def effective_level(level: int) -> int:
    """-1/0 → -1 (the format's default); capped at 9."""
    return -1 if level in (-1, 0) else min(level, 9)


class BgzfWriter:
    """Blocked GNU Zip: independent gzip members of at most 64 KiB input each, with the
    ``BC`` extra subfield giving the member's size, ended by the standard empty block."""

    BLOCK = 0xFF00  # what bgzip uses: leaves room for incompressible data under 64 KiB
    EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")

    def __init__(self, raw: BinaryIO, level: int = -1):
        self.raw = raw
        self.level = 6 if level < 0 else level
        self.buf = bytearray()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.buf += data
        while len(self.buf) >= self.BLOCK:
            self._block(bytes(self.buf[: self.BLOCK]))
            del self.buf[: self.BLOCK]
        return len(data)

    def _block(self, data: bytes) -> None:
        c = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        body = c.compress(data) + c.flush()
        # header (18 bytes) + deflate data + CRC32 + ISIZE; BSIZE is the total size minus 1
        head = struct.pack("<BBBBIBBHBBHH", 0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, 66, 67, 2, len(body) + 25)
        self.raw.write(head + body + struct.pack("<II", zlib.crc32(data), len(data)))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.buf:
            self._block(bytes(self.buf))
            self.buf.clear()
        self.raw.write(self.EOF)


@contextlib.contextmanager
def compressor(raw: BinaryIO, algorithm: str, level: int) -> Iterator[IO[bytes]]:
    """A writable stream that compresses into ``raw`` (closed, and so finished, on exit)."""
    stream: Any
    if algorithm == "gzip":
        stream = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6 if level < 0 else level, mtime=0)
    elif algorithm == "bgzf":
        stream = BgzfWriter(raw, level)
    elif algorithm == "xz":
        stream = lzma.LZMAFile(raw, "wb", preset=6 if level < 0 else level)  # noqa: SIM115 (closed below)
    elif algorithm == "zstd":
        import zstandard

        zc = zstandard.ZstdCompressor(level=3 if level < 0 else level, threads=-1, write_checksum=True)
        stream = zc.stream_writer(raw, closefd=False)
    elif algorithm == "lz4":
        import lz4.frame

        stream = lz4.frame.LZ4FrameFile(raw, "wb", compression_level=level if level > 0 else 0,
                                        content_checksum=True)
    else:
        yield raw
        return
    try:
        yield stream
    finally:
        stream.close()


def _copy(src: Path, dst: IO[bytes], ctx: PostProcessContext) -> None:
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with open(src, "rb") as f:
        while n := f.readinto(buf):
            ctx.cancel.check()
            dst.write(view[:n])


def _zip_name(path: Path) -> str:
    """Packer stores each file under the path it was given; never an absolute one."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix().lstrip("/")


def write_archive(files: list[Path], out: BinaryIO, plan: Plan, level: int, ctx: PostProcessContext) -> None:
    with compressor(out, plan.algorithm, level) as stream:
        if plan.archive == "tar":
            with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                for f in files:
                    info = tar.gettarinfo(str(f), arcname=f.name)
                    with open(f, "rb") as fh:
                        tar.addfile(info, fh)  # tarfile copies in blocks
                    ctx.cancel.check()
        elif plan.archive == "zip":
            zlevel = None if level < 0 else level
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=zlevel,
                                 allowZip64=True) as zf:
                for f in files:
                    zi = zipfile.ZipInfo.from_file(f, _zip_name(f))
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    with zf.open(zi, "w", force_zip64=True) as dst:
                        _copy(f, dst, ctx)
        else:
            _copy(files[0], stream, ctx)


class Compress(PostProcessor[CompressConfig]):
    Config = CompressConfig
    late_templates = ("output",)  # .BuildName, .BuilderType and the builder's generated data

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        c = self.config
        generated = artifact.data.get("generated_data")
        data = dict(generated) if isinstance(generated, dict) else {}
        target = Path(render(c.output, ctx, data))
        plan = detect(c.output, c.format)  # as Packer: from the output template, not the rendered name
        files = [Path(f) for f in artifact.files]
        if not plan.archive and len(files) != 1:
            raise BuildError(
                f"compress: can only have 1 input file when not using tar/zip (output {target}). "
                f"Found {len(files)} files: {', '.join(map(str, files))}"
            )
        level = effective_level(c.compression_level)
        what = " + ".join(p for p in (plan.archive, plan.algorithm) if p) or "no compression"
        ctx.ui.say(f"Compressing {len(files)} file(s) into {target} ({what})")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "wb") as out:
                write_archive(files, out, plan, level, ctx)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        ctx.ui.say(f"Archive {target} completed ({os.path.getsize(target)} bytes)")
        result = Artifact(builder_id=BUILDER_ID, id=str(target), files=[target],
                          description=f"compressed artifacts in: {target}")
        return PostProcessResult(result, keep=False)


__all__ = ["BgzfWriter", "Compress", "CompressConfig", "Plan", "detect"]
