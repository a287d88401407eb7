"""Any exception from a component fails its build, through the CLI: exit 1, a summary
row, failure evidence with the traceback in the build log, a ``build_end`` event; the
traceback reaches the screen only under ``--debug``. A failed cleanup is one line on
screen and a ``cleanup_failed`` event."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

import pytest

from builder import cli
from builder.config import BaseConfig, opt
from builder.plugins import REGISTRY, Artifact, Builder, PostProcessor
from builder.steps import Step, run_steps


@dataclass(kw_only=True)
class CrashCfg(BaseConfig):
    key: str = opt("missing", help="the key looked up")


class CrashingPP(PostProcessor[CrashCfg]):
    """A post-processor with a bug: a KeyError, not a PybuildError."""

    Config = CrashCfg

    def post_process(self, ctx, artifact):
        return {}[self.config.key]


@dataclass(kw_only=True)
class OneFileCfg(BaseConfig):
    communicator: str = opt("none", help="unused")


class _BadCleanup(Step[list]):
    name = "bad_cleanup"

    def run(self, state):
        state.append("run")

    def cleanup(self, state):
        raise OSError("temp dir busy")


class OneFileBuilder(Builder[OneFileCfg]):
    Config = OneFileCfg

    def run(self, ctx):
        d = ctx.template_dir / f"output-{ctx.source_name}"
        d.mkdir()
        (d / "disk").write_text("disk")
        run_steps([_BadCleanup()], [], on_event=ctx.ui.event, on_error_line=ctx.ui.error)
        return Artifact("test.onefile", "VM", [d / "disk"], directory=d)


REGISTRY.register("post-processor", "crash-keyerror", CrashingPP, origin="tests")
REGISTRY.register("builder", "onefile", OneFileBuilder, origin="tests")

TEMPLATE = """
source "onefile" "a" {}
source "null" "b" { communicator = "none" }
build {
  sources = ["source.onefile.a", "source.null.b"]
  post-processor "crash-keyerror" {
    only = ["onefile.a"]
    key  = "boom"
  }
}
"""


def _build(tmp_path, monkeypatch, *extra):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYBUILD_FAILURE_DIR", str(tmp_path / "failures"))
    monkeypatch.setenv("PYBUILD_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("PYBUILD_DEBUG", raising=False)
    t = tmp_path / "t.pkr.hcl"
    t.write_text(textwrap.dedent(TEMPLATE))
    rc = cli.main([*extra, "build", "--log-json", str(tmp_path / "ev.jsonl"), str(t)])
    events = [json.loads(x) for x in (tmp_path / "ev.jsonl").read_text().splitlines()]
    return rc, events


def test_a_crashing_post_processor_fails_its_build(tmp_path, monkeypatch, capsys):
    rc, events = _build(tmp_path, monkeypatch)
    out, err = capsys.readouterr()
    assert rc == 1
    # the summary has a row for each build: the crashed one FAILED, the other ok
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith(("onefile.a", "null.b"))}
    assert rows == {"onefile.a": "FAILED", "null.b": "ok"}
    assert "post-processor (crash-keyerror)" in out and "KeyError: 'boom'" in out
    assert "Traceback" not in out + err  # only in the build log without --debug
    ends = {e["build"]: e for e in events if e["event"] == "build_end"}
    assert ends["onefile.a"]["ok"] is False and ends["null.b"]["ok"] is True
    fdir = tmp_path / "failures"
    (evidence,) = fdir.iterdir()
    log = (evidence / "build.log").read_text()
    assert "Traceback" in log and "KeyError: 'boom'" in log and "post_process" in log


def test_debug_shows_the_traceback_on_screen(tmp_path, monkeypatch, capsys):
    rc, _ = _build(tmp_path, monkeypatch, "--debug")
    out, _ = capsys.readouterr()
    assert rc == 1
    assert "Traceback (most recent call last)" in out and "in post_process" in out


def test_a_failed_cleanup_is_one_line_and_an_event(tmp_path, monkeypatch, capsys):
    _, events = _build(tmp_path, monkeypatch)
    out, _ = capsys.readouterr()
    lines = [line for line in out.splitlines() if "Cleanup of step bad_cleanup failed" in line]
    assert lines == ["==> onefile.a: Cleanup of step bad_cleanup failed: OSError: temp dir busy"]
    failed = [e for e in events if e["event"] == "cleanup_failed"]
    assert failed == [{**failed[0], "build": "onefile.a", "step": "bad_cleanup", "error": "OSError: temp dir busy"}]


@pytest.mark.parametrize("size", ["lots", "4X", "-1G"])
def test_verify_rejects_a_bad_disk_size_as_a_usage_error(size, capsys):
    rc = cli.main(["verify", f"--disk-size={size}", "/nonexistent.qcow2"])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "Traceback" not in err
    assert err.splitlines()[0] == f"Error: invalid --disk-size {size!r}: invalid size \"{size}\" " \
        '(examples: "10G", "4096M", "20480" = 20480 MiB)'

