"""Fuzzing ``http_content`` paths: ``pybuild render-http`` writes each key under the
output directory and nowhere else, and ends in success or a TemplateError (10,000 inputs).
(The served side of http_directory/http_content is fuzzed in tests/test_http_fuzz.py.)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fuzz_util import EXAMPLES, FUZZ, Counter
from hypothesis import given
from hypothesis import strategies as st

from builder.errors import PybuildError
from builder.httpserver import HTTPConfig, render_http

PIECES = st.sampled_from(["..", ".", "/", "//", "%2e%2e", "%2f", "%00", "\x00", "\\", "a", "b", "ks.cfg", "a/b",
                          "a/", "~", "é", "%ff", "?", "#", " ", "\n", "http://h/", "file:", "C:"])
KEYS = st.one_of(st.lists(PIECES, max_size=6).map("".join), st.text(max_size=15))


def test_fuzz_render_http_content(tmp_path: Path) -> None:
    counter = Counter("http-content-paths")
    base = tmp_path / "fuzz"

    @FUZZ
    @given(st.dictionaries(KEYS, st.text(max_size=5), max_size=4))
    def run(content: dict[str, str]) -> None:
        counter.n += 1
        if base.exists():
            shutil.rmtree(base)
        out = base / "out"
        base.mkdir()
        cfg = HTTPConfig(http_content=content)
        try:
            written = render_http(cfg, {}, out, base_dir=base)
        except PybuildError:
            counter.diagnostics += 1
            written = []
        # nothing outside out/ (the only other thing in base is out itself)
        assert [p.name for p in base.iterdir()] in ([], ["out"])
        for p in written:
            assert os.path.realpath(p).startswith(str(out.resolve()) + os.sep)
        for dirpath, _dirs, files in os.walk(base):
            for f in files:
                assert os.path.realpath(os.path.join(dirpath, f)).startswith(str(out.resolve()) + os.sep)

    run()
    counter.report()
    assert counter.n >= EXAMPLES
