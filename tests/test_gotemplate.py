"""Tests of the Go-template renderer used for boot_command, qemuargs, execute_command, ..."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

import builder
from builder.gotemplate import GoTemplateError, referenced_fields, render
from builder.template.functions import INIT_TIME
from tests.tools import require_tool

DATA: dict[str, Any] = {
    "HTTPIP": "10.0.2.2",
    "HTTPPort": 8104,
    "Name": "debian",
    "Path": "/tmp/a b&c.sh",
    "Vars": "A=1 B=2",
    "Flag": False,
    "List": ["x", "y"],
    "Map": {"k": "v", "n": 3},
    "Empty": "",
    "NoItems": [],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no actions at all", "no actions at all"),
        ("http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg<enter>", "http://10.0.2.2:8104/preseed.cfg<enter>"),
        ("{{.HTTPIP}}", "10.0.2.2"),
        ("{{ .Map.k }}-{{ .Map.n }}", "v-3"),
        ("{{ .Path | urlquery }}", "%2Ftmp%2Fa+b%26c.sh"),
        ("{{ urlquery .Path }}", "%2Ftmp%2Fa+b%26c.sh"),
        ("chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}", "chmod +x /tmp/a b&c.sh; A=1 B=2 /tmp/a b&c.sh"),
        ('{{ upper .Name }} {{ lower "ABC" }}', "DEBIAN abc"),
        ('{{ .Name | upper }}', "DEBIAN"),
        ('{{ replace "a" "o" 1 "banana" }}', "bonana"),
        ('{{ replace "a" "o" -1 "banana" }}', "bonono"),
        ('{{ replace_all "a" "o" "banana" }}', "bonono"),
        ('{{ split "a-b-c" "-" 2 }}', "c"),
        ("{{ split `10.0.2.2` `.` 3 }}", "2"),
        ('{{ printf "%s:%d" .HTTPIP .HTTPPort }}', "10.0.2.2:8104"),
        ("{{ len .List }} {{ index .List 1 }} {{ index .Map `k` }}", "2 y v"),
        ('{{ print "a" 1 }}{{ "raw\\tstring" }}', "a1raw\tstring"),
        ("{{ true }} {{ 42 }} {{ .Flag }}", "true 42 false"),
        ("{{ (upper .Name) | lower }}", "debian"),
        ("{{ .List }} {{ .Map }}", "[x y] map[k:v n:3]"),
        ("{{ $.Name }}", "debian"),
        # trim markers
        ("a   {{- .Name }}", "adebian"),
        ("{{ .Name -}}   \n  b", "debianb"),
        ("<\n  {{- .Name -}}\n>", "<debian>"),
        ("{{/* a comment */}}x", "x"),
        ("{{- /* trimmed comment */ -}}  y", "y"),
        # control flow
        ("{{ if .Flag }}yes{{ else }}no{{ end }}", "no"),
        ("{{ if .Name }}yes{{ end }}", "yes"),
        ("{{ if not .Empty }}empty{{ end }}", "empty"),
        ("{{ if eq .Name `debian` `ubuntu` }}deb{{ end }}", "deb"),
        ("{{ if and .Name .Flag }}1{{ else }}0{{ end }}", "0"),
        ("{{ range .List }}[{{ . }}]{{ end }}", "[x][y]"),
        ("{{ range .NoItems }}x{{ else }}none{{ end }}", "none"),
        ("{{ with .Map }}{{ .k }}{{ end }}", "v"),
        ("{{ if gt .HTTPPort 8000 }}high{{ end }}", "high"),
    ],
)
def test_render(text: str, expected: str) -> None:
    assert render(text, DATA) == expected


def test_packer_functions() -> None:
    out = render(
        "{{ build_name }}|{{ build_type }}|{{ user `disk` }}|{{ user `missing` }}|{{ packer_version }}",
        DATA, user_vars={"disk": "20G"}, build_name="qemu.debian", build_type="qemu",
    )
    assert out == f"qemu.debian|qemu|20G||{builder.PACKER_COMPAT_VERSION}"


def test_env_pwd_and_template_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("PYBUILD_GT_TEST", "hello")
    monkeypatch.chdir(tmp_path)
    assert render("{{ env `PYBUILD_GT_TEST` }}|{{ env `PYBUILD_GT_UNSET_X` }}", {}) == "hello|"
    assert render("{{ pwd }}", {}) == os.getcwd()
    assert render("{{ template_dir }}", {}, template_dir="sub") == str(tmp_path / "sub")
    assert render("{{ template_dir }}", {}) == os.getcwd()


def test_time_functions_use_the_run_start_time() -> None:
    assert render("{{ timestamp }}", {}) == str(int(INIT_TIME.timestamp()))
    assert render("{{ timestamp }}", {}) == render("{{ timestamp }}", {})
    assert render('{{ isotime "2006-01-02" }}', {}) == INIT_TIME.strftime("%Y-%m-%d")
    assert render("{{ isotime }}", {}) == INIT_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert render('{{ isotime "20060102-150405" }}', {}) == INIT_TIME.strftime("%Y%m%d-%H%M%S")
    assert render('{{ strftime "%Y" }}', {}) == INIT_TIME.strftime("%Y")


def test_uuid_is_time_ordered() -> None:
    a, b = render("{{ uuid }}", {}), render("{{ uuid }}", {})
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, a) and re.fullmatch(pattern, b)
    assert a != b and a[:8] <= b[:8]


def test_build_function_reads_the_data() -> None:
    assert render("{{ build `HTTPIP` }}", DATA) == "10.0.2.2"
    with pytest.raises(GoTemplateError, match="couldnt find ID"):
        render("{{ build `ID` }}", DATA)


def test_unknown_field_names_known_fields() -> None:
    with pytest.raises(GoTemplateError) as exc:
        render("{{ .HTTPAddr }}", DATA)
    msg = str(exc.value)
    assert ".HTTPAddr" in msg and ".HTTPIP" in msg and ".HTTPPort" in msg


def test_unknown_function_names_known_functions() -> None:
    with pytest.raises(GoTemplateError) as exc:
        render("{{ frobnicate .Name }}", DATA)
    assert '"frobnicate" not defined' in str(exc.value) and "urlquery" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{{ .Name ", "unclosed action"),
        ("{{ if .Name }}x", "missing {{end}}"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ }}", "missing value"),
        ("{{ .Name .Vars }}", "can't give argument to non-function"),
        ("{{ split `a` `,` 3 }}", "substring 3 was unavailable"),
        ("{{ sed `s/a/b/` `a` }}", "deprecated"),
        ("{{ vault `secret/x` `k` }}", "not supported by pybuild"),
        ("{{ isotime `a` `b` }}", "too many values"),
        ("{{ upper }}", "wrong number"),
        ('{{ "unterminated }}', "unexpected"),
        ("{{ template `x` }}", "not supported"),
    ],
)
def test_errors(text: str, fragment: str) -> None:
    with pytest.raises(GoTemplateError, match=re.escape(fragment)):
        render(text, DATA)


def test_error_is_a_value_error() -> None:
    assert issubclass(GoTemplateError, ValueError)


def test_referenced_fields() -> None:
    assert referenced_fields("http://{{ .HTTPIP }}:{{ .HTTPPort }}/") == {"HTTPIP", "HTTPPort"}
    assert referenced_fields("{{ .Path | urlquery }} {{ upper .Name }}") == {"Path", "Name"}
    assert referenced_fields("{{ .Map.k }} {{ $.Vars }}") == {"Map", "Vars"}
    assert referenced_fields("{{ build `ID` }} {{ user `x` }}") == {"ID"}
    assert referenced_fields("{{ range .List }}{{ .Inner }}{{ end }}") == {"List"}
    assert referenced_fields("{{ if .Flag }}{{ .Name }}{{ end }}") == {"Flag", "Name"}
    assert referenced_fields("plain text") == set()


def test_object_data_and_unknown_object_field() -> None:
    from dataclasses import dataclass

    @dataclass
    class Ctx:
        HTTPIP: str
        HTTPPort: int

    assert render("{{ .HTTPIP }}:{{ .HTTPPort }}", Ctx("10.0.2.2", 80)) == "10.0.2.2:80"  # type: ignore[arg-type]
    with pytest.raises(GoTemplateError, match=r"\.Missing.*known fields: \.HTTPIP, \.HTTPPort"):
        render("{{ .Missing }}", Ctx("10.0.2.2", 80))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- against Packer 1.6.6

# Packer 1.6.6's `packer console` on a legacy JSON template renders Go templates
# with the same function set, so it is a second implementation to compare with.
# These cases use no data fields (the console has no build data).
PACKER_CASES = [
    "{{ upper `abc` }}",
    '{{ lower "ÀBC" }}',
    "{{ user `disk` }}",
    "{{ user `missing` }}",
    "{{ replace_all `a` `o` `banana` }}",
    '{{ replace "a" "o" 1 "banana" }}',
    '{{ replace "a" "o" -1 "banana" }}',
    "{{ split `a-b-c` `-` 0 }}",
    '{{ split "10.0.2.2" "." 3 }}',
    '{{ printf "%s-%d" `x` 3 }}',
    '{{ printf "%05.1f|%x|%q" 3.14159 255 "a\\"b" }}',
    '{{ printf "%v %v" 1.5 true }}',
    '{{ printf "%.2f" 2.5 }}',
    '{{ "a b&c/d" | urlquery }}',
    '{{ urlquery "a" "b c" }}',
    "{{ print 1 2 }}",
    '{{ print "a" 1 2 "b" }}',
    '{{ println "a" "b" }}x',
    "{{ html \"<a href='x'>&</a>\" }}",
    '{{ js "a\'b\\"c<d>" }}',
    '{{ len "héllo" }}',
    '{{ index "abc" 1 }}',
    '{{ eq 1 1 }}|{{ eq "a" "b" "a" }}|{{ ne 1 2 }}|{{ lt 1 2 }}|{{ ge 2 2 }}',
    '{{ and 1 0 }}|{{ and 1 2 }}|{{ or "" "x" }}|{{ or 0 "" }}|{{ not true }}|{{ not "" }}',
    '{{ if eq "a" "a" }}yes{{ else }}no{{ end }}',
    "{{ if false }}yes{{ end }}-",
    '{{ with "x" }}[{{ . }}]{{ end }}',
    '{{ with "" }}[{{ . }}]{{ else }}empty{{ end }}',
    "{{ 3.0 }}|{{ 1e3 }}|{{ 0x10 }}|{{ 'a' }}|{{ -5 }}|{{ 1.5 }}",
    '{{ "\\u00e9\\t|" }}',
    "{{ `raw\\n` }}",
    'a   {{- "b" -}}   c',
    "{{/* comment */}}after",
    '{{ (upper "a") | printf "%s!" }}',
    '{{ "x" | printf "%s-%s" "y" }}',
    "{{ true }}|{{ false }}",
    '{{ isotime "2006" }}',
    '{{ len (split "a,b" "," 1) }}',
]


def test_agrees_with_packer_166(tmp_path: Any) -> None:
    import subprocess

    packer = require_tool("packer", hint="apt-get install -y packer gives 1.6.6")
    tpl = tmp_path / "console.json"
    tpl.write_text('{"variables": {"disk": "20G"}, "builders": [{"type": "null", "communicator": "none"}]}')
    sep = "@@PYBUILD-SEP@@"
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [packer, "console", str(tpl)], input=sep.join(PACKER_CASES) + "\n",
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    theirs = proc.stdout.removesuffix("\n").split(sep)
    assert len(theirs) == len(PACKER_CASES), proc.stdout
    ours = [render(c, {}, user_vars={"disk": "20G"}) for c in PACKER_CASES]
    diffs = [f"{c!r}: packer={t!r} pybuild={o!r}" for c, t, o in zip(PACKER_CASES, theirs, ours, strict=True)
             if t != o]
    assert not diffs, "\n".join(diffs)
