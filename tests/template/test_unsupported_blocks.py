"""What pybuild leaves out is said clearly: Windows blocks (``powershell``,
``windows-restart``, ``windows-update``, ``communicator = "winrm"``) get one located error
each, reported at once with every other error of the template (an unknown block never
hides the rest); ``-except=NAME`` skips a provisioner or post-processor pybuild lacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from builder.errors import TemplateError
from builder.template.loader import load

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = """\
source "null" "linux" {
  communicator = "none"
}
source "null" "windows" {
  communicator = "winrm"
}
bulid {}
data "amazon-ami" "base" {}
build {
  sources = ["source.null.linux", "source.null.windows"]
  provisioner "powershell" {
    inline = ["Write-Host hello"]
  }
  provisioner "windows-restart" {}
  provisioner "windows-update" {
    name = "patch"
  }
  provisioner "shell-local" {
    inlien = ["echo ${var.nope}"]
  }
  provisioner "shell-local" {
    inline = ["echo linux"]
  }
  post-processor "vsphere-template" {
    name = "publish"
  }
}
"""

WINDOWS = "Windows guests are not supported yet"


def _write(tmp_path: Path, text: str = TEMPLATE) -> Path:
    p = tmp_path / "win.pkr.hcl"
    p.write_text(text)
    return p


def test_every_unsupported_block_and_every_other_error_at_once(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        load(str(_write(tmp_path)), env={}, check_components=True)
    got = [(d.location.line, d.location.col, d.summary) for d in info.value.diagnostics]
    assert got == [
        (5, 3, 'communicator "winrm" is for Windows guests'),
        (7, 1, "Unsupported block type"),
        (8, 1, 'Unknown data source type "amazon-ami"'),
        (11, 3, 'provisioner "powershell" is for Windows guests'),
        (14, 3, 'provisioner "windows-restart" is for Windows guests'),
        (15, 3, 'provisioner "windows-update" is for Windows guests'),
        (19, 23, "Reference to undeclared input variable"),
        (24, 3, 'Unknown post-processor type "vsphere-template"'),
    ], got
    windows = [d for d in info.value.diagnostics if "Windows guests" in d.summary]
    assert len(windows) == 4 and all(WINDOWS in d.detail and "-except=NAME" in d.detail for d in windows)


def test_a_bad_option_is_reported_with_the_unsupported_blocks(tmp_path: Path) -> None:
    text = TEMPLATE.replace("${var.nope}", "ok")
    with pytest.raises(TemplateError) as info:
        load(str(_write(tmp_path, text)), env={}, check_components=True)
    summaries = [d.summary for d in info.value.diagnostics]
    assert 'Unsupported argument "inlien" in provisioner "shell-local"' in summaries
    assert 'provisioner "powershell" is for Windows guests' in summaries
    assert 'provisioner "shell-local": Command, Inline, Script and Scripts options cannot all be empty.' in summaries
    assert len(summaries) == 9, summaries


def test_inspect_reads_a_windows_template_without_checking_components(tmp_path: Path) -> None:
    text = TEMPLATE.replace("bulid {}\n", "").replace('data "amazon-ami" "base" {}\n', "").replace(
        "${var.nope}", "ok")
    tpl = load(str(_write(tmp_path, text)), env={})
    assert [p.type for p in tpl.builds[0].provisioners][:3] == ["powershell", "windows-restart", "windows-update"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)


def test_except_skips_blocks_pybuild_lacks_with_a_warning(tmp_path: Path) -> None:
    text = TEMPLATE.replace("bulid {}\n", "").replace('data "amazon-ami" "base" {}\n', "").replace(
        'inlien = ["echo ${var.nope}"]', 'inline = ["echo ${source.name} > ${path.root}/${source.name}.txt"]')
    p = _write(tmp_path, text)
    r = _cli("validate", str(p))
    assert r.returncode != 0 and r.stdout.count(WINDOWS) + r.stderr.count(WINDOWS) == 4, r.stdout + r.stderr
    # by type, by name (windows-update is named "patch", the post-processor "publish"), by build
    skip = "-except=powershell,windows-restart,patch,publish,null.windows"
    r = _cli("validate", skip, str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    for what in ('provisioner "powershell" at', 'provisioner "windows-restart" at', 'provisioner "patch" at',
                 'post-processor "publish" at'):
        assert f"Warning: Skipping {what} {p}:" in r.stderr, r.stderr
    assert f'Skipping provisioner "powershell" at {p}:9:3 (-except)' in r.stderr
    r = _cli("build", skip, str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "linux.txt").read_text() == "linux\n"
    assert not (tmp_path / "windows.txt").exists()
    assert "powershell" not in r.stdout and "Provisioning with shell-local" in r.stdout
