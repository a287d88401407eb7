"""Fuzzing the small parsers: boot commands, checksum specs and checksum files.

10,000 generated inputs per target, derandomized; each ends in a result or a
PybuildError diagnostic, never another exception.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_util import EXAMPLES, FUZZ, Counter, boot_commands, checksum_files, checksum_specs, file_names
from hypothesis import assume, given
from hypothesis import strategies as st

from builder.bootcommand.grammar import Wait, parse, total_wait, unparse
from builder.errors import Location, PybuildError
from builder.media import Checksum, checksum_syntax_error, parse_checksum, parse_checksum_file


def test_fuzz_boot_command_parser() -> None:
    counter = Counter("boot-command")

    @FUZZ
    @given(boot_commands)
    def run(text: str) -> None:
        counter.n += 1
        try:
            actions = parse(text, Location("t.pkr.hcl", 3, 5))
        except PybuildError:
            counter.diagnostics += 1
            return
        # a parsed command round-trips and has a finite, non-negative total wait
        again = parse(unparse(actions))
        assert len(again) == len(actions)
        for a, b in zip(actions, again, strict=True):
            if isinstance(a, Wait) and isinstance(b, Wait):
                assert abs(a.seconds - b.seconds) <= 1e-3  # unparse prints milliseconds
            else:
                assert a == b
        w = total_wait(actions)
        assert w >= 0 and w == w and w != float("inf")

    run()
    counter.report()
    assert counter.n >= EXAMPLES


@pytest.fixture
def sums_dir(tmp_path: Path) -> Path:
    (tmp_path / "sums.txt").write_text(f"{'a' * 64}  image.iso\n")
    return tmp_path


def test_fuzz_checksum_specs(sums_dir: Path) -> None:
    counter = Counter("checksum-spec")

    @FUZZ
    @given(checksum_specs, file_names)
    def run(spec: str, filename: str) -> None:
        # never leave the machine: http(s) checksum URLs are not fuzzed here
        assume("http" not in spec.lower() and "/dev/" not in spec and "/proc/" not in spec)
        counter.n += 1
        problem = checksum_syntax_error(spec)
        assert isinstance(problem, str)
        try:
            got = parse_checksum(spec, filename, sums_dir, attempts=1)
        except PybuildError:
            counter.diagnostics += 1
            return
        if got is not None:
            parsed.append(spec)
            algo, hexdigest = got
            assert algo in ("md5", "sha1", "sha256", "sha512")
            assert all(c in "0123456789abcdef" for c in hexdigest)

    parsed: list[str] = []
    run()
    counter.report()
    assert counter.n >= EXAMPLES
    assert parsed, "no input parsed to a checksum: the properties above never ran"


def test_fuzz_checksum_files() -> None:
    counter = Counter("checksum-file")

    @FUZZ
    @given(checksum_files, file_names, st.sampled_from(["", "md5", "sha1", "sha256", "sha512"]))
    def run(text: str, filename: str, algo: str) -> None:
        counter.n += 1
        try:
            cs = parse_checksum_file(text, filename, algo)
        except PybuildError:
            counter.diagnostics += 1
            return
        if cs is not None:
            parsed.append(text)
            assert isinstance(cs, Checksum)
            assert not algo or cs.algo == algo
            assert all(c in "0123456789abcdef" for c in cs.hexdigest)

    parsed: list[str] = []
    run()
    counter.report()
    assert counter.n >= EXAMPLES
    assert parsed, "no checksum file gave a checksum: the properties above never ran"
