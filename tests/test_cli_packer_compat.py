"""Packer's CLI and environment in pybuild (issue 15, item 9): ``init``, ``PACKER_LOG``,
``PACKER_LOG_PATH``, ``PACKER_CACHE_DIR``, ``PACKER_NO_COLOR``, Go-style boolean flags,
``-on-error=ask`` and ``-on-error=run-cleanup-provisioner``."""

from __future__ import annotations

import hashlib
import io
import textwrap
from pathlib import Path

import pytest

from builder import cli
from builder.errors import BuildError, UsageError
from builder.media import ISOConfig, fetch
from builder.steps import Step, run_steps
from builder.ui import UI, UIOptions

REQUIRED = """
packer {
  required_plugins {
    qemu = {
      version = ">= 1.0.0"
      source  = "github.com/hashicorp/qemu"
    }
%s
  }
}
variable "iso" {}
source "qemu" "a" {
  iso_url = var.iso
}
build {
  sources = ["source.qemu.a"]
%s
}
"""

DOCKER_PLUGIN = """
    docker = {
      version = "~> 1"
      source  = "github.com/hashicorp/docker"
    }
"""


def _write(tmp_path: Path, text: str) -> str:
    p = tmp_path / "t.pkr.hcl"
    p.write_text(text)
    return str(p)


def test_init_all_plugins_built_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # no value for the variable: init reads only the packer block, like `packer init`
    rc = cli.main(["init", _write(tmp_path, REQUIRED % ("", ""))])
    out = capsys.readouterr().out
    assert rc == 0
    assert "qemu (github.com/hashicorp/qemu >= 1.0.0): provided by pybuild: builder qemu" in out


def test_init_names_the_missing_plugin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tpl = REQUIRED % (DOCKER_PLUGIN, 'post-processor "docker-tag" { repository = "x" }')
    rc = cli.main(["init", _write(tmp_path, tpl)])
    cap = capsys.readouterr()
    assert rc == 1
    assert ('docker (github.com/hashicorp/docker ~> 1): NOT provided by pybuild: the template uses '
            'post-processor "docker-tag"') in cap.out
    assert "builder qemu" in cap.out
    assert "docker" in cap.err


def test_init_without_required_plugins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli.main(["init", _write(tmp_path, 'source "null" "n" {}\nbuild { sources = ["source.null.n"] }\n')])
    assert rc == 0
    assert "No plugins requirement" in capsys.readouterr().out


def test_go_style_boolean_flags() -> None:
    assert cli.go_bool_flags(["build", "-force=true", "-debug=false", "-timestamp-ui=1", "t.pkr.hcl"]) == [
        "build", "-force", "-timestamp-ui", "t.pkr.hcl"]
    # a -var value that looks like a flag is not touched
    assert cli.go_bool_flags(["build", "-var", "force=true", "t"]) == ["build", "-var", "force=true", "t"]
    assert cli.go_bool_flags(["validate", "-syntax-only=T", "t"]) == ["validate", "-syntax-only", "t"]
    with pytest.raises(UsageError, match='invalid boolean value "yes" for -force'):
        cli.go_bool_flags(["build", "-force=yes", "t"])


def test_go_style_boolean_flag_reaches_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, 'source "null" "n" {}\nbuild { sources = ["source.null.n"] }\n')
    assert cli.main(["validate", "-syntax-only=true", tpl]) == 0
    assert "Syntax-only check passed" in capsys.readouterr().out
    assert cli.main(["validate", "-syntax-only=false", tpl]) == 0
    assert "The configuration is valid." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (False, None)),
        ({"PACKER_LOG": "0"}, (False, None)),
        ({"PACKER_LOG": "1"}, (True, None)),
        ({"PACKER_LOG": "yes", "PACKER_LOG_PATH": "/tmp/p.log"}, (False, Path("/tmp/p.log"))),
        ({"PACKER_LOG_PATH": "/tmp/p.log"}, (False, None)),  # Packer: the path needs PACKER_LOG
        ({"PYBUILD_LOG": "1", "PYBUILD_LOG_PATH": "/tmp/y.log"}, (True, Path("/tmp/y.log"))),
    ],
)
def test_log_settings(env: dict[str, str], expected: tuple[bool, Path | None]) -> None:
    assert cli.log_settings(env) == expected


def test_packer_log_path_receives_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "packer.log"
    monkeypatch.setenv("PACKER_LOG", "1")
    monkeypatch.setenv("PACKER_LOG_PATH", str(log))
    monkeypatch.setenv("PYBUILD_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYBUILD_FAILURE_DIR", str(tmp_path / "fail"))
    monkeypatch.chdir(tmp_path)
    tpl = _write(tmp_path, 'source "null" "n" {}\nbuild { sources = ["source.null.n"] }\n')
    assert cli.main(["build", tpl]) == 0
    assert "Starting build null.n" in log.read_text()


def test_color_follows_packer_no_color() -> None:
    assert cli.want_color("true", {}, tty=True)
    assert not cli.want_color("true", {"PACKER_NO_COLOR": "1"}, tty=True)
    assert not cli.want_color("false", {}, tty=True)
    assert not cli.want_color("true", {}, tty=False)
    out = io.StringIO()
    UI(out, UIOptions(color=True)).say("hello", "b")
    UI(out, UIOptions(color=False)).say("plain", "b")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("\x1b[") and "==> b: hello" in lines[0]
    assert lines[1] == "==> b: plain"


