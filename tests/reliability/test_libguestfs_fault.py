"""libguestfs failing under a post-processor: the real virt-sysprep on a disk without an
operating system, and a virt-sysprep that exits 1 (a PATH shim). Each ends in a
PybuildError naming the tool and its error, with no child process and no temp file left."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from builder import secrets
from builder.cancel import TOKEN
from builder.config import parse_config
from builder.errors import PybuildError
from builder.plugins import REGISTRY, Artifact, PostProcessContext, PostProcessor
from builder.run import run
from builder.ui import UI


def _ctx(tmp_path: Path) -> PostProcessContext:
    return PostProcessContext(build_name="qemu.rel", build_type="qemu", ui=UI(out=open(os.devnull, "w")).for_build(
        "qemu.rel"), template_dir=tmp_path, variables={}, cancel=TOKEN)


def _sysprep() -> PostProcessor:  # type: ignore[type-arg]
    cls = REGISTRY.get("post-processor", "virt-sysprep")
    pp = cls(parse_config(cls.Config, {}, component='post-processor "virt-sysprep"'))
    assert isinstance(pp, PostProcessor)
    return pp


def _artifact(disk: Path) -> Artifact:
    return Artifact(builder_id="transcend.qemu", id="VM", files=[disk], directory=disk.parent,
                    data={"diskName": disk.name, "diskPaths": [str(disk)], "diskType": "qcow2",
                          "diskSize": "64M", "domainType": "tcg"})


@pytest.fixture
def blank_disk(tmp_path: Path) -> Path:
    d = tmp_path / "output-rel"
    d.mkdir()
    disk = d / "rel.qcow2"
    run(["qemu-img", "create", "-q", "-f", "qcow2", str(disk), "64M"])
    return disk


def _descendants() -> set[str]:
    """This process's children (session fixtures such as sshd or Glance are among them,
    so the tests compare against a set taken before the action)."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(os.getpid())], capture_output=True, text=True)
    return {ln for ln in out.stdout.splitlines() if "ps -o" not in ln}


def _our_tmp_dirs() -> set[str]:
    """pybuild's temp dirs owned by this process (each holds a ``pid`` file)."""
    found = set()
    for d in Path("/tmp").glob("pybuild-*"):
        try:
            if int((d / "pid").read_text().strip()) == os.getpid():
                found.add(d.name)
        except (OSError, ValueError):
            continue
    return found


@pytest.fixture(autouse=True)
def _reset() -> None:
    TOKEN.reset()
    yield
    TOKEN.reset()
    secrets.clear()


@pytest.mark.slow
def test_real_virt_sysprep_on_a_disk_without_os(blank_disk: Path, tmp_path: Path) -> None:
    before = set(blank_disk.parent.iterdir())
    children = _descendants()
    with pytest.raises(PybuildError) as ei:
        _sysprep().post_process(_ctx(tmp_path), _artifact(blank_disk))
    msg = ei.value.render()
    assert "virt-sysprep" in msg, msg
    # the tool's own reason reaches the user (not only "exit code 1")
    # the one-line summary of libguestfs's "no operating systems were found"
    assert "found no operating system on the disk" in msg.lower(), msg
    assert set(blank_disk.parent.iterdir()) == before  # no partial/temp files beside the disk
    assert _our_tmp_dirs() == set()
    assert _descendants() - children == set()


def test_virt_sysprep_exiting_1(blank_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shim = tmp_path / "bin"
    shim.mkdir()
    tool = shim / "virt-sysprep"
    tool.write_text("#!/bin/sh\necho 'libguestfs: error: simulated appliance failure' >&2\nexit 1\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}:{os.environ['PATH']}")
    before = set(blank_disk.parent.iterdir())
    children = _descendants()
    with pytest.raises(PybuildError) as ei:
        _sysprep().post_process(_ctx(tmp_path), _artifact(blank_disk))
    msg = ei.value.render()
    assert "virt-sysprep" in msg and "simulated appliance failure" in msg, msg
    assert set(blank_disk.parent.iterdir()) == before
    assert _our_tmp_dirs() == set()
    assert _descendants() - children == set()
