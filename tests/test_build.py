"""The orchestrator: planning, all-errors-at-once preparation, provisioner options,
post-processor chaining (Packer's keep_input_artifact rules), hooks, failure evidence."""

from __future__ import annotations

import io
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.build import Runner, RunOptions, junit_xml, plan, prepare, summary_table
from builder.config import BaseConfig, opt
from builder.errors import BuildError, TemplateError
from builder.hooks import load_hooks_module
from builder.plugins import REGISTRY, Artifact, Builder, PostProcessor, PostProcessResult, Provisioner
from builder.template.loader import load
from builder.ui import UI, EventSink, UIOptions

CALLS: list[str] = []


@dataclass(kw_only=True)
class RecCfg(BaseConfig):
    say: str = opt("", help="text to record")
    fail_times: int = opt(0, help="fail this many times first")


class RecordingProvisioner(Provisioner[RecCfg]):
    Config = RecCfg
    attempts: dict[str, int] = {}

    def provision(self, ctx):
        n = RecordingProvisioner.attempts.get(self.config.say, 0) + 1
        RecordingProvisioner.attempts[self.config.say] = n
        CALLS.append(f"prov:{self.config.say}")
        ctx.ui.message(f"output of {self.config.say}")
        if n <= self.config.fail_times:
            raise BuildError(f"{self.config.say} failed (attempt {n})")


@dataclass(kw_only=True)
class PPCfg(BaseConfig):
    tag: str = opt("", help="tag")
    keep: bool = opt(False, help="default keep")
    force_keep: bool = opt(False, help="force keep")


class FilePP(PostProcessor[PPCfg]):
    """Writes a new file artifact from its input (like a convert)."""

    Config = PPCfg

    def post_process(self, ctx, artifact):
        CALLS.append(f"pp:{self.config.tag}")
        out = ctx.template_dir / f"{self.config.tag}.out"
        out.write_text(f"from {artifact.id}")
        return PostProcessResult(Artifact("test.pp", self.config.tag, [out]), keep=self.config.keep,
                                 force_keep=self.config.force_keep)


@dataclass(kw_only=True)
class FileBuilderCfg(BaseConfig):
    communicator: str = opt("none", help="unused")


class FileBuilder(Builder[FileBuilderCfg]):
    """Produces one file in a directory, like a real builder's output directory."""

    Config = FileBuilderCfg

    def run(self, ctx):
        d = ctx.template_dir / f"output-{ctx.source_name}"
        d.mkdir()
        (d / "disk").write_text("disk")
        return Artifact("test.builder", "VM", [d / "disk"], directory=d)


class FusingPP(FilePP):
    """Takes over the work of a ``filepp`` right after it (as virt-sysprep does virt-sparsify's trim)."""

    def fuse_next(self, nxt):
        if type(nxt) is not FilePP:
            return False
        CALLS.append(f"fuse:{self.config.tag}+{nxt.config.tag}")
        return True


REGISTRY.register("provisioner", "record", RecordingProvisioner, origin="tests")
REGISTRY.register("post-processor", "filepp", FilePP, origin="tests")
REGISTRY.register("post-processor", "fusingpp", FusingPP, origin="tests")
REGISTRY.register("builder", "files", FileBuilder, origin="tests")


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "t.pkr.hcl"
    p.write_text(textwrap.dedent(text))
    return p


def run_template(tmp_path, text, **opts):
    CALLS.clear()
    RecordingProvisioner.attempts.clear()
    tpl = load(str(write(tmp_path, text)))
    out = io.StringIO()
    events_path = tmp_path / "events.jsonl"
    ui = UI(out=out, options=UIOptions(), events=EventSink(events_path))
    opts.setdefault("failure_root", tmp_path / "failures")
    opts.setdefault("log_dir", tmp_path / "logs")
    results = Runner(tpl, ui, RunOptions(**opts)).run(prepare(tpl, plan(tpl)))
    ui.events.close()
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    return results, out.getvalue(), events


