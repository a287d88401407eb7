"""Loader behaviours: inputs, variable sources, sensitive values, syntax-only, API shape."""

from __future__ import annotations

import os
import textwrap

import pytest

from builder import secrets
from builder.errors import TemplateError
from builder.template.loader import check_version_constraint, load
from builder.template.model import Template


def write(path, text: str) -> str:
    path.write_text(textwrap.dedent(text))
    return str(path)


BASIC = """
variable "name" {
  default = "base"
}
variable "password" {
  type      = string
  default   = "s3cr3t-pass"
  sensitive = true
}
locals {
  upper = upper(var.name)
}
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
}
"""


def test_single_file(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", BASIC)
    t = load(f, env={})
    assert isinstance(t, Template)
    assert t.root == str(tmp_path)
    assert t.files == [f]
    assert t.locals["upper"].value == "BASE"
    assert t.variables["name"].location is not None and t.variables["name"].location.line == 2


def test_sensitive_values_are_registered(tmp_path) -> None:
    load(write(tmp_path / "t.pkr.hcl", BASIC), env={})
    assert secrets.mask("login with s3cr3t-pass now") == "login with <sensitive> now"


def test_auto_var_files_only_for_directories(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", BASIC)
    write(tmp_path / "x.auto.pkrvars.hcl", 'name = "auto"\n')
    assert load(f, env={}).variables["name"].value == "base"
    assert load(str(tmp_path), env={}).variables["name"].value == "auto"


def test_cli_var_beats_var_file_regardless_of_order(tmp_path) -> None:
    write(tmp_path / "t.pkr.hcl", BASIC)
    vf = write(tmp_path / "v.pkrvars.hcl", 'name = "file"\n')
    t = load(str(tmp_path), vars={"name": "cli"}, var_files=[vf], env={"PKR_VAR_name": "env"})
    assert t.variables["name"].value == "cli"
    t = load(str(tmp_path), var_files=[vf], env={"PKR_VAR_name": "env"})
    assert t.variables["name"].value == "file"
    assert load(str(tmp_path), env={"PKR_VAR_name": "env"}).variables["name"].value == "env"


def test_json_var_file(tmp_path) -> None:
    write(tmp_path / "t.pkr.hcl", BASIC)
    vf = write(tmp_path / "v.pkrvars.json", '{"name": "json"}')
    assert load(str(tmp_path), var_files=[vf], env={}).variables["name"].value == "json"


def test_undeclared_var_file_variable_is_a_warning(tmp_path) -> None:
    write(tmp_path / "t.pkr.hcl", BASIC)
    vf = write(tmp_path / "v.pkrvars.hcl", 'nmae = "x"\n')
    t = load(str(tmp_path), var_files=[vf], env={})
    assert [w.summary for w in t.warnings] == ["Undefined variable"]
    assert 'Did you mean "name"?' in t.warnings[0].detail


def test_var_file_type_error_points_into_the_var_file(tmp_path) -> None:
    write(tmp_path / "t.pkr.hcl", 'variable "n" {\n  type = number\n}\n')
    vf = write(tmp_path / "v.pkrvars.hcl", '\nn = "many"\n')
    with pytest.raises(TemplateError) as info:
        load(str(tmp_path), var_files=[vf], env={})
    d = info.value.diagnostics[0]
    assert d.summary == "Invalid value for variable"
    assert d.location is not None and d.location.filename == vf and d.location.line == 2


def test_no_config_files(tmp_path) -> None:
    with pytest.raises(TemplateError) as info:
        load(str(tmp_path), env={})
    assert info.value.diagnostics[0].summary.startswith("Could not find any config file in")


def test_syntax_only_skips_evaluation(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        variable "unset" {}
        locals { x = var.nope }
        source "null" "x" { communicator = "none" }
        build { sources = ["source.null.x"] }
        """)
    t = load(f, env={}, syntax_only=True)
    assert [s.full_name for s in t.builds[0].sources] == ["null.x"]
    with pytest.raises(TemplateError):
        load(f, env={})


def test_syntax_only_still_reports_syntax_errors(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", 'source "null" "x" {\n')
    with pytest.raises(TemplateError):
        load(f, env={}, syntax_only=True)


def test_errors_in_several_files_reported_together(tmp_path) -> None:
    write(tmp_path / "a.pkr.hcl", "locals {\n  a = var.x\n}\n")
    write(tmp_path / "b.pkr.hcl", "locals {\n  b = local.y\n}\n")
    with pytest.raises(TemplateError) as info:
        load(str(tmp_path), env={})
    files = sorted(os.path.basename(d.location.filename) for d in info.value.diagnostics if d.location)
    assert files == ["a.pkr.hcl", "b.pkr.hcl"]


def test_component_evaluate_uses_build_context(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        source "qemu" "vm" { communicator = "none" }
        build {
          name    = "b"
          sources = ["source.qemu.vm"]
          provisioner "shell" {
            inline = ["${build.name} ${source.type}.${source.name} ${build.Host}:${build.Port} ${build.PackerHTTPAddr}"]
          }
        }
        """)
    t = load(f, env={})
    p = t.builds[0].provisioners[0]
    out = p.evaluate({"source": {"name": "vm", "type": "qemu"},
                      "build": {"Host": "127.0.0.1", "Port": 3022, "PackerHTTPAddr": "10.0.2.2:8123"}})
    assert out == {"inline": ["b qemu.vm 127.0.0.1:3022 10.0.2.2:8123"]}
    assert p.attr_locations["inline"].line == 7


def test_component_evaluate_raises_template_error(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        source "qemu" "vm" { communicator = "none" }
        build {
          sources = ["source.qemu.vm"]
          provisioner "shell" { inline = [try(build.SSHPrivateKey, "")] }
        }
        """)
    t = load(f, env={})
    assert t.builds[0].provisioners[0].evaluate({"source": {"name": "vm", "type": "qemu"}}) == {"inline": [""]}


def test_required_version_constraints() -> None:
    assert check_version_constraint(">= 1.7.0", "1.11.0")
    assert check_version_constraint(">= 1.7.0, < 2.0.0", "1.11.0")
    assert check_version_constraint("~> 1.10", "1.11.0")
    assert not check_version_constraint("~> 1.10.0", "1.11.0")
    assert not check_version_constraint("< 1.11", "1.11.0")
    assert check_version_constraint("!= 1.10.0", "1.11.0")
    assert check_version_constraint("1.11.0", "1.11.0")
    with pytest.raises(ValueError):
        check_version_constraint("latest", "1.11.0")


def test_packer_block_is_recorded(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        packer {
          required_version = ">= 1.7.0"
          required_plugins {
            qemu = { version = ">= 1.1.0", source = "github.com/hashicorp/qemu" }
          }
        }
        """)
    t = load(f, env={})
    assert t.required_version == ">= 1.7.0"
    assert t.required_plugins == {"qemu": {"source": "github.com/hashicorp/qemu", "version": ">= 1.1.0"}}


def test_hcp_block_is_ignored_with_warning(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        source "null" "x" { communicator = "none" }
        build {
          sources = ["source.null.x"]
          hcp_packer_registry {
            bucket_name = "x"
          }
        }
        """)
    assert [w.summary for w in load(f, env={}).warnings] == ["Ignored block"]


def test_top_level_hcp_block_is_accepted_and_ignored_with_one_warning(tmp_path) -> None:
    # Packer 1.13 takes hcp_packer_registry at the top level too; pybuild does not talk to HCP
    f = write(tmp_path / "t.pkr.hcl", """
        hcp_packer_registry {
          bucket_name = "x"
          bucket_labels = { os = "rocky" }
        }
        source "null" "x" { communicator = "none" }
        build {
          sources = ["source.null.x"]
          hcp_packer_registry { bucket_name = "y" }
        }
        """)
    warnings = load(f, env={}).warnings
    assert [(w.summary, w.location.line if w.location else 0) for w in warnings] == [("Ignored block", 2)]
    assert "HCP Packer is not supported" in warnings[0].detail


def test_top_level_hcp_block_takes_no_labels(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        hcp_packer_registry "x" {}
        source "null" "x" { communicator = "none" }
        build { sources = ["source.null.x"] }
        """)
    with pytest.raises(TemplateError) as info:
        load(f, env={})
    assert [(d.summary, d.location.line, d.location.col) for d in info.value.diagnostics] == [
        ("Extraneous label for hcp_packer_registry", 2, 21)]


def test_pkr_var_for_undeclared_variable_is_ignored(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", BASIC)
    load(f, env={"PKR_VAR_whatever": "1"})


def test_sensitive_values_masked_in_diagnostics(tmp_path) -> None:
    f = write(tmp_path / "t.pkr.hcl", """
        variable "token" {
          default   = "tok-very-secret"
          sensitive = true
        }
        locals {
          m = { for k in [var.token, var.token] : k => 1 }
        }
        """)
    with pytest.raises(TemplateError) as info:
        load(f, env={})
    text = info.value.render()
    assert "Duplicate object key" in text
    assert "tok-very-secret" not in text and "<sensitive>" in text
