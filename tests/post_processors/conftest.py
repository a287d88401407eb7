"""Helpers for the post-processor tests: a context with a captured UI, small real disk
images made with qemu-img/qemu-io, and artifacts shaped like the qemu builder's.

The Glance fixtures (``glance_server``, ``glance_factory``...) come from the
``tests.fixtures.glance`` plugin, the base image from ``tests.fixtures.images``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from builder import secrets
from builder.cancel import TOKEN
from builder.config import parse_config
from builder.plugins import REGISTRY, Artifact, PostProcessContext, PostProcessor
from builder.run import run
from builder.ui import UI


class Captured(io.StringIO):
    @property
    def text(self) -> str:
        return self.getvalue()


@pytest.fixture
def out() -> Captured:
    return Captured()


@pytest.fixture
def ctx(tmp_path: Path, out: Captured) -> PostProcessContext:
    return PostProcessContext(build_name="qemu.debian", build_type="qemu",
                              ui=UI(out=out).for_build("qemu.debian"), template_dir=tmp_path,
                              variables={"flavor": "cloud"}, cancel=TOKEN)


@pytest.fixture(autouse=True)
def _reset_cancel_and_secrets() -> Iterator[None]:
    TOKEN.reset()
    yield
    TOKEN.reset()
    secrets.clear()


def make_pp(type_name: str, **raw: Any) -> PostProcessor[Any]:
    """Load the component through the registry and parse its config like a template does."""
    cls = REGISTRY.get("post-processor", type_name)
    cfg = parse_config(cls.Config, raw, component=f'post-processor "{type_name}"')
    pp = cls(cfg)
    assert isinstance(pp, PostProcessor)
    return pp


def qemu_artifact(disk: Path, fmt: str = "qcow2") -> Artifact:
    return Artifact(builder_id="transcend.qemu", id="VM", files=[disk], directory=disk.parent,
                    data={"diskName": disk.name, "diskPaths": [str(disk)], "diskType": fmt,
                          "diskSize": "64M", "domainType": "tcg"})


@pytest.fixture
def small_disk(tmp_path: Path) -> Callable[..., Path]:
    """``small_disk(name, fmt, size, writes)``: a real image with some patterned data."""

    def make(name: str = "disk.qcow2", fmt: str = "qcow2", size: str = "64M",
             writes: tuple[tuple[int, str, str], ...] = ((0x5A, "0", "1M"), (0x33, "8M", "2M"))) -> Path:
        d = tmp_path / "output-debian"
        d.mkdir(exist_ok=True)
        p = d / name
        run(["qemu-img", "create", "-q", "-f", fmt, str(p), size])
        for pattern, off, length in writes:
            run(["qemu-io", "-f", fmt, "-c", f"write -P {pattern} {off} {length}", str(p)])
        return p

    return make
