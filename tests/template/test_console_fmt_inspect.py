"""console_eval output formatting, format_hcl, inspect_text."""

from __future__ import annotations

import textwrap

import pytest

from builder.errors import TemplateError
from builder.template.console import console_eval
from builder.template.fmt import format_hcl
from builder.template.inspect import inspect_text
from builder.template.loader import load

TEMPLATE = """
variable "pw" {
  type      = string
  default   = "hunter2-long"
  sensitive = true
}
variable "name" {
  default = "rocky"
}
locals {
  l    = [1, "a", true, null, { a = 1 }]
  m    = { b = [1, 2], a = "x" }
  pass = "user:${var.pw}"
}
source "qemu" "vm" {
  communicator = "none"
}
build {
  name = "images"
  source "source.qemu.vm" {
    name = "renamed"
  }
  provisioner "shell" {
    name   = "setup"
    only   = ["qemu.renamed"]
    inline = ["true"]
  }
  error-cleanup-provisioner "shell-local" {
    inline = ["echo cleanup"]
  }
  post-processor "manifest" {}
  post-processors {
    post-processor "shell-local" {
      inline = ["true"]
    }
    post-processor "checksum" {}
  }
}
"""


@pytest.fixture
def tpl(tmp_path):
    p = tmp_path / "t.pkr.hcl"
    p.write_text(TEMPLATE)
    return load(str(p), env={})


def test_console_formats_like_packer(tpl) -> None:
    assert console_eval(tpl, "var.name") == "rocky"
    assert console_eval(tpl, "local.l") == '[\n  1,\n  "a",\n  true,\n  null,\n  {\n    "a" = 1\n  },\n]'
    assert console_eval(tpl, "local.m") == '{\n  "a" = "x"\n  "b" = [\n    1,\n    2,\n  ]\n}'
    assert console_eval(tpl, "jsonencode(local.l)") == '[1,"a",true,null,{"a":1}]'
    assert console_eval(tpl, "[]") == "[]"
    assert console_eval(tpl, "{}") == "{}"
    assert console_eval(tpl, "1/3") == "0.3333333333333333"
    assert console_eval(tpl, '"a\\nb"') == "a\nb"
    assert console_eval(tpl, "") == ""


def test_console_masks_sensitive(tpl) -> None:
    assert console_eval(tpl, "var.pw") == "<sensitive>"
    assert console_eval(tpl, "local.pass") == "user:<sensitive>"
    assert console_eval(tpl, "upper(var.pw)") == "<sensitive>"


def test_console_errors(tpl) -> None:
    with pytest.raises(TemplateError) as info:
        console_eval(tpl, "var.nme")
    d = info.value.diagnostics[0]
    assert d.summary == "Reference to undeclared input variable"
    assert 'Did you mean "name"?' in d.detail
    with pytest.raises(TemplateError):
        console_eval(tpl, "1 +")


def test_console_without_template() -> None:
    assert console_eval(None, "upper(\"x\")") == "X"
    with pytest.raises(TemplateError):
        console_eval(None, "var.x")


def test_inspect(tpl) -> None:
    text = inspect_text(tpl)
    assert 'var.pw: "<sensitive>"' in text
    assert "hunter2" not in text
    assert 'var.name: "rocky"' in text
    assert 'local.l: [1, "a", true, null, {"a": 1}]' in text
    assert "  > images:" in text
    assert "      qemu.renamed" in text
    assert "      shell (setup) [only: qemu.renamed]" in text
    assert "    error-cleanup-provisioner:\n\n      shell-local" in text
    assert "      0:\n        manifest\n      1:\n        shell-local\n        checksum" in text


def test_inspect_sections_order(tpl) -> None:
    text = inspect_text(tpl)
    assert text.index("> input-variables:") < text.index("> local-variables:") < text.index("> builds:")


FMT_IN = """\
variable "x" {
type = string
    default="a"   # comment
  description    =    "long"
}
locals {
  a = 1
  bbbbbb = [1,2,3]
  c = {
    x = 1
    yyy = 2
  }
  e = var.x=="a"?1:2
  f = [for s in var.y : upper(s) if s!=""]
  g = {a=1,b=2}
  h = func( 1 , 2 )
  i = a[0].b[*].c
  j = -1
  k = !true
  e2 = {for k,v in var.m: k=>v if v!=null}
  m = <<EOF
  keep   this
EOF
  n = [
  "a",
    "b"
  ]
}
build {
  sources = ["source.a.b"]   // slash comment
  provisioner "shell" {
    inline = [
      "echo",   # c1
      "echo2",  # c2
    ]
  }
}
"""

FMT_OUT = """\
variable "x" {
  type        = string
  default     = "a" # comment
  description = "long"
}
locals {
  a      = 1
  bbbbbb = [1, 2, 3]
  c = {
    x   = 1
    yyy = 2
  }
  e  = var.x == "a" ? 1 : 2
  f  = [for s in var.y : upper(s) if s != ""]
  g  = { a = 1, b = 2 }
  h  = func(1, 2)
  i  = a[0].b[*].c
  j  = -1
  k  = !true
  e2 = { for k, v in var.m : k => v if v != null }
  m  = <<EOF
  keep   this
EOF
  n = [
    "a",
    "b"
  ]
}
build {
  sources = ["source.a.b"] // slash comment
  provisioner "shell" {
    inline = [
      "echo",  # c1
      "echo2", # c2
    ]
  }
}
"""


def test_format_hcl() -> None:
    assert format_hcl(FMT_IN) == FMT_OUT


def test_format_is_idempotent() -> None:
    assert format_hcl(FMT_OUT) == FMT_OUT


def test_format_rejects_invalid_hcl() -> None:
    with pytest.raises(TemplateError):
        format_hcl('a = "unterminated\n')


def test_format_keeps_blank_lines_and_comments() -> None:
    src = textwrap.dedent("""\
        # header

        source "qemu" "x" {
          # lead comment
          a = 1


          bb = 2
        }
        """)
    assert format_hcl(src) == src
