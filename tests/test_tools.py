"""tests/tools.py: a missing tool is a skip on a developer's machine and a failure under
``CI=true`` (dev/setup installs everything, so a skip there would hide a test that never ran)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests import tools

ABSENT = "pybuild-no-such-tool-7f3a"


def _outcome(fn: Callable[[], object]) -> BaseException:
    """What ``fn`` ends the test with (a skip must not escape and skip this test instead)."""
    try:
        fn()
    except (pytest.fail.Exception, pytest.skip.Exception) as e:
        return e
    raise AssertionError("neither a skip nor a failure")


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_under_ci_a_missing_tool_fails(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    e = _outcome(lambda: tools.require_tool(ABSENT, hint="apt-get install it"))
    assert isinstance(e, pytest.fail.Exception)
    assert e.msg == f"not installed: {ABSENT} (apt-get install it) (CI=true: a missing requirement is a failure, not a skip)"
    e = _outcome(lambda: tools.require_module("pybuild_no_such_module"))
    assert isinstance(e, pytest.fail.Exception) and e.msg is not None
    assert e.msg.startswith("module pybuild_no_such_module is not installed")


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_locally_a_missing_tool_skips(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    e = _outcome(lambda: tools.require_tool(ABSENT, hint="apt-get install it"))
    assert isinstance(e, pytest.skip.Exception)
    assert e.msg == f"not installed: {ABSENT} (apt-get install it)"


def test_a_present_tool_is_its_path() -> None:
    assert tools.require_tool("sh").endswith("/sh")
