"""Replays the fuzz corpus (``corpus/<target>/``): inputs that found bugs or sit on edge
cases. Each must end in success or a PybuildError diagnostic, quickly."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fuzz_util import corpus_cases

from builder.bootcommand.grammar import parse
from builder.errors import PybuildError
from builder.httpserver import HTTPConfig, render_http
from builder.media import parse_checksum_file
from builder.template.console import console_eval
from builder.template.loader import load

DECLS = Path(__file__).with_name("test_fuzz_template.py")

def _ids(cases: list[Path]) -> list[str]:
    return [c.name for c in cases]

def _ends_cleanly(fn, *args, **kw) -> None:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    try:
        fn(*args, **kw)
    except PybuildError as e:
        assert e.render()  # a diagnostic that renders
    assert time.monotonic() - t0 < 30

@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBUILD_HCL_CACHE", "0")

@pytest.mark.parametrize("case", corpus_cases("template-load"), ids=_ids(corpus_cases("template-load")))
def test_template_load(case: Path, tmp_path: Path) -> None:
    dst = tmp_path / "t.pkr.hcl"
    dst.write_bytes(case.read_bytes())
    _ends_cleanly(load, str(dst), env={})

@pytest.mark.parametrize("case", corpus_cases("var-files"), ids=_ids(corpus_cases("var-files")))
def test_var_file(case: Path, tmp_path: Path) -> None:
    from test_fuzz_template import DECLS as decls

    (tmp_path / "t.pkr.hcl").write_text(decls)
    dst = tmp_path / case.name
    dst.write_bytes(case.read_bytes())
    _ends_cleanly(load, str(tmp_path / "t.pkr.hcl"), var_files=[str(dst)], env={})

@pytest.mark.parametrize("case", corpus_cases("console-eval"), ids=_ids(corpus_cases("console-eval")))
def test_console_eval(case: Path) -> None:
    _ends_cleanly(console_eval, None, case.read_text(encoding="utf-8"))

@pytest.mark.parametrize("case", corpus_cases("boot-command"), ids=_ids(corpus_cases("boot-command")))
def test_boot_command(case: Path) -> None:
    _ends_cleanly(parse, case.read_text(encoding="utf-8"))

@pytest.mark.parametrize("case", corpus_cases("checksum-file"), ids=_ids(corpus_cases("checksum-file")))
def test_checksum_file(case: Path) -> None:
    _ends_cleanly(parse_checksum_file, case.read_text(encoding="utf-8", errors="replace"), "image.iso")


@pytest.mark.parametrize("case", corpus_cases("http-content"), ids=_ids(corpus_cases("http-content")))
def test_http_content(case: Path, tmp_path: Path) -> None:
    content = json.loads(case.read_text())
    _ends_cleanly(render_http, HTTPConfig(http_content=content), {}, tmp_path / "out", base_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
