"""Files a post-processor names (virt-sysprep ``firstboot``, virt-customize ``upload``) are
checked with every other configuration error: ``pybuild validate`` and ``pybuild build``
report each missing one at its attribute's file:line:col, all at once, before a build (and
its QEMU) starts. Paths are relative to the template's directory, as at run time."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from builder import cli
from builder.plugins import REGISTRY
from tests.tools import require_tool

TEMPLATE = """\
source "qemu" "t" {
  iso_url          = "disk.qcow2"
  iso_checksum     = "none"
  disk_image       = true
  communicator     = "none"
  shutdown_timeout = "5s"
  accelerator      = "tcg"
}
build {
  sources = ["source.qemu.t"]
  post-processor "virt-sysprep" {
    firstboot = ["present.sh", "missing.sh"]
  }
  post-processor "virt-customize" {
    upload = ["files/present.cfg:/etc/x.cfg", "files/absent.cfg:/etc/y.cfg"]
  }
}
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    qemu_img = require_tool("qemu-img", hint="apt-get install qemu-utils")
    d = tmp_path / "tpl"
    (d / "files").mkdir(parents=True)
    (d / "present.sh").write_text("#!/bin/sh\n")
    (d / "files" / "present.cfg").write_text("x\n")
    subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", str(d / "disk.qcow2"), "16M"], check=True)
    t = d / "t.pkr.hcl"
    t.write_text(TEMPLATE)
    return t


def _missing_file_errors(out: str) -> list[str]:
    """(file line col, what) of each missing-file error, in the order printed."""
    return re.findall(r"(firstboot: script missing\.sh not found|upload: files/absent\.cfg not found)"
                      r"\s*\n\s*\n\s*on (\S+) line (\d+) \(column (\d+)\)", out)


def _run(tmp_path: Path, monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)  # not the template's directory: paths are relative to the template
    monkeypatch.setenv("PYBUILD_FAILURE_DIR", str(tmp_path / "failures"))
    monkeypatch.setenv("PYBUILD_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYBUILD_HOSTCHECK", "0")  # this host's libguestfs is not the question
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    text = out + err
    assert rc != 0, text
    assert "present" not in text  # the files that exist are fine
    return rc, text


def _expected(template: Path) -> list[tuple[str, str, str, str]]:
    return [("firstboot: script missing.sh not found", str(template), "12", "5"),
            ("upload: files/absent.cfg not found", str(template), "15", "5")]


def test_validate_reports_every_missing_file_at_its_attribute(template: Path, tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    _, text = _run(tmp_path, monkeypatch, capsys, "validate", str(template))
    assert _missing_file_errors(text) == _expected(template), text


def test_build_fails_on_a_missing_file_before_any_build_starts(template: Path, tmp_path: Path, monkeypatch,
                                                               capsys) -> None:
    _, text = _run(tmp_path, monkeypatch, capsys, "build", str(template))
    assert _missing_file_errors(text) == _expected(template), text
    assert "Starting build" not in text  # no build started, so no QEMU either
    assert not (tmp_path / "output-t").exists()


def test_the_checks_read_the_template_directory(tmp_path: Path) -> None:
    from builder.config import parse_config

    cls = REGISTRY.get("post-processor", "virt-sysprep", None)
    pp = cls(parse_config(cls.Config, {"firstboot": ["a.sh"]}, component="virt-sysprep"))
    assert pp.check(tmp_path) == ["firstboot: script a.sh not found"]
    (tmp_path / "a.sh").write_text("")
    assert pp.check(tmp_path) == []
