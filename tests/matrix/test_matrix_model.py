"""The matrix file, its graph, validation and the one-host run (fast: null-builder cells)."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from builder.cli import main
from builder.errors import TemplateError
from builder.matrix.cell import build_argv
from builder.matrix.loader import load_matrix
from builder.matrix.local import run_local
from builder.matrix.validate import validate_matrix

GOOD = '''
defaults {
  timeout = "10m"
}
cell "base" {
  template = "null.pkr.hcl"
  vars     = { msg = "base", fail = false }
  clouds   = ["lab/RegionOne"]
}
cell "derived" {
  template   = "null.pkr.hcl"
  depends_on = ["base"]
  kvm        = true
  disk_gb    = 1
}
cell "arm" {
  template = "./null.pkr.hcl"
  arch     = "aarch64"
  only     = ["null.n"]
}
'''


def _write(d: Path, text: str) -> str:
    p = d / "matrix.hcl"
    p.write_text(text)
    return str(p)


def test_good_matrix_model(mdir: Path) -> None:
    m = load_matrix(_write(mdir, GOOD))
    assert m.order() == ["base", "derived", "arm"]
    assert m.levels() == [["base", "arm"], ["derived"]]
    assert {n: c.route for n, c in m.cells.items()} == {"base": "x86_64", "derived": "x86_64-kvm", "arm": "aarch64"}
    base = m.cells["base"]
    assert base.template == str(mdir / "null.pkr.hcl")
    assert base.vars == {"msg": "base", "fail": "false"}
    assert base.timeout == 600.0 and m.cells["arm"].timeout == 600.0  # from defaults
    assert base.clouds == ("lab/RegionOne",)
    assert m.cells["derived"].disk_gb == 1 and m.is_forest()
    assert m.subset(["derived"]).order() == ["base", "derived"]


def test_errors_all_at_once_with_locations(mdir: Path) -> None:
    path = _write(mdir, '''cell "a" {
  template = "missing.pkr.hcl"
  arch     = "sparc"
  colour   = "blue"
}
cell "b" {
  template = "null.pkr.hcl"
  timeout  = "soon"
}
cell "a" {
  template = "null.pkr.hcl"
}
oops "x" {}
''')
    with pytest.raises(TemplateError) as ei:
        load_matrix(path)
    got = {(d.summary, d.location.line if d.location else 0) for d in ei.value.diagnostics}
    assert got == {
        ("Template not found", 2), ('Invalid value for "arch"', 3), ("Unsupported argument", 4),
        ('Invalid value for "timeout"', 8), ("Duplicate cell", 10), ('Unsupported block type "oops"', 13),
    }
    text = ei.value.render()
    assert f"{path} line 3" in text and 'Did you mean' not in text.split("colour")[0][-5:]


def test_unknown_dependency_and_cycles(mdir: Path) -> None:
    path = _write(mdir, '''cell "a" {
  template   = "null.pkr.hcl"
  depends_on = ["c"]
}
cell "b" {
  template   = "null.pkr.hcl"
  depends_on = ["a"]
}
cell "c" {
  template   = "null.pkr.hcl"
  depends_on = ["b"]
}
cell "d" {
  template   = "null.pkr.hcl"
  depends_on = ["bb"]
}
''')
    with pytest.raises(TemplateError) as ei:
        load_matrix(path)
    [d] = ei.value.diagnostics  # the cycle is checked once names resolve
    assert d.summary == "Unknown dependency" and d.location is not None and d.location.line == 15
    assert 'Did you mean "b"' in d.detail
    (mdir / "matrix.hcl").write_text((mdir / "matrix.hcl").read_text().replace('"bb"', '"a"'))
    with pytest.raises(TemplateError) as ei:
        load_matrix(path)
    [d] = ei.value.diagnostics
    assert d.summary == "Dependency cycle" and "a → c → b → a" in d.detail


def test_diamond_runs_in_levels(mdir: Path) -> None:
    m = load_matrix(_write(mdir, '''
cell "a" { template = "null.pkr.hcl" }
cell "b" { template = "null.pkr.hcl" }
cell "c" {
  template   = "null.pkr.hcl"
  depends_on = ["a", "b"]
}
'''))
    assert not m.is_forest() and m.levels() == [["a", "b"], ["c"]]


def test_build_argv(mdir: Path) -> None:
    c = load_matrix(_write(mdir, GOOD)).cells["arm"]
    argv = build_argv(c, mdir / "arm")
    assert argv[:5] == [sys.executable, "-m", "builder.cli", "build", "-force"]
    assert argv[-3:] == ["-only", "null.n", str(mdir / "null.pkr.hcl")]


def test_validate_reports_every_cell(mdir: Path) -> None:
    path = _write(mdir, '''
cell "ok" { template = "null.pkr.hcl" }
cell "badvar" {
  template = "null.pkr.hcl"
  vars     = { nosuch = "1", fail = "maybe" }
}
cell "secret" {
  template = "null.pkr.hcl"
  vars     = { password = "hunter2" }
}
cell "noonly" {
  template = "null.pkr.hcl"
  only     = ["qemu.*"]
}
''')
    with pytest.raises(TemplateError) as ei:
        validate_matrix(load_matrix(path))
    cells = {d.summary.split('"')[1] for d in ei.value.diagnostics}
    assert cells == {"badvar", "secret", "noonly"}
    text = ei.value.render()
    assert 'variable "password" is sensitive' in text and "PKR_VAR_password" in text
    assert "hunter2" not in text


def test_local_run_failure_skips_only_dependants(mdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(mdir, '''
cell "base" { template = "null.pkr.hcl" }
cell "bad" {
  template = "null.pkr.hcl"
  vars     = { fail = true }
}
cell "after-bad" {
  template   = "null.pkr.hcl"
  depends_on = ["bad"]
}
cell "after-after-bad" {
  template   = "null.pkr.hcl"
  depends_on = ["after-bad"]
}
cell "after-base" {
  template   = "null.pkr.hcl"
  depends_on = ["base"]
  vars       = { msg = "derived" }
}
''')
    runs = mdir / "runs"
    rc = main(["matrix", "run", "--parallel", "2", "--runs-dir", str(runs), "--run-id", "r1", path])
    assert rc == 1
    summary = json.loads((runs / "r1" / "summary.json").read_text())
    status = {c["name"]: c["status"] for c in summary["cells"]}
    assert status == {"base": "ok", "bad": "failed", "after-bad": "skipped", "after-after-bad": "skipped",
                      "after-base": "ok"}
    cells = {c["name"]: c for c in summary["cells"]}
    assert cells["after-base"]["started"] >= cells["base"]["finished"]
    assert "cell says derived" in Path(cells["after-base"]["log"]).read_text()
    assert cells["bad"]["returncode"] == 1 and "non-zero exit status: 3" in cells["bad"]["error"]
    assert "depends on after-bad" in cells["after-after-bad"]["error"]
    suite = ET.parse(runs / "r1" / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "1", "2")
    assert "after-base" in capsys.readouterr().out


def test_local_timeout(mdir: Path) -> None:
    (mdir / "slow.pkr.hcl").write_text('''
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["sleep 60"]
  }
}
''')
    m = load_matrix(_write(mdir, 'cell "slow" {\n  template = "slow.pkr.hcl"\n  timeout  = "2s"\n}\n'))
    [r] = run_local(m, mdir / "work")
    assert r.status == "timeout" and 1.5 < r.duration < 20


def test_plan_output(mdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "plan", _write(mdir, GOOD)]) == 0
    out = capsys.readouterr().out
    lines = {ln.split()[1]: ln.split() for ln in out.splitlines() if ln[:1].isdigit()}
    assert lines["derived"][2:5] == ["1", "x86_64-kvm", "base"]
    assert lines["arm"][3] == "aarch64"
    assert "aarch64 (1 cell), x86_64 (1 cell), x86_64-kvm (1 cell)" in out


ROOT = Path(__file__).resolve().parents[2]


def test_readme_example_is_the_shipped_matrix_and_valid(capsys: pytest.CaptureFixture[str]) -> None:
    example = ROOT / "templates" / "nightly.matrix.hcl"
    assert example.read_text() in (ROOT / "README.md").read_text()
    assert main(["matrix", "validate", str(example)]) == 0
    assert "The matrix is valid (3 cells)." in capsys.readouterr().out


def test_broker_url_required(monkeypatch: pytest.MonkeyPatch, mdir: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PYBUILD_BROKER_URL", raising=False)
    assert main(["worker", "--queues", "x86_64"]) == 2
    assert main(["matrix", "run", _write(mdir, GOOD), "--celery"]) == 2
    err = capsys.readouterr().err
    assert "pybuild worker needs --broker URL" in err and "--celery needs a broker URL" in err
    # `--celery FILE`: argparse takes the file for the URL and says the file is missing
    with pytest.raises(SystemExit):
        main(["matrix", "run", "--celery", _write(mdir, GOOD)])
    assert "required: file" in capsys.readouterr().err
    assert main(["matrix", "run", "--celery", "localhost:6379", _write(mdir, GOOD)]) == 2
    assert "--celery takes a broker URL (redis://...), not" in capsys.readouterr().err


def test_rerun_failed_keeps_what_succeeded(mdir: Path) -> None:
    flag = mdir / "network-is-back"
    (mdir / "flaky.pkr.hcl").write_text(f'''
source "null" "n" {{
  communicator = "none"
}}
build {{
  sources = ["source.null.n"]
  provisioner "shell-local" {{
    inline = ["test -f {flag}"]
  }}
}}
''')
    path = _write(mdir, '''
cell "base" { template = "null.pkr.hcl" }
cell "flaky" {
  template   = "flaky.pkr.hcl"
  depends_on = ["base"]
}
cell "after-flaky" {
  template   = "null.pkr.hcl"
  depends_on = ["flaky"]
}
''')
    runs = mdir / "runs"
    assert main(["matrix", "run", "--runs-dir", str(runs), "--run-id", "r1", path]) == 1
    flag.write_text("")
    assert main(["matrix", "rerun", "--failed", "r1", "--runs-dir", str(runs), "--run-id", "r2"]) == 0
    summary = json.loads((runs / "r2" / "summary.json").read_text())
    assert summary["rerun_of"] == "r1" and summary["ok"] is True
    assert {c["name"]: (c["status"], c["run_id"]) for c in summary["cells"]} == {
        "base": ("ok", "r1"), "flaky": ("ok", "r2"), "after-flaky": ("ok", "r2")}
    assert sorted(p.name for p in (runs / "r2" / "cells").iterdir()) == ["after-flaky", "flaky"]
    assert main(["matrix", "rerun", "--failed", "r2", "--runs-dir", str(runs)]) == 2  # nothing to do


def test_disk_need_checked_before_the_build(mdir: Path) -> None:
    m = load_matrix(_write(mdir, 'cell "huge" {\n  template = "null.pkr.hcl"\n  disk_gb  = 999999999\n}\n'))
    [r] = run_local(m, mdir / "work")
    assert r.status == "failed" and r.returncode is None
    assert r.error.startswith("needs 999999999 GiB free in") and not (mdir / "work" / "huge" / "build.log").exists()
