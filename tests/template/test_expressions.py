"""The expression evaluator, through console_eval (no template) and render_template_string."""

from __future__ import annotations

import pytest

from builder.errors import TemplateError
from builder.template.console import console_eval
from builder.template.functions import render_template_string


@pytest.mark.parametrize(
    ("expr", "out"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("10 / 4", "2.5"),
        ("10 / 2", "5"),
        ("-7 % 3", "-1"),
        ("0.1 + 0.2", "0.3"),
        ("2 - -3", "5"),
        ("!true", "false"),
        ("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3", "true"),
        ("1 == \"1\"", "false"),
        ("[1, \"a\"] == [1, \"a\"]", "true"),
        ("null == null", "true"),
        ("true ? \"a\" : \"b\"", "a"),
        ("false ? \"a\" : 5", "5"),
        ("\"true\" ? 1 : 2", "1"),
        ("\"a${1 + 1}b\"", "a2b"),
        ("\"${true}\"", "true"),
        ("\"x%{if 1 > 0}yes%{else}no%{endif}\"", "xyes"),
        ("\"%{for i, v in [\"a\", \"b\"]}${i}${v} %{endfor}\"", "0a 1b "),
        ("\"  %{~ if true ~}  x  %{~ endif ~}  \"", "x"),
        ("\"$${literal} %%{literal}\"", "${literal} %{literal}"),
        ("\"a ${~ \"b\" ~} c\"", "abc"),
        ("\"x\\t${~ 1 + 1 ~}\\n|\"", "x2|"),
        ("\"{{ .HTTPIP }}:{{ .HTTPPort }}\"", "{{ .HTTPIP }}:{{ .HTTPPort }}"),
        ("\"a\\tb\\\\c\\\"d\\u00e9\"", "a\tb\\c\"d\u00e9"),
        ("[for x in [1, 2, 3] : x * 2 if x != 2][1]", "6"),
        ("{for k, v in {a = 1, b = 2} : v => k}[\"2\"]", "b"),
        ("length({for s in [\"a\", \"b\", \"a\"] : s => s...}[\"a\"])", "2"),
        ("[{n = [1, 2]}, {n = [3, 4]}][*].n[1]", "[\n  2,\n  4,\n]"),
        ("[{n = 1}, {n = 2}].*.n[0]", "1"),
        ("{a = {b = [10, 20]}}.a.b.1", "20"),
        ("{a = 1}[\"a\"]", "1"),
        ("[\"x\", \"y\"][\"1\"]", "y"),
        ("try({a = 1}.b, \"fallback\")", "fallback"),
        ("try(tonumber(\"x\"), 7)", "7"),
        ("can({a = 1}.a)", "true"),
        ("can([][0])", "false"),
        ("max([3, 9, 4]...)", "9"),
        ("upper(\"abc\")", "ABC"),
        ("jsonencode({b = [1, 2], a = \"x\"})", '{"a":"x","b":[1,2]}'),
        ("null", "null"),
        ("1e3", "1000"),
        ("1.5", "1.5"),
        ("packer.version", "1.14.3"),
    ],
)
def test_eval(expr: str, out: str) -> None:
    assert console_eval(None, expr) == out


@pytest.mark.parametrize(
    ("expr", "summary", "fragment"),
    [
        ("nope.x", "Unknown variable", 'There is no variable named "nope".'),
        ("uppr(\"x\")", "Call to unknown function", 'Did you mean "upper"?'),
        ("{a = 1}.b", "Unsupported attribute", 'This object does not have an attribute named "b".'),
        ("[1][3]", "Invalid index", "out of range"),
        ("1 + \"a\"", "Invalid operand", "right operand: a number is required"),
        ("1 / 0", "Division by zero", ""),
        ("\"x${null}\"", "Invalid template interpolation value", "null"),
        ("\"${[1]}x\"", "Invalid template interpolation value", "string required"),
        ("1 ? 2 : 3", "Incorrect condition type", "bool"),
        ("null ? 2 : 3", "Null condition", ""),
        ("{for x in [1, 1] : x => x}", "Duplicate object key", "ellipsis"),
        ("upper(1, 2)", "Too many function arguments", "upper"),
        ("vault(\"a\", \"b\")", "Unsupported function", "vault"),
        ("env(\"HOME\")", "Call to unknown function", "only available in variable default values"),
        ("try(nope.x, 1)", "Unknown variable", ""),
        ("[for x in 5 : x]", "Iteration over non-iterable value", ""),
    ],
)
def test_eval_errors(expr: str, summary: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as info:
        console_eval(None, expr)
    d = info.value.diagnostics[0]
    assert d.summary == summary
    assert fragment in d.detail
    assert d.location is not None and d.location.filename == "<console-input>" and d.location.line == 1


def test_error_column_points_at_the_failing_step() -> None:
    with pytest.raises(TemplateError) as info:
        console_eval(None, "1 + [1, 2][5]")
    loc = info.value.diagnostics[0].location
    assert loc is not None and (loc.line, loc.col) == (1, 11)


def test_render_template_string() -> None:
    text = "host=${name}\n%{ for p in pkgs ~}\n- ${p}\n%{ endfor ~}\nend\n"
    assert render_template_string(text, {"name": "h", "pkgs": ["a", "b"]}, "t.tpl") == "host=h\n- a\n- b\nend\n"


def test_render_template_string_errors_carry_template_location() -> None:
    with pytest.raises(TemplateError) as info:
        render_template_string("line1\nvalue ${missing}\n", {}, "ks.tpl")
    d = info.value.diagnostics[0]
    assert d.summary == "Unknown variable"
    assert d.location is not None and (d.location.filename, d.location.line, d.location.col) == ("ks.tpl", 2, 9)


def test_render_template_string_syntax_error() -> None:
    with pytest.raises(TemplateError) as info:
        render_template_string("a\n%{ if x }b\n", {"x": True}, "t.tpl")
    assert info.value.diagnostics[0].summary == "Unterminated template directive"
    assert info.value.diagnostics[0].location.line == 2  # type: ignore[union-attr]