def test_provisioners_run_in_order_with_only_except(tmp_path):
    results, out, _ = run_template(tmp_path, """
        source "null" "a" { communicator = "none" }
        source "null" "b" { communicator = "none" }
        build {
          sources = ["source.null.a", "source.null.b"]
          provisioner "record" { say = "one-${source.name}" }
          provisioner "record" {
            only = ["null.b"]
            say = "two"
          }
          provisioner "record" {
            except = ["null.b"]
            say = "three"
          }
        }
    """, parallel_builds=1)
    assert [r.ok for r in results] == [True, True]
    assert CALLS == ["prov:one-a", "prov:three", "prov:one-b", "prov:two"]
    assert "==> null.a: Provisioning with record..." in out
    assert "    null.a: output of one-a" in out


def test_max_retries_and_error_cleanup(tmp_path):
    results, _, events = run_template(tmp_path, """
        source "null" "a" { communicator = "none" }
        build {
          sources = ["source.null.a"]
          provisioner "record" {
            say = "flaky"
            fail_times = 1
            max_retries = 1
          }
          provisioner "record" {
            say = "broken"
            fail_times = 5
          }
          error-cleanup-provisioner "record" { say = "cleanup" }
        }
    """)
    assert not results[0].ok
    assert CALLS == ["prov:flaky", "prov:flaky", "prov:broken", "prov:cleanup"]
    assert "broken failed" in results[0].error
    fdir = results[0].failure_dir
    assert fdir is not None and (fdir / "build.log").exists()
    assert "output of broken" in (fdir / "last-output.txt").read_text()
    kinds = [e["event"] for e in events]
    assert kinds[0] == "build_start" and kinds[-1] == "build_end"
    assert any(e["event"] == "error" for e in events)


def test_post_processor_chain_keep_rules(tmp_path):
    results, _, _ = run_template(tmp_path, """
        source "null" "a" { communicator = "none" }
        build {
          sources = ["source.null.a"]
          post-processors {
            post-processor "filepp" { tag = "first" }
            post-processor "filepp" { tag = "second" }
          }
          post-processor "filepp" {
            tag = "kept"
            keep_input_artifact = true
          }
        }
    """)
    # the null builder's artifact has no files; its post-processors run, as in Packer
    assert results[0].ok, results[0].error
    assert CALLS == ["pp:first", "pp:second", "pp:kept"]
    assert [a.id for a in results[0].artifacts] == ["second", "kept"]


def test_post_processor_chain_deletes_inputs_unless_kept(tmp_path):
    results, _, _ = run_template(tmp_path, """
        source "files" "a" {}
        build {
          sources = ["source.files.a"]
          post-processors {
            post-processor "filepp" { tag = "first" }
            post-processor "filepp" { tag = "second" }
          }
        }
    """)
    assert results[0].ok, results[0].error
    assert CALLS == ["pp:first", "pp:second"]
    assert [a.id for a in results[0].artifacts] == ["second"]
    assert not (tmp_path / "first.out").exists()  # intermediate deleted
    assert not (tmp_path / "output-a").exists()  # builder artifact deleted: nobody kept it

    results, _, _ = run_template(tmp_path, """
        source "files" "b" {}
        build {
          sources = ["source.files.b"]
          post-processor "filepp" {
            tag = "third"
            keep_input_artifact = true
          }
          post-processor "filepp" {
            tag = "fourth"
            except = ["files.b"]
          }
        }
    """)
    assert results[0].ok and CALLS == ["pp:third"]
    assert (tmp_path / "output-b" / "disk").exists()


def test_neighbours_in_one_chain_are_offered_to_fuse(tmp_path):
    text = """
        source "null" "a" { communicator = "none" }
        build {
          sources = ["source.null.a"]
          post-processors {
            post-processor "fusingpp" { tag = "sysprep" }
            post-processor "filepp" { tag = "sparsify" }
          }
          post-processor "fusingpp" { tag = "alone" }
          post-processors {
            post-processor "filepp" { tag = "first" }
            post-processor "fusingpp" { tag = "before-nothing" }
          }
        }
    """
    results, out, _ = run_template(tmp_path, text)
    assert results[0].ok, results[0].error
    # offered before either runs; each component is made once and runs once, in order
    assert CALLS == ["fuse:sysprep+sparsify", "pp:sysprep", "pp:sparsify", "pp:alone", "pp:first",
                     "pp:before-nothing"]
    assert "sysprep and sparsify share one run" not in out  # named by type when unnamed
    assert "fusingpp and filepp share one run" in out
    # a neighbour skipped by -except is not fused with
    results, out, _ = run_template(tmp_path, text.replace('"filepp" { tag = "sparsify" }',
                                                          '"filepp" {\n name = "sp"\n tag = "sparsify" }'),
                                   except_=["sp"])
    assert results[0].ok and "fuse:sysprep+sparsify" not in CALLS and "pp:sparsify" not in CALLS


