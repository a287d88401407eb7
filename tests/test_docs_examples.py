"""The README's examples are real files, and they work."""

from __future__ import annotations

import io
import json
import re
import textwrap
from pathlib import Path

from builder.build import Runner, RunOptions, plan, prepare
from builder.hooks import load_hooks_module
from builder.plugins import REGISTRY
from builder.template.loader import load
from builder.ui import UI

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
HOOKS = ROOT / "examples" / "hooks" / "pybuild_hooks.py"
PLUGIN = ROOT / "examples" / "pybuild-announce" / "src" / "pybuild_announce" / "__init__.py"


def test_readme_shows_the_example_files_verbatim():
    assert HOOKS.read_text() in README
    assert PLUGIN.read_text() in README


def test_readme_names_exactly_two_setup_commands():
    rows = re.findall(r"^\| \*\*(main job|tests)\*\*.*\| `(\./dev/\w+)` \|$", README, re.MULTILINE)
    assert rows == [("main job", "./dev/demo"), ("tests", "./dev/test")]
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec ./dev/test")


def test_hooks_example_runs_in_a_build(tmp_path: Path):
    tpl_path = tmp_path / "t.pkr.hcl"
    tpl_path.write_text(textwrap.dedent("""
        variable "image_name" { default = "demo-image" }
        source "null" "x" { communicator = "none" }
        build { sources = ["source.null.x"] }
    """))
    tpl = load(str(tpl_path))
    out = io.StringIO()
    results = Runner(tpl, UI(out=out), RunOptions(hooks_module=load_hooks_module(HOOKS), log_dir=tmp_path,
                                                   failure_root=tmp_path)).run(prepare(tpl, plan(tpl)))
    assert results[0].ok
    assert "starting null.x (null); image name demo-image" in out.getvalue()


def test_plugin_example_is_installed_and_works(tmp_path: Path):
    """The announce post-processor is found by its entry point and records artifacts."""
    cls = REGISTRY.get("post-processor", "announce")
    info = next(i for i in REGISTRY.infos() if i.type == "announce")
    assert info.origin.startswith("pybuild-announce ")
    tpl_path = tmp_path / "t.pkr.hcl"
    register = tmp_path / "register.jsonl"
    tpl_path.write_text(textwrap.dedent(f"""
        source "null" "x" {{ communicator = "none" }}
        build {{
          sources = ["source.null.x"]
          post-processor "announce" {{ register = "{register}" }}
        }}
    """))
    tpl = load(str(tpl_path))
    prepared = prepare(tpl, plan(tpl))  # the plugin's schema checked the block
    assert prepared[0].chains[0][0].type == "announce" and cls.__name__ == "Announce"
    from builder.plugins import Artifact, PostProcessContext
    from builder.ui import UI as _UI

    comp = cls(cls.Config(register=str(register)))
    ctx = PostProcessContext(build_name="null.x", build_type="null", ui=_UI(out=io.StringIO()).for_build("null.x"),
                             template_dir=tmp_path)
    comp.post_process(ctx, Artifact("test", "img-1", [tmp_path / "disk"]))
    rec = json.loads(register.read_text())
    assert rec["artifact_id"] == "img-1" and rec["build"] == "null.x"
