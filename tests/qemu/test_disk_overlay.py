"""disk_image builds start from a qcow2 overlay over the source (no copy) when the final
convert runs anyway; that convert flattens it: same content, no backing file. Real qemu-img."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.config import parse_config
from builder.errors import ConfigError
from builder.plugins import BuildContext
from builder.qemu.config import QemuConfig
from builder.qemu.state import QemuState
from builder.steps.convert import StepConvertDisk
from builder.steps.disk import StepCopyDisk, StepCreateDisk, StepResizeDisk, flatten_later
from builder.ui import UI


def info(path: Path) -> dict:
    return json.loads(subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)], check=True,
                                     capture_output=True, text=True).stdout)


def qemu_io(path: Path, cmd: str) -> None:
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", cmd, str(path)], check=True, capture_output=True)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    if shutil.which("qemu-io") is None:
        pytest.fail("qemu-io missing (qemu-utils)")
    src = tmp_path / "src.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(src), "64M"], check=True, capture_output=True)
    qemu_io(src, "write -P 0xab 0 4M")
    qemu_io(src, "write -P 0xcd 32M 1M")
    return src


def state_for(tmp_path: Path, src: Path, **kw) -> QemuState:
    raw = {"iso_url": str(src), "iso_checksum": "none", "ssh_username": "root", "headless": True,
           "disk_image": True, "disk_size": "128M", **kw}
    cfg = parse_config(QemuConfig, raw, component='source "qemu.t"')
    ctx = BuildContext(build_name="qemu.t", build_type="qemu", ui=UI(out=io.StringIO()).for_build("qemu.t"),
                       template_dir=tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    st = QemuState(cfg=cfg, ctx=ctx, build_name="qemu.t", source_name="t", vm_name="packer-t", output_dir=out,
                   private_dir=tmp_path)
    st.iso_path = src
    return st


def build_disk(st: QemuState) -> Path:
    for step in (StepCreateDisk(), StepCopyDisk(), StepResizeDisk()):
        step.run(st)
    return st.disk_paths[0]


def test_overlay_then_flattening_convert_gives_the_same_disk(tmp_path: Path, source: Path):
    st = state_for(tmp_path, source)
    assert flatten_later(st.cfg)
    disk = build_disk(st)
    i = info(disk)
    assert i["backing-filename"] == str(source.resolve()) and i["virtual-size"] == 128 * 2**20
    assert disk.stat().st_size < 2**20  # no copy of the 5 MiB of data
    qemu_io(disk, "write -P 0xef 100M 1M")  # the "guest" writes, also beyond the source's end
    qemu_io(disk, "write -z 0 1M")  # and zeroes some of the source's data
    StepConvertDisk().run(st)
    i = info(disk)
    assert "backing-filename" not in i and i["format"] == "qcow2"
    # the same disk made the old way: a full copy, resized, the same writes
    ref = tmp_path / "ref.qcow2"
    shutil.copyfile(source, ref)
    subprocess.run(["qemu-img", "resize", str(ref), "128M"], check=True, capture_output=True)
    qemu_io(ref, "write -P 0xef 100M 1M")
    qemu_io(ref, "write -z 0 1M")
    r = subprocess.run(["qemu-img", "compare", str(ref), str(disk)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # the check above can fail: a disk that misses a write differs
    qemu_io(ref, "write -P 0x01 50M 64k")
    assert subprocess.run(["qemu-img", "compare", str(ref), str(disk)], capture_output=True).returncode == 1


@pytest.mark.parametrize("opts", [{"skip_compaction": True}, {"qemu_img_args": {"convert": ["-o", "compat=1.1"]}},
                                  {"format": "raw"}])
def test_a_copy_where_no_convert_would_flatten(tmp_path: Path, source: Path, opts):
    st = state_for(tmp_path, source, **opts)
    assert not flatten_later(st.cfg)
    disk = build_disk(st)
    assert "backing-filename" not in info(disk)
    assert subprocess.run(["qemu-img", "compare", str(source), str(disk)], capture_output=True).returncode == 0


def test_use_backing_file_keeps_its_overlay(tmp_path: Path, source: Path):
    st = state_for(tmp_path, source, use_backing_file=True)
    assert not flatten_later(st.cfg)
    disk = build_disk(st)
    StepConvertDisk().run(st)  # does nothing: the output is meant to keep its backing file
    assert info(disk)["backing-filename"] == str(source.resolve())


@pytest.mark.parametrize("kind", ["zstd", "zlib", ""])
def test_final_convert_compresses_with_the_chosen_algorithm(tmp_path: Path, source: Path, kind: str):
    st = state_for(tmp_path, source, disk_compression=True, disk_compression_type=kind)
    assert flatten_later(st.cfg)  # still an overlay: the compressing convert flattens it too
    disk = build_disk(st)
    StepConvertDisk().run(st)
    i = info(disk)
    assert "backing-filename" not in i
    assert i["format-specific"]["data"]["compression-type"] == (kind or "zlib")  # zlib: qemu-img's default
    assert subprocess.run(["qemu-img", "compare", str(source), str(disk)], capture_output=True).returncode == 0


def test_compression_type_needs_compression():
    with pytest.raises(ConfigError, match="disk_compression_type: only with disk_compression = true"):
        parse_config(QemuConfig, {"iso_url": "x.qcow2", "iso_checksum": "none", "ssh_username": "root",
                                  "disk_compression_type": "zstd"}, component='source "qemu.t"')
