"""Matrix tests: a fast ``null``-builder template whose cells print a message and fail on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

NULL_TEMPLATE = '''
variable "msg" {
  type    = string
  default = "hi"
}
variable "fail" {
  type    = bool
  default = false
}
variable "need_pw" {
  type    = bool
  default = false
}
variable "password" {
  type      = string
  default   = ""
  sensitive = true
}
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    environment_vars = ["PW=${var.password}"]
    inline = [
      "echo cell says ${var.msg}",
      "${var.fail ? "exit 3" : "true"}",
      "${var.need_pw ? "test -n \\"$PW\\"" : "true"}",
    ]
  }
}
'''


@pytest.fixture
def mdir(tmp_path: Path) -> Path:
    """A directory with ``null.pkr.hcl``; write ``matrix.hcl`` beside it."""
    (tmp_path / "null.pkr.hcl").write_text(NULL_TEMPLATE)
    return tmp_path
