"""templates/debian12-base.pkr.hcl through the real CLI: validate, typos, and a build."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from builder.run import run

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "debian12-base.pkr.hcl"


def pybuild(*args: str | Path, cwd: Path = REPO, check: bool = True, timeout: float = 120):
    return run([sys.executable, "-m", "builder.cli", *args], cwd=cwd, check=check, timeout=timeout,
               env={"PYTHONPATH": str(REPO)})


def test_template_validates() -> None:
    res = pybuild("validate", TEMPLATE)
    assert "valid" in res.stdout


def test_template_inspect_shows_variables_and_source() -> None:
    out = pybuild("inspect", TEMPLATE).stdout
    for needle in ('var.mirror: ""', 'var.disk_size: "2G"', 'var.output_directory: "output-debian12-base"',
                   'var.vm_name: "debian12-base.qcow2"', "mmdebstrap.debian12-base"):
        assert needle in out, needle


def test_typos_in_a_copy_get_did_you_mean(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pkr.hcl"
    text = TEMPLATE.read_text()
    text = text.replace('  hostname         = "debian"', '  hostnme = "debian"')
    text = text.replace('  format           = "qcow2"', '  format = "vmdk"')
    bad.write_text(text)
    res = pybuild("validate", bad, check=False)
    assert res.returncode != 0
    text = res.stdout + res.stderr
    assert 'Did you mean "hostname"?' in text and "'vmdk' is not one of" in text


@pytest.mark.slow
def test_pybuild_build_makes_the_base_image(tmp_path: Path) -> None:
    """The documented command, end to end: pybuild build → output-debian12-base/debian12-base.qcow2."""
    events = tmp_path / "events.jsonl"
    res = pybuild("build", "--log-json", events, "-var", "disk_size=1536M", TEMPLATE, cwd=tmp_path,
                  timeout=1800)
    disk = tmp_path / "output-debian12-base" / "debian12-base.qcow2"
    assert disk.is_file(), res.stdout[-3000:]
    info = json.loads(run(["qemu-img", "info", "--output=json", disk]).stdout)
    assert info["format"] == "qcow2" and info["virtual-size"] == 1536 << 20
    assert "mmdebstrap done" in res.stdout
    recs = [json.loads(line) for line in events.read_text().splitlines()]
    art = [r for r in recs if r["event"] == "artifact"]
    assert art and art[0]["builder_id"] == "pybuild.mmdebstrap" and art[0]["files"] == [str(disk)]
    # a second build refuses the existing output directory (Packer semantics) and keeps it
    again = pybuild("build", TEMPLATE, cwd=tmp_path, check=False)
    assert again.returncode != 0 and "Output directory exists" in again.stdout + again.stderr
    assert disk.is_file()
