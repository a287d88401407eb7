"""Compatibility corpus: real-world-shaped templates with their expected evaluation results.

Each directory under ``corpus/`` holds a template (file or multi-file directory) and an
``expected.json`` with ``args`` (var_files, vars, env, path) and the expected values of
variables, locals, builds, evaluated source attributes, provisioners and post-processors.
Expected values are partial: only the listed keys are compared. A string expected value
starting with ``re:`` is a regular expression the actual string must fully match.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from builder.template.loader import load
from builder.template.model import build_full_name

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
CASES = sorted(d for d in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, d)))


def check(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, str) and expected.startswith("re:"):
        assert isinstance(actual, str) and re.fullmatch(expected[3:], actual, re.S), (where, actual)
    elif isinstance(expected, dict) and not (isinstance(actual, dict) and "__exact__" in expected):
        assert isinstance(actual, dict), (where, actual)
        for k, v in expected.items():
            assert k in actual, (where, k, sorted(actual))
            check(actual[k], v, f"{where}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (where, actual)
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            check(a, e, f"{where}[{i}]")
    else:
        assert actual == expected and type(actual) is type(expected), (where, actual, expected)


def ctx_for(build, src):
    return {
        "source": {"name": src.name, "type": src.type},
        "build": {"name": build.name, "PackerHTTPAddr": "10.0.2.2:8080", "PackerHTTPIP": "10.0.2.2",
                  "PackerHTTPPort": "8080", "ID": "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER"},
    }


@pytest.mark.parametrize("case", CASES)
def test_corpus(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = os.path.join(CORPUS, case)
    with open(os.path.join(d, "expected.json")) as fh:
        exp = json.load(fh)
    args = exp.get("args", {})
    monkeypatch.chdir(d)
    path = args.get("path", ".")
    tpl = load(path, var_files=args.get("var_files", []), vars=args.get("vars", {}), env=args.get("env", {}))
    for name, value in exp.get("variables", {}).items():
        check(tpl.variables[name].value, value, f"var.{name}")
    for name, flags in exp.get("sensitive", {}).items():
        assert tpl.variables[name].sensitive is flags
    for name, value in exp.get("locals", {}).items():
        check(tpl.locals[name].value, value, f"local.{name}")
    if "builds" not in exp:
        return
    assert len(tpl.builds) == len(exp["builds"])
    for b, eb in zip(tpl.builds, exp["builds"], strict=True):
        assert b.name == eb.get("name", "")
        if "description" in eb:
            assert b.description == eb["description"]
        names = [build_full_name(b, s) for s in b.sources]
        assert [s.full_name for s in b.sources] == eb["sources"], names
        by_name = {s.full_name: s for s in b.sources}
        for sname, attrs in eb.get("source_attrs", {}).items():
            s = by_name[sname]
            check(s.evaluate(ctx_for(b, s)), attrs, f"{b.name}:{sname}")
        if "provisioners" in eb:
            assert [p.type for p in b.provisioners] == [p["type"] for p in eb["provisioners"]]
            for p, ep in zip(b.provisioners, eb["provisioners"], strict=True):
                for key in ("name", "only", "except_", "pause_before", "max_retries", "timeout", "override"):
                    if key in ep:
                        assert getattr(p, key) == ep[key], (key, getattr(p, key))
                for sname, attrs in ep.get("attrs", {}).items():
                    s = by_name[sname]
                    assert p.applies_to(s.full_name)
                    check(p.evaluate(ctx_for(b, s)), attrs, f"{p.type}@{sname}")
                for sname in ep.get("skipped_for", []):
                    assert not p.applies_to(sname)
        if "error_cleanup" in eb:
            assert b.error_cleanup is not None and b.error_cleanup.type == eb["error_cleanup"]
        if "post_processors" in eb:
            chains = [[pp.type for pp in chain] for chain in b.post_processor_chains]
            assert chains == [[pp["type"] for pp in chain] for chain in eb["post_processors"]]
            for chain, echain in zip(b.post_processor_chains, eb["post_processors"], strict=True):
                for pp, epp in zip(chain, echain, strict=True):
                    if "keep_input_artifact" in epp:
                        assert pp.keep_input_artifact == epp["keep_input_artifact"]
                    for sname, attrs in epp.get("attrs", {}).items():
                        s = by_name[sname]
                        check(pp.evaluate(ctx_for(b, s)), attrs, f"{pp.type}@{sname}")