def test_prepare_reports_every_error_at_once(tmp_path):
    p = write(tmp_path, """
        source "null" "a" {
          communicator = "none"
          comunicator = "ssh"
        }
        build {
          sources = ["source.null.a"]
          provisioner "record" { sya = "x" }
          provisioner "nosuch" {}
          post-processor "filepp" { tag = 3 }
        }
    """)
    tpl = load(str(p))
    with pytest.raises(TemplateError) as e:
        prepare(tpl, plan(tpl))
    text = e.value.render()
    assert 'Did you mean "communicator"' in text
    assert 'Did you mean "say"' in text
    assert 'Unknown provisioner type "nosuch"' in text
    assert "line 4" in text and "line 8" in text
    assert len(e.value.diagnostics) == 3  # tag = 3 converts to "3" like HCL does


def test_only_except_globs(tmp_path):
    tpl = load(str(write(tmp_path, """
        source "null" "a" { communicator = "none" }
        source "null" "b" { communicator = "none" }
        build {
          name = "img"
          sources = ["source.null.a", "source.null.b"]
        }
    """)))
    assert [p.name for p in plan(tpl)] == ["img.null.a", "img.null.b"]
    assert [p.name for p in plan(tpl, only=["null.b"])] == ["img.null.b"]
    assert [p.name for p in plan(tpl, only=["img.*.a"])] == ["img.null.a"]
    assert [p.name for p in plan(tpl, except_=["*.a"])] == ["img.null.b"]


def test_hooks_called_in_order_and_failing_hook_fails_build(tmp_path):
    hooks = tmp_path / "hooks.py"
    hooks.write_text(textwrap.dedent("""
        SEEN = []
        def pre_build(ctx): SEEN.append(("pre_build", ctx.build_name, ctx.variables["pw"]))
        def post_build(ctx): SEEN.append(("post_build", ctx.artifact.id))
        def on_error(ctx): SEEN.append(("on_error", str(ctx.error)))
    """))
    mod = load_hooks_module(hooks)
    results, _, _ = run_template(tmp_path, """
        variable "pw" {
          default = "hunter2-secret"
          sensitive = true
        }
        source "null" "a" { communicator = "none" }
        build { sources = ["source.null.a"] }
    """, hooks_module=mod)
    assert results[0].ok
    assert mod.SEEN == [("pre_build", "null.a", "<sensitive>"), ("post_build", "Null")]

    hooks.write_text("def pre_build(ctx):\n    raise RuntimeError('cmdb down')\n"
                     "SEEN=[]\ndef on_error(ctx):\n    SEEN.append(str(ctx.error))\n")
    mod = load_hooks_module(hooks)
    results, _, _ = run_template(tmp_path, 'source "null" "a" { communicator = "none" }\n'
                                 'build { sources = ["source.null.a"] }\n', hooks_module=mod)
    assert not results[0].ok
    assert "hook pre_build failed: RuntimeError: cmdb down" in results[0].error
    assert mod.SEEN and "cmdb down" in mod.SEEN[0]


def test_unknown_hook_phase_is_an_error(tmp_path):
    hooks = tmp_path / "hooks.py"
    hooks.write_text("def post_boots(ctx):\n    pass\n")
    with pytest.raises(Exception, match="unknown phase"):
        load_hooks_module(hooks)


def test_summary_and_junit(tmp_path):
    results, _, _ = run_template(tmp_path, 'source "null" "a" { communicator = "none" }\n'
                                 'build { sources = ["source.null.a"] }\n')
    table = summary_table(results)
    assert "null.a" in table and "ok" in table
    xml = junit_xml(results)
    assert 'tests="1"' in xml and 'failures="0"' in xml and 'name="null.a"' in xml