def test_packer_cache_dir_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file Packer cached (sha1 of "sha256:<hex>" + ".iso") is used without a download."""
    data = b"an ISO that Packer downloaded earlier\n"
    digest = hashlib.sha256(data).hexdigest()
    cache = tmp_path / "packer_cache"
    cache.mkdir()
    cached = cache / (hashlib.sha1(f"sha256:{digest}".encode()).hexdigest() + ".iso")
    cached.write_bytes(data)
    monkeypatch.setenv("PACKER_CACHE_DIR", str(cache))
    # nothing listens on port 9: any download attempt fails
    cfg = ISOConfig(iso_url="http://127.0.0.1:9/os.iso", iso_checksum=digest)
    assert fetch(cfg, attempts=1) == cached


def test_on_error_ask_refuses_without_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    tpl = _write(tmp_path, 'source "null" "n" {}\nbuild { sources = ["source.null.n"] }\n')
    assert cli.main(["build", "-on-error=ask", tpl]) == 2
    assert "-on-error=ask asks on a terminal" in capsys.readouterr().err


class _Flaky(Step[dict]):
    name = "flaky"

    def run(self, state: dict) -> None:
        state["runs"] = state.get("runs", 0) + 1
        if state["runs"] < 2:
            raise BuildError("first try fails")

    def cleanup(self, state: dict) -> None:
        state["cleaned"] = True


def test_ask_retry_runs_the_step_again() -> None:
    asked: list[tuple[str, str]] = []

    def ask(step: str, error: str) -> str:
        asked.append((step, error))
        return "retry"

    state: dict = {}
    run_steps([_Flaky()], state, ask=ask)
    assert state["runs"] == 2 and state["cleaned"]
    assert asked == [("flaky", "first try fails")]


def test_ask_cleanup_ends_the_build() -> None:
    state: dict = {}
    with pytest.raises(BuildError, match="first try fails"):
        run_steps([_Flaky()], state, ask=lambda step, err: "cleanup")
    assert state["runs"] == 1 and state["cleaned"]


def test_ask_question_reads_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("x\nr\n"))
    assert cli.ask_on_error("provision", "boom") == "retry"
    monkeypatch.setattr("sys.stdin", io.StringIO("a\n"))
    assert cli.ask_on_error("provision", "boom") == "abort"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.ask_on_error("provision", "boom") == "cleanup"


ERROR_CLEANUP = """
source "null" "n" {}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" { inline = ["exit 3"] }
  error-cleanup-provisioner "shell-local" { inline = ["touch %s"] }
}
"""


@pytest.mark.parametrize(("mode", "runs_cleanup"),
                         [("cleanup", True), ("abort", False), ("run-cleanup-provisioner", True)])
def test_error_cleanup_provisioner_follows_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    mode: str, runs_cleanup: bool) -> None:
    monkeypatch.setenv("PYBUILD_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYBUILD_FAILURE_DIR", str(tmp_path / "fail"))
    marker = tmp_path / "cleaned"
    tpl = _write(tmp_path, textwrap.dedent(ERROR_CLEANUP % marker))
    assert cli.main(["build", f"-on-error={mode}", tpl]) == 1
    assert marker.exists() is runs_cleanup


ASK = """
source "null" "n" {}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["if [ -f %(flag)s ]; then echo second-try-ok; exit 0; fi", "touch %(flag)s", "exit 7"]
  }
}
"""


@pytest.mark.parametrize(("answer", "rc"), [("r", 0), ("c", 1)])
def test_on_error_ask_on_a_terminal(tmp_path: Path, answer: str, rc: int) -> None:
    """A real pseudo-terminal as stdin: pybuild asks, and "r" runs the failed step again."""
    import os
    import pty
    import subprocess
    import sys

    tpl = _write(tmp_path, ASK % {"flag": tmp_path / "tried"})
    master, slave = pty.openpty()
    try:
        os.write(master, f"{answer}\n".encode())  # typed ahead; read when pybuild asks
        env = {**os.environ, "PYBUILD_LOG_DIR": str(tmp_path / "logs"), "PYBUILD_FAILURE_DIR": str(tmp_path / "f")}
        proc = subprocess.run([sys.executable, "-m", "builder.cli", "build", "-on-error=ask", tpl], stdin=slave,
                              capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    finally:
        os.close(master)
        os.close(slave)
    assert "[c] Clean up and exit, [a] abort without cleanup, or [r] retry step" in proc.stderr
    assert proc.returncode == rc, proc.stdout + proc.stderr
    assert ("second-try-ok" in proc.stdout) is (answer == "r")


# --------------------------------------------------------------------------- Packer 1.12-1.14

VERSIONED = """
packer {
  required_version = "%s"
}
data "null" "d" {
  input = local.l
}
locals {
  l = "from a local"
}
source "null" "a" { communicator = "none" }
build { sources = ["source.null.a"] }
"""


@pytest.mark.parametrize("flag", ["-use-sequential-evaluation", "-use-sequential-evaluation=true",
                                  "-use-sequential-evaluation=false"])
def test_templates_for_packer_1_12_to_1_14_validate(tmp_path: Path, capsys, flag: str) -> None:
    """pybuild claims Packer 1.14.3: ">= 1.12.0" holds, a data source reads a local (the 1.12
    graph), and 1.12's -use-sequential-evaluation flag is accepted."""
    t = tmp_path / "t.pkr.hcl"
    t.write_text(VERSIONED % ">= 1.12.0, < 1.15.0")
    rc = cli.main(["validate", flag, str(t)])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    assert "The configuration is valid." in out


def test_a_template_for_packer_1_15_is_refused(tmp_path: Path, capsys) -> None:
    t = tmp_path / "t.pkr.hcl"
    t.write_text(VERSIONED % ">= 1.15.0")
    rc = cli.main(["validate", str(t)])
    out, err = capsys.readouterr()
    assert rc != 0
    assert 'requires ">= 1.15.0"' in out + err and "1.14.3" in out + err, out + err
