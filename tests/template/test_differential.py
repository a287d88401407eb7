"""Differential test: pybuild's expression evaluation against Packer 1.6.6.

Every expression in ``differential_cases.txt`` is evaluated twice:

* by Packer 1.6.6 (Debian's ``packer`` package), in ONE ``packer console`` run:
  the console prints only the last result when fed from a pipe, so all cases go
  on one line as ``jsonencode([try(jsonencode([E1]), MARK), ...])``; an
  expression that fails becomes MARK.  Wrapping each value in a one-element
  list lets ``null`` results through (1.6.6's jsonencode refuses a bare null).
  Should a static error (which try() does not catch) sink the batch, the batch is
  split in halves until the culprit is found, and it counts as an error;
* by pybuild, through ``builder.template.console.console_eval`` with the same
  template, evaluating ``jsonencode([E])`` per case.

Both results are compared as JSON values; "both fail" counts as agreement.
Lines marked ``#! reason`` are cases where 1.6.6 differs from modern Packer (or
where arbitrary-precision numbers differ from binary floats); they are reported,
not asserted.

Without Packer installed the test skips, unless CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tools import require_tool

CASES_FILE = Path(__file__).with_name("differential_cases.txt")
MARK = "__PYBUILD_DIFF_ERROR__"

TEMPLATE = """\
variable "region" {
  type    = string
  default = "eu-west-1"
}

locals {
  greeting = "hello"
  nums     = [3, 1, 2]
  tags     = { b = "bee", a = "ay" }
}

source "null" "x" {
  communicator = "none"
}

build {
  sources = ["source.null.x"]
}
"""


@dataclass(frozen=True)
class Case:
    expr: str
    excluded: str  # reason, or "" when the case is asserted
    line: int


def load_cases() -> list[Case]:
    cases = []
    for n, raw in enumerate(CASES_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        expr, _, reason = raw.partition("  #! ")
        cases.append(Case(expr.strip(), reason.strip(), n))
    return cases


CASES = load_cases()


def _packer_or_skip() -> str:
    return require_tool("packer", hint="apt-get install -y packer gives 1.6.6")


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("differential")
    path = d / "console.pkr.hcl"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def _run_packer(packer: str, template: Path, exprs: list[str]) -> list[object] | None:
    """One `packer console` run for all expressions; None if the batch as a whole fails.

    The console only prints the last result when fed from a pipe, so every case goes
    on one line.  try() turns runtime errors into MARK; a static error (syntax, an
    unknown variable) fails the whole line instead.
    """
    workdir = template.parent
    line = "jsonencode([" + ", ".join(f'try(jsonencode([{e}]), "{MARK}")' for e in exprs) + "])"
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=str(workdir / "packer_cache"))
    env.pop("PACKER_LOG", None)
    proc = subprocess.run(
        [packer, "console", str(template)],
        input=line + "\n", capture_output=True, text=True, env=env, cwd=workdir, timeout=120,
    )
    if proc.returncode != 0 or not proc.stdout.strip().startswith("["):
        return None
    results = json.loads(proc.stdout.strip())
    assert len(results) == len(exprs)
    return [r if r == MARK else json.loads(r) for r in results]


def _run_packer_split(packer: str, template: Path, exprs: list[str]) -> list[object]:
    """Like _run_packer, but isolates expressions that make the whole batch fail."""
    got = _run_packer(packer, template, exprs)
    if got is not None:
        return got
    if len(exprs) == 1:
        return [MARK]
    half = len(exprs) // 2
    return _run_packer_split(packer, template, exprs[:half]) + _run_packer_split(packer, template, exprs[half:])


@pytest.fixture(scope="module")
def packer_results(template_path: Path) -> list[object]:
    packer = _packer_or_skip()
    return _run_packer_split(packer, template_path, [c.expr for c in CASES])


@pytest.fixture(scope="module")
def pybuild_results(template_path: Path) -> list[object]:
    from builder.errors import TemplateError
    from builder.template.console import console_eval
    from builder.template.loader import load

    cwd = os.getcwd()
    os.chdir(template_path.parent)
    try:
        template = load(str(template_path))
        out: list[object] = []
        for c in CASES:
            try:
                out.append(json.loads(console_eval(template, f"jsonencode([{c.expr}])")))
            except TemplateError:
                out.append(MARK)
        return out
    finally:
        os.chdir(cwd)


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def test_case_file_is_big_enough() -> None:
    assert len(CASES) >= 150
    assert len({c.expr for c in CASES}) == len(CASES), "duplicate expressions in the case file"


def test_pybuild_agrees_with_packer_166(
    packer_results: list[object], pybuild_results: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    mismatches = []
    agree = 0
    excluded_report = []
    for case, theirs, ours in zip(CASES, packer_results, pybuild_results, strict=True):
        same = _same(theirs, ours)
        if case.excluded:
            excluded_report.append(
                f"  line {case.line}: {case.expr}\n    packer={theirs!r} pybuild={ours!r}"
                f" ({'agrees anyway' if same else case.excluded})"
            )
            continue
        if same:
            agree += 1
        else:
            mismatches.append(f"line {case.line}: {case.expr}\n    packer 1.6.6: {theirs!r}\n    pybuild:      {ours!r}")
    asserted = len(CASES) - len(excluded_report)
    with capsys.disabled():
        print(f"\ndifferential: {agree}/{asserted} asserted cases agree with Packer 1.6.6; "
              f"{len(excluded_report)} excluded")
    assert not mismatches, f"{len(mismatches)} of {asserted} cases differ:\n" + "\n".join(mismatches)


def test_exclusions_still_differ(packer_results: list[object], pybuild_results: list[object]) -> None:
    """An excluded case that now agrees should lose its exclusion."""
    stale = [c.expr for c, a, b in zip(CASES, packer_results, pybuild_results, strict=True)
             if c.excluded and _same(a, b)]
    assert not stale, f"these excluded cases agree now; remove their '#!' marks: {stale}"
