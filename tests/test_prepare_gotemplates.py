"""Go templates (``{{ }}``) in every string option of a component are rendered when it is
prepared, as Packer does (issue 15, item 10); boot_command/qemuargs/execute_command and
the like are left for the component, which renders them with its runtime data."""

from __future__ import annotations

from pathlib import Path

import pytest

import builder
from builder import cli
from builder.build import go_context, instantiate, plan, prepare
from builder.errors import TemplateError
from builder.gotemplate import render_options
from builder.template.loader import load

QEMU = """
variable "pw" {
  type    = string
  default = "s3cret"
}
source "qemu" "deb" {
  iso_url          = "%(iso)s"
  iso_checksum     = "none"
  vm_name          = "{{ build_name }}-{{ packer_version }}.qcow2"
  shutdown_command = "echo '{{ user `pw` }}' | sudo -S shutdown -P now"
  boot_command     = ["<tab> ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg<enter>"]
  qemuargs         = [["-name", "{{ .Name }}"]]
  ssh_username     = "root"
}
build {
  sources = ["source.qemu.deb"]
  provisioner "file" {
    source      = "%(src)s"
    destination = "/tmp/{{ build_name }}-{{ build_type }}.txt"
  }
  provisioner "shell" {
    inline          = ["echo {{ packer_version }}"]
    execute_command = "sudo {{ .Vars }} sh {{ .Path }}"
  }
}
"""


def _qemu_template(tmp_path: Path, text: str = QEMU) -> Path:
    iso = tmp_path / "os.iso"
    iso.write_bytes(b"iso")
    src = tmp_path / "file.txt"
    src.write_text("x")
    p = tmp_path / "t.pkr.hcl"
    p.write_text(text % {"iso": iso, "src": src})
    return p


def test_builder_options_are_rendered_at_prepare(tmp_path: Path) -> None:
    tpl = load(str(_qemu_template(tmp_path)))
    [pb] = prepare(tpl, plan(tpl))
    cfg = pb.builder.config
    assert cfg.vm_name == f"deb-{builder.PACKER_COMPAT_VERSION}.qcow2"
    assert cfg.shutdown_command == "echo 's3cret' | sudo -S shutdown -P now"
    # rendered later, with the run's HTTP address and VM name
    assert cfg.boot_command == ["<tab> ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg<enter>"]
    assert cfg.qemuargs == [["-name", "{{ .Name }}"]]


def test_provisioner_options_are_rendered_but_execute_command_waits(tmp_path: Path) -> None:
    tpl = load(str(_qemu_template(tmp_path)))
    [p] = plan(tpl)
    go = go_context(tpl, p)
    file_spec, shell_spec = tpl.builds[0].provisioners
    f = instantiate("provisioner", "file", file_spec.evaluate({}), where=None, attr_locations={},
                    ignore=("name",), go=go)
    assert f.config.destination == "/tmp/deb-qemu.txt"
    s = instantiate("provisioner", "shell", shell_spec.evaluate({}), where=None, attr_locations={}, go=go)
    assert s.config.inline == [f"echo {builder.PACKER_COMPAT_VERSION}"]
    assert s.config.execute_command == "sudo {{ .Vars }} sh {{ .Path }}"


def test_a_broken_template_is_a_validate_error_naming_the_option(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = QEMU.replace("shutdown -P now", "shutdown {{ nope }}")
    path = _qemu_template(tmp_path, text)
    tpl = load(str(path))
    with pytest.raises(TemplateError) as ei:
        prepare(tpl, plan(tpl))
    msg = ei.value.render()
    assert 'Invalid Go template in "shutdown_command" of source "qemu.deb"' in msg
    assert 'function "nope" not defined' in msg
    assert f"on {path} line 10 (column 3)" in msg  # the attribute's location
    assert cli.main(["validate", str(path)]) == 2


def test_a_field_the_data_lacks_renders_as_no_value_at_prepare() -> None:
    """Packer prepares with a map: `{{ .HTTPIP }}` in a provisioner's inline is "<no value>"
    (Packer 1.6.6 validates it), not an error."""
    out, errors = render_options({"inline": ["echo {{ .HTTPIP }}"]}, {"Name": "n"})
    assert errors == {} and out["inline"] == ["echo <no value>"]


def test_render_options_walks_lists_and_maps_and_skips() -> None:
    out, errors = render_options(
        {"a": "{{ build_name }}", "l": ["x{{ build_type }}"], "m": {"k": "{{ upper `v` }}"},
         "late": "{{ .Path }}", "n": 3, "bad": "{{ nope }}"},
        {}, skip=("late",), build_name="b", build_type="qemu",
    )
    assert out["a"] == "b" and out["l"] == ["xqemu"] and out["m"] == {"k": "V"}
    assert out["late"] == "{{ .Path }}" and out["n"] == 3
    assert list(errors) == ["bad"] and 'function "nope" not defined' in errors["bad"]


NULL = """
source "null" "n" {}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    environment_vars = [
      "PACKER_VERSION={{packer_version}}",
      "PACKER_VM_NAME={{build `ID`}}",
      "NAME={{ .Name }}",
    ]
    inline = ["echo \\"$PACKER_VERSION $PACKER_VM_NAME $NAME {{ build_name }}\\" > %s"]
  }
}
"""


def test_environment_vars_and_inline_are_rendered_in_a_real_build(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBUILD_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYBUILD_FAILURE_DIR", str(tmp_path / "fail"))
    out = tmp_path / "out.txt"
    tpl = tmp_path / "t.pkr.hcl"
    tpl.write_text(NULL % out)
    assert cli.main(["build", str(tpl)]) == 0
    # the null builder has no ID: Packer's placeholder text, as Packer gives it
    assert out.read_text() == f"{builder.PACKER_COMPAT_VERSION} ERR_ID_NOT_IMPLEMENTED_BY_BUILDER n n\n"


def test_validate_reports_template_and_component_check_errors_in_one_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The loader makes each component once, as prepare would (Go templates rendered, the
    files it names checked): a type error and a missing firstboot script come in one list."""
    text = QEMU.replace('variable "pw" {', 'variable "cpus" {\n  type    = number\n  default = "many"\n}\n'
                        'variable "pw" {').replace(
        'execute_command = "sudo {{ .Vars }} sh {{ .Path }}"\n  }\n',
        'execute_command = "sudo {{ .Vars }} sh {{ .Path }}"\n  }\n'
        '  post-processor "virt-sysprep" {\n    firstboot = ["{{ build_name }}-first.sh"]\n  }\n')
    path = _qemu_template(tmp_path, text)
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Invalid default value for variable" in err
    assert f"on {path} line 4 (column 13)" in err  # the default's location
    assert "firstboot: script deb-first.sh not found" in err  # the Go template was rendered
    assert f"on {path} line 30 (column 5)" in err  # the firstboot option's location


def test_prepare_reuses_the_components_the_loader_made(tmp_path: Path) -> None:
    tpl = load(str(_qemu_template(tmp_path)), check_components=True)
    [pb] = prepare(tpl, plan(tpl))
    made = {(name, kind): obj for (name, kind, _where), obj in tpl.components.items()}
    assert made[("qemu.deb", "builder")] is pb.builder
    assert pb.builder.config.vm_name == f"deb-{builder.PACKER_COMPAT_VERSION}.qcow2"  # rendered once
    assert len(tpl.components) == 3  # the source and both provisioners
