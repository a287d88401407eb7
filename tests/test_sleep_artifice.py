"""The small core components: the ``sleep`` provisioner and the ``artifice`` post-processor,
run by the real orchestrator in a chain with ``compress`` (Packer's keep rules)."""

from __future__ import annotations

import io
import subprocess
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.build import Runner, RunOptions, plan, prepare
from builder.cancel import TOKEN
from builder.config import BaseConfig, ConfigError, opt, parse_config
from builder.errors import Cancelled
from builder.plugins import REGISTRY, Artifact, BuildContext, Builder, ProvisionContext
from builder.provisioners.sleep import SleepConfig, SleepProvisioner
from builder.template.loader import load
from builder.ui import UI, UIOptions


@dataclass(kw_only=True)
class _Cfg(BaseConfig):
    communicator: str = opt("none")


class ProvisioningFileBuilder(Builder[_Cfg]):
    """Runs the template's provisioners, then leaves an output directory with one file."""

    Config = _Cfg

    def run(self, ctx: BuildContext) -> Artifact | None:
        if ctx.provision is not None:
            ctx.provision(ctx.provision_context())
        d = ctx.template_dir / f"output-{ctx.source_name}"
        d.mkdir()
        (d / "disk").write_text("disk")
        return Artifact("test.builder", "VM", [d / "disk"], directory=d)


def run_template(tmp_path: Path, text: str) -> tuple[list, str, None]:
    p = tmp_path / "t.pkr.hcl"
    p.write_text(textwrap.dedent(text))
    tpl = load(str(p))
    out = io.StringIO()
    ui = UI(out=out, options=UIOptions())
    opts = RunOptions(failure_root=tmp_path / "failures", log_dir=tmp_path / "logs")
    return Runner(tpl, ui, opts).run(prepare(tpl, plan(tpl))), out.getvalue(), None


REGISTRY.register("builder", "provfiles", ProvisioningFileBuilder, origin="tests")

CHAIN = """
    source "provfiles" "a" {}
    build {
      sources = ["source.provfiles.a"]
      provisioner "sleep" { duration = "1s" }
      provisioner "shell-local" { inline = ["echo payload > ${path.root}/payload.txt"] }
      post-processors {
        post-processor "artifice" {
          files = ["${path.root}/payload.txt"]
          %s
        }
        post-processor "compress" {
          output = "${path.root}/dist/{{.BuildName}}.txt.gz"
          %s
        }
      }
    }
"""


def test_sleep_then_artifice_then_compress(tmp_path: Path) -> None:
    t0 = time.monotonic()
    results, out, _ = run_template(tmp_path, CHAIN % ("", ""))
    assert results[0].ok, results[0].error
    assert time.monotonic() - t0 >= 1.0
    assert "Sleeping for 1s" in out
    final = tmp_path / "dist" / "a.txt.gz"
    assert [a.files for a in results[0].artifacts] == [[final]]
    assert subprocess.run(["gzip", "-dc", str(final)], capture_output=True, check=True).stdout == b"payload\n"
    # artifice keeps its input by default (the builder's output), compress does not
    # (artifice's files are deleted once compressed)
    assert (tmp_path / "output-a" / "disk").exists()
    assert not (tmp_path / "payload.txt").exists()


def test_artifice_keep_input_artifact_false_discards_the_builders_output(tmp_path: Path) -> None:
    results, _, _ = run_template(tmp_path, CHAIN % ("keep_input_artifact = false", "keep_input_artifact = true"))
    assert results[0].ok, results[0].error
    assert not (tmp_path / "output-a").exists()
    assert (tmp_path / "payload.txt").read_text() == "payload\n"  # compress told to keep its input


def test_artifice_missing_file_fails_the_build(tmp_path: Path) -> None:
    results, _, _ = run_template(tmp_path, (CHAIN % ("", "")).replace('provisioner "shell-local"', 'provisioner "sleep"')
                                 .replace('{ inline = ["echo payload > ${path.root}/payload.txt"] }', "{}"))
    assert not results[0].ok
    assert "artifice: unable to find" in results[0].error and "payload.txt" in results[0].error


def test_artifice_needs_files() -> None:
    from builder.post_processors.artifice import ArtificeConfig

    with pytest.raises(ConfigError, match="no files specified"):
        parse_config(ArtificeConfig, {}, component='post-processor "artifice"')


def test_sleep_is_cancellable_and_checks_its_duration(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match='Invalid value for "duration"'):
        parse_config(SleepConfig, {"duration": "ten seconds"}, component='provisioner "sleep"')
    ctx = ProvisionContext(build_name="qemu.x", build_type="qemu", ui=UI(out=io.StringIO()).for_build("qemu.x"),
                           template_dir=tmp_path)
    prov = SleepProvisioner(parse_config(SleepConfig, {"duration": "1m"}, component="sleep"))
    timer = threading.Timer(0.3, TOKEN.cancel)
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(Cancelled):
            prov.provision(ctx)
    finally:
        timer.cancel()
        TOKEN.reset()
    assert time.monotonic() - t0 < 5
