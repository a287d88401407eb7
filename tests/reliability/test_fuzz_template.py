"""Fuzzing the template front end: HCL loading, variable files and console expressions.

Each target runs 10,000 generated inputs (derandomized, so CI is reproducible); every
input must end in a Template / a value or a PybuildError diagnostic, never another
exception. Found cases live in ``corpus/`` (replayed by ``test_fuzz_corpus.py``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_util import (
    EXAMPLES,
    FUZZ,
    Counter,
    _func_names,
    gen_expr,
    gen_json_var_file,
    gen_soup,
    gen_template,
    gen_var_file,
)
from hypothesis import given
from hypothesis import strategies as st

from builder.errors import PybuildError
from builder.template.console import console_eval
from builder.template.loader import load

FUNCS = _func_names()

DECLS = """
variable "a" {
  type    = string
  default = "x"
}
variable "l" {
  type    = list(string)
  default = ["p", "q"]
}
variable "m" {
  type    = map(string)
  default = { k = "v" }
}
variable "n" {
  type    = number
  default = 1
}
variable "s" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
source "null" "n" { communicator = "none" }
build { sources = ["source.null.n"] }
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    d = tmp_path_factory.mktemp("fuzz-template")
    (d / "data.txt").write_text("data\n")
    (d / "tpl.pkrtpl").write_text("hello ${name}\n")
    yield d


@pytest.fixture(autouse=True)
def _no_ast_cache(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    # the AST cache would write 10,000 pickles; the fuzzer runs in a scratch directory
    monkeypatch.setenv("PYBUILD_HCL_CACHE", "0")
    monkeypatch.chdir(workdir)


def _load(path: Path, counter: Counter, **kw: object) -> None:
    counter.n += 1
    try:
        load(str(path), env={}, **kw)  # type: ignore[arg-type]
    except PybuildError:
        counter.diagnostics += 1


def test_fuzz_load_templates(workdir: Path) -> None:
    counter = Counter("template-load")
    path = workdir / "fuzz.pkr.hcl"

    @FUZZ
    @given(st.integers(0, 2**32))
    def run(seed: int) -> None:
        rng = random.Random(seed)
        text = gen_template(rng, FUNCS) if rng.random() < 0.8 else gen_soup(rng)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _load(path, counter)

    run()
    counter.report()
    assert counter.n >= EXAMPLES


def test_fuzz_var_files(workdir: Path) -> None:
    counter = Counter("var-files")
    tpl = workdir / "decl.pkr.hcl"
    tpl.write_text(DECLS)
    vf = workdir / "values.pkrvars.hcl"
    vjson = workdir / "values.pkrvars.json"

    @FUZZ
    @given(st.integers(0, 2**32))
    def run(seed: int) -> None:
        rng = random.Random(seed)
        as_json = rng.random() < 0.25
        text = gen_json_var_file(rng, FUNCS) if as_json else gen_var_file(rng, FUNCS)
        cli_vars = {rng.choice(["a", "l", "m", "n", "zz"]): rng.choice(["x", "[1]", "{", "", "1e3", "null"])
                    for _ in range(rng.randint(0, 2))}
        target = vjson if as_json else vf
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        _load(tpl, counter, var_files=[str(target)], vars=cli_vars)

    run()
    counter.report()
    assert counter.n >= EXAMPLES


def test_fuzz_console_expressions(workdir: Path) -> None:
    counter = Counter("console-eval")
    tpl = workdir / "decl.pkr.hcl"
    tpl.write_text(DECLS)
    template = load(str(tpl), env={})

    @FUZZ
    @given(st.integers(0, 2**32), st.one_of(st.none(), st.text(max_size=40)))
    def run(seed: int, raw: str | None) -> None:
        rng = random.Random(seed)
        text = raw if raw is not None and rng.random() < 0.2 else gen_expr(rng, FUNCS, 4)
        with_template = rng.random() < 0.7
        counter.n += 1
        try:
            out = console_eval(template if with_template else None, text)
        except PybuildError:
            counter.diagnostics += 1
            return
        assert isinstance(out, str)
        assert "hunter2" not in out or "hunter2" in text

    run()
    counter.report()
    assert counter.n >= EXAMPLES
