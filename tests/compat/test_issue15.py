"""Issue 15, items 1-7: what real public Packer templates do that pybuild must accept
(or, for validate, reject as Packer does). Each test runs the CLI in-process on a small
template written the way the public repositories write it."""

from __future__ import annotations

import hashlib
import io
import logging
import socket
import textwrap
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from builder import secrets
from builder.cli import main
from tests.test_media import Behaviour, http  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _clear_secrets() -> Iterator[None]:
    secrets.clear()
    yield
    secrets.clear()


def run_cli(*argv: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue() + err.getvalue()


def write(d: Path, name: str, text: str) -> Path:
    p = d / name
    p.write_text(textwrap.dedent(text))
    return p


# --- 1. secrets masking must not garble diagnostics ------------------------------------

CANARY = "Canary-Sens-4471"


def test_diagnostics_name_what_they_are_about(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chef/bento style: ssh_password = "vagrant", a file and a post-processor named vagrant
    (tmp_path / "x.iso").write_bytes(b"iso")
    write(tmp_path, "vagrant.pkr.hcl", """
        variable "secret" {
          type      = string
          sensitive = true
          default   = "Canary-Sens-4471"
        }
        source "qemu" "vagrant" {
          iso_url      = "x.iso"
          iso_checksum = "none"
          ssh_username = "vagrant"
          ssh_password = "vagrant"
          vm_name      = "box-${var.secret}"
          format       = "vagrant-${var.secret}"
        }
        build {
          sources = ["source.qemu.vagrant"]
          post-processor "vagrant" { bogus_pp = 1 }
          provisioner "shell" {
            inline       = ["echo"]
            bogus_option = "vagrant-${var.secret}"
          }
        }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2, out
    assert 'post-processor "vagrant"' in out and "bogus_pp" in out
    assert "on vagrant.pkr.hcl line 17" in out
    assert "bogus_option" in out
    assert "format" in out and "vagrant-<sensitive>" in out  # the value is quoted, the secret masked
    assert CANARY not in out
    # the password is still masked in runtime output (commands, logs, events)
    assert secrets.mask("echo vagrant | sudo -S true") == "echo <sensitive> | sudo -S true"
    assert secrets.mask(f"x {CANARY}") == "x <sensitive>"


def test_sensitive_value_equal_to_a_name_keeps_the_name(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # a sensitive variable "ubuntu" in ubuntu.pkr.hcl: locations, block types and labels stay readable
    write(tmp_path, "ubuntu.pkr.hcl", """
        variable "pw" {
          type      = string
          sensitive = true
          default   = "ubuntu"
        }
        source "null" "ubuntu" { communicator = "none" }
        build {
          sources = ["source.null.ubuntu"]
          post-processor "ubuntu" {}
        }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2, out
    assert 'Unknown post-processor type "ubuntu"' in out
    assert "on ubuntu.pkr.hcl line 10" in out
    assert "<sensitive>" not in out


def test_build_name_prefix_is_not_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.ui import UI, EventSink, MaskingFilter

    secrets.add("vagrant", from_template=True)
    events: list[dict[str, object]] = []
    sink = EventSink(None)
    sink.listeners.append(events.append)
    out = io.StringIO()
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(MaskingFilter())
    logging.getLogger("pybuild").addHandler(handler)
    monkeypatch.setattr(logging.getLogger("pybuild"), "level", logging.DEBUG)
    monkeypatch.setattr(logging.getLogger("pybuild"), "disabled", False)
    bui = UI(out=out, events=sink).for_build("qemu.vagrant")
    bui.say("password is vagrant")
    bui.event("step", text="vagrant")
    logging.getLogger("pybuild").removeHandler(handler)
    assert out.getvalue() == "==> qemu.vagrant: password is <sensitive>\n"
    assert events[0]["build"] == "qemu.vagrant" and events[0]["text"] == "<sensitive>"
    assert logged == ["qemu.vagrant: password is <sensitive>"]


# --- 2. winrm_* settings on an ssh source -----------------------------------------------


def test_winrm_settings_are_ignored_on_an_ssh_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chef/bento sets these on every source, whatever its communicator
    (tmp_path / "x.iso").write_bytes(b"iso")
    write(tmp_path, "bento.pkr.hcl", """
        source "qemu" "vm" {
          iso_url          = "x.iso"
          iso_checksum     = "none"
          communicator     = "ssh"
          ssh_username     = "vagrant"
          ssh_password     = "vagrant"
          winrm_username   = "vagrant"
          winrm_password   = "vagrant"
          winrm_timeout    = "60m"
          winrm_port       = 5986
          winrm_use_ssl    = true
          winrm_insecure   = true
          winrm_use_ntlm   = true
          winrm_host       = "10.0.0.2"
          winrm_no_proxy   = true
        }
        build { sources = ["source.qemu.vm"] }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert (rc, out.strip()) == (0, "The configuration is valid.")
    # a misspelt option is still an error
    write(tmp_path, "bento.pkr.hcl", """
        source "qemu" "vm" {
          iso_url        = "x.iso"
          iso_checksum   = "none"
          ssh_username   = "vagrant"
          winrm_usernam  = "vagrant"
        }
        build { sources = ["source.qemu.vm"] }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2 and 'Unsupported argument "winrm_usernam"' in out, out


# --- 3. a script path only has to exist ------------------------------------------------


def test_dev_null_is_a_valid_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # packer-maas: variable "customize_script" { default = "/dev/null" }
    (tmp_path / "x.iso").write_bytes(b"iso")
    write(tmp_path, "maas.pkr.hcl", """
        variable "customize_script" {
          type    = string
          default = "/dev/null"
        }
        source "qemu" "vm" {
          iso_url      = "x.iso"
          iso_checksum = "none"
          ssh_username = "u"
        }
        source "null" "local" { communicator = "none" }
        build {
          sources = ["source.qemu.vm", "source.null.local"]
          provisioner "shell" {
            only    = ["qemu.vm"]
            scripts = [var.customize_script]
          }
          provisioner "shell-local" {
            only    = ["null.local"]
            scripts = [var.customize_script]
          }
        }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert (rc, out.strip()) == (0, "The configuration is valid."), out
    # (tests/provisioners/test_shell.py runs /dev/null over a real SSH connection)
    # a path that does not exist is still an error
    rc, out = run_cli("validate", "-var", "customize_script=/nonexistent/x.sh", ".", cwd=tmp_path,
                      monkeypatch=monkeypatch)
    assert rc == 2 and out.count("Bad script '/nonexistent/x.sh': file not found") == 2, out


# --- 4. -only/-except: unselected builds are not evaluated -------------------------------


def test_unselected_sources_are_not_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AlmaLinux/cloud-images: each source uses variables of its own variant
    write(tmp_path, "alma.pkr.hcl", """
        source "null" "selected" { communicator = "none" }
        source "null" "other" {
          communicator = "none"
          foo          = var.only_declared_elsewhere
        }
        build {
          sources = ["source.null.selected", "source.null.other"]
          provisioner "shell-local" { inline = ["echo ran > ${source.name}.out"] }
          provisioner "shell-local" {
            only   = ["null.other"]
            inline = ["echo ${var.also_undeclared}"]
          }
        }
    """)
    for flags in (["-only", "null.selected"], ["-except", "null.other"], ["-only", "*.sel*"]):
        rc, out = run_cli("validate", *flags, ".", cwd=tmp_path, monkeypatch=monkeypatch)
        assert (rc, out.strip()) == (0, "The configuration is valid."), (flags, out)
    rc, out = run_cli("build", "-only=null.selected", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 0, out
    assert (tmp_path / "selected.out").read_text() == "ran\n"
    assert not (tmp_path / "other.out").exists()
    # selected, the same source is an error, with every problem at once
    rc, out = run_cli("validate", "-only", "null.other", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2
    assert '"only_declared_elsewhere" has not been declared' in out
    assert '"also_undeclared" has not been declared' in out


# --- 5. post-processors after a null build run -----------------------------------------


def test_post_processors_run_after_a_null_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.pkr.hcl", """
        source "null" "a" { communicator = "none" }
        build {
          sources = ["source.null.a"]
          post-processor "shell-local" { inline = ["echo pp-ran-for $PACKER_BUILD_NAME > pp.out"] }
          post-processor "manifest" { output = "manifest.json" }
        }
    """)
    rc, out = run_cli("build", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 0, out
    assert (tmp_path / "pp.out").read_text() == "pp-ran-for a\n"
    assert '"artifact_id": "Null"' in (tmp_path / "manifest.json").read_text()
    assert "Running post-processor: shell-local" in out


# --- 6. convert() takes a bare type expression -----------------------------------------
# (tests/template/differential_cases.txt compares these with Packer 1.6.6)


def test_convert_takes_a_type_expression(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.pkr.hcl", """
        locals {
          disk  = convert("20480", number)
          names = convert([1, 2], list(string))
          old   = convert("7", "number")
        }
        source "null" "a" { communicator = "none" }
        build {
          sources = ["source.null.a"]
          provisioner "shell-local" {
            inline = ["echo ${local.disk + 1} ${join(",", local.names)} ${local.old + 1} > out.txt"]
          }
        }
    """)
    rc, out = run_cli("build", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 0, out
    assert (tmp_path / "out.txt").read_text() == "20481 1,2 8\n"
    write(tmp_path, "t.pkr.hcl", """
        locals { bad = convert(1, integer) }
        source "null" "a" { communicator = "none" }
        build { sources = ["source.null.a"] }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2
    assert 'The keyword "integer" is not a valid type specification.' in out
    assert "on t.pkr.hcl line 2 (column 27)" in out


# --- 7. validate is as strict as Packer ---------------------------------------------------


def test_missing_cd_and_floppy_files_fail_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.iso").write_bytes(b"iso")
    (tmp_path / "here.cfg").write_text("ok")
    (tmp_path / "dir").mkdir()
    write(tmp_path, "t.pkr.hcl", """
        source "qemu" "vm" {
          iso_url      = "x.iso"
          iso_checksum = "none"
          ssh_username = "u"
          cd_files     = ["here.cfg", "dir", "missing/user-data"]
          floppy_files = ["here.cfg", "nothing-*.cfg"]
          floppy_dirs  = ["dir", "no-such-dir"]
        }
        build { sources = ["source.qemu.vm"] }
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2, out
    blocks = out.split("Error: ")[1:]
    assert len(blocks) == 3, out
    want = [("missing/user-data", "line 6 (column 3)"), ("nothing-*.cfg", "line 7 (column 3)"),
            ("no-such-dir", "line 8 (column 3)")]
    for name, where in want:
        block = next(b for b in blocks if name in b)
        assert f"on t.pkr.hcl {where}" in block, block


def test_file_checksum_is_resolved_at_validate(tmp_path: Path, http: tuple[str, Behaviour],  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    url, served = http  # a real HTTP server on 127.0.0.1
    iso = tmp_path / "os.iso"
    iso.write_bytes(b"an installer")
    digest = hashlib.sha256(b"an installer").hexdigest()
    served.files["/SHA256SUMS"] = f"{digest}  os.iso\n{'0' * 64}  other.iso\n".encode()
    served.files["/WRONG"] = f"{digest}  other.iso\n".encode()
    (tmp_path / "SUMS.local").write_text(f"{digest} *os.iso\n")
    write(tmp_path, "t.pkr.hcl", """
        variable "sums" { type = string }
        source "qemu" "vm" {
          iso_url      = "os.iso"
          iso_checksum = "file:${var.sums}"
          ssh_username = "u"
        }
        build { sources = ["source.qemu.vm"] }
    """)
    for sums in (f"{url}/SHA256SUMS", "./SUMS.local", f"file://{tmp_path}/SUMS.local"):
        rc, out = run_cli("validate", "-var", f"sums={sums}", ".", cwd=tmp_path, monkeypatch=monkeypatch)
        assert (rc, out.strip()) == (0, "The configuration is valid."), (sums, out)
    rc, out = run_cli("validate", "-var", f"sums={url}/WRONG", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2 and f"no checksum for 'os.iso' found in checksum file {url}/WRONG" in out, out
    assert "on t.pkr.hcl line 5 (column 3)" in out
    rc, out = run_cli("validate", "-var", f"sums={url}/MISSING", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2 and f"cannot download checksum file {url}/MISSING: 404" in out, out
    rc, out = run_cli("validate", "-var", "sums=./nope", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2 and "cannot read checksum file" in out and "No such file or directory" in out, out


def test_unreachable_checksum_file_is_a_clear_validate_error(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write(tmp_path, "t.pkr.hcl", f"""
        source "qemu" "vm" {{
          iso_url      = "http://127.0.0.1:{port}/os.iso"
          iso_checksum = "file:http://127.0.0.1:{port}/SHA256SUMS"
          ssh_username = "u"
        }}
        build {{ sources = ["source.qemu.vm"] }}
    """)
    rc, out = run_cli("validate", ".", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rc == 2
    assert (f"iso_checksum: cannot download checksum file http://127.0.0.1:{port}/SHA256SUMS: "
            "Connection refused") in out, out
