"""The compiled-AST cache gives the same results as parsing, and never breaks a load."""

from __future__ import annotations

import os

from builder.template import cache
from builder.template.loader import load

TEMPLATE = """
variable "name" {
  default = "x"
}
locals {
  upper = upper(var.name)
  ks    = <<-EOT
    host ${local.upper}
    EOT
}
"""


def _files(d) -> list[str]:
    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]


def test_cache_roundtrip_and_corruption(tmp_path, monkeypatch) -> None:
    cdir = tmp_path / "cache"
    monkeypatch.setenv("PYBUILD_HCL_CACHE_DIR", str(cdir))
    cache._MEMO.clear()
    t = tmp_path / "t.pkr.hcl"
    t.write_text(TEMPLATE)
    first = load(str(t), env={})
    entries = _files(cdir)
    assert len(entries) == 1
    cache._MEMO.clear()
    second = load(str(t), env={})  # from the on-disk cache
    assert second.locals["ks"].value == first.locals["ks"].value == "host X\n"
    assert second.locals["upper"].location == first.locals["upper"].location
    with open(entries[0], "wb") as fh:
        fh.write(b"garbage")
    cache._MEMO.clear()
    assert load(str(t), env={}).locals["upper"].value == "X"


def test_changed_content_is_reparsed(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYBUILD_HCL_CACHE_DIR", str(tmp_path / "cache"))
    t = tmp_path / "t.pkr.hcl"
    t.write_text(TEMPLATE)
    assert load(str(t), env={}).locals["upper"].value == "X"
    t.write_text(TEMPLATE.replace('"x"', '"y"'))
    assert load(str(t), env={}).locals["upper"].value == "Y"


def test_cache_can_be_disabled(tmp_path, monkeypatch) -> None:
    cdir = tmp_path / "cache"
    monkeypatch.setenv("PYBUILD_HCL_CACHE_DIR", str(cdir))
    monkeypatch.setenv("PYBUILD_HCL_CACHE", "0")
    t = tmp_path / "t.pkr.hcl"
    t.write_text(TEMPLATE)
    load(str(t), env={})
    assert not cdir.exists()


def test_unwritable_cache_dir_is_ignored(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PYBUILD_HCL_CACHE_DIR", str(blocker / "sub"))
    t = tmp_path / "t.pkr.hcl"
    t.write_text(TEMPLATE)
    assert load(str(t), env={}).locals["upper"].value == "X"
