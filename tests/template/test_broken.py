"""Broken templates: every diagnostic carries file, line and column and Packer-style wording."""

from __future__ import annotations

import os

import pytest

from builder.errors import TemplateError
from builder.template.loader import load

BROKEN = os.path.join(os.path.dirname(__file__), "broken")

# name -> (load kwargs, [(file suffix, line, col, summary, detail fragment)])
CASES: dict[str, tuple[dict, list[tuple[str, int, int, str, str]]]] = {
    "syntax-unclosed-block": ({}, [("", 1, 19, "Unclosed configuration block", "no closing brace")]),
    "syntax-unterminated-string": ({}, [("", 2, 18, "Unterminated template string", "No closing marker")]),
    "syntax-missing-value": ({}, [("", 2, 17, "Invalid expression", "Expected the start of an expression")]),
    "syntax-invalid-character": ({}, [("", 2, 9, "Invalid character", "'@' is not used within the language")]),
    "syntax-missing-equals": ({}, [("", 2, 22, "Invalid block definition",
                                    'block content delimited by "{" and "}"')]),
    "syntax-extra-brace": ({}, [("", 4, 1, "Argument or block definition required", "no matching opening brace")]),
    "syntax-list-missing-comma": ({}, [("", 3, 8, "Missing item separator", "Expected a comma")]),
    "syntax-unclosed-call": ({}, [("", 2, 16, "Missing argument separator", '")" to end the call')]),
    "syntax-two-arguments-one-line": ({}, [("", 2, 9, "Missing newline after argument",
                                            "An argument definition must end with a newline.")]),
    "syntax-single-line-block": ({}, [("", 1, 10, "Invalid single-argument block definition",
                                       "must also be closed on the same line")]),
    "undeclared-variable": ({}, [("", 5, 13, "Reference to undeclared input variable",
                                  'name "iso_ur" has not been declared. Did you mean "iso_url"?')]),
    "undeclared-local": ({}, [("", 5, 15, "Reference to undeclared local value",
                               'Did you mean "disk_size"?')]),
    "unknown-function": ({}, [("", 2, 10, "Call to unknown function",
                               'There is no function named "uper". Did you mean "upper"?')]),
    "unknown-root-variable": ({}, [("", 2, 10, "Unknown variable", 'There is no variable named "sources".')]),
    "unset-variable": ({}, [("", 1, 1, 'Unset variable "ssh_password"',
                             "A used variable must be set or have a default value")]),
    "validation-failed": ({}, [("", 3, 13, "Invalid value for default variable",
                                "The os_ver_9 value must be a released AlmaLinux OS 9 version.\n\n"
                                "This was checked by the validation rule at")]),
    "validation-multiple": ({}, [("", 3, 13, "Invalid value for default variable",
                                  "The cpus value must be positive."),
                                 ("", 3, 13, "Invalid value for default variable",
                                  "The cpus value must be even.")]),
    "default-type-mismatch": ({}, [("", 3, 13, "Invalid default value for variable",
                                    "not compatible with the variable's type constraint: a number is required")]),
    "cli-var-type-mismatch": ({"vars": {"memory": "2G"}}, [("", 2, 1, "Invalid value for variable",
                                                            "given in -var memory is not compatible")]),
    "cli-var-undeclared": ({"vars": {"memroy": "2048"}}, [("-var memroy", 0, 0, "Undefined -var variable",
                                                           'Did you mean "memory"?')]),
    "duplicate-variable": ({}, [("", 5, 1, "Duplicate variable", "Duplicate region variable definition found")]),
    "duplicate-local": ({}, [("", 6, 3, "Duplicate local definition", 'Local variable "name" is defined twice')]),
    "local-cycle": ({}, [("", 4, 7, "Cyclic local value reference",
                          "local.a -> local.b -> local.c -> local.a")]),
    "unknown-source": ({}, [("", 5, 14, "Unknown source", 'Did you mean "source.qemu.rocky9"?')]),
    "data-source": ({}, [("", 1, 1, 'Unknown data source type "amazon-ami"',
                          'pybuild has no data source "amazon-ami"')]),
    "vault-function": ({}, [("", 2, 14, "Unsupported function", 'pybuild does not support the "vault" function')]),
    "required-version": ({}, [("", 2, 22, "Unsupported Packer Core version", 'it requires ">= 2.0.0"')]),
    "invalid-version-constraint": ({}, [("", 2, 22, "Invalid version constraint",
                                         '"newest please" is not a valid version constraint')]),
    "unsupported-top-level-block": ({}, [("", 4, 1, "Unsupported block type",
                                          'Blocks of type "bulid" are not expected here. Did you mean "build"?')]),
    "unsupported-build-content": ({}, [("", 6, 3, "Unsupported argument", 'Did you mean "name"?'),
                                       ("", 7, 3, "Unsupported block type", 'Did you mean "provisioner"?')]),
    "variable-unknown-argument": ({}, [("", 4, 3, "Unsupported argument",
                                        'An argument named "nullable" is not expected here.')]),
    "invalid-type": ({}, [("", 2, 13, "Invalid type specification", 'Keyword "array" is not a valid type')]),
    "inbuild-source-redefines": ({}, [("", 8, 5, "Duplicate argument",
                                       'The argument "memory" is already set in source "qemu.rocky"')]),
    "for-duplicate-key": ({}, [("", 3, 38, "Duplicate object key", 'produced the key "rocky"')]),
    "null-interpolation": ({}, [("", 5, 23, "Invalid template interpolation value", "null value")]),
    "index-out-of-range": ({}, [("", 3, 23, "Invalid index", "index 1 is out of range")]),
    "attribute-of-null": ({}, [("", 6, 23, "Attempt to get attribute from null value", "This value is null")]),
    "invalid-operand": ({}, [("", 5, 13, "Invalid operand",
                              "Unsuitable value for left operand: a number is required.")]),
    "condition-not-bool": ({}, [("", 2, 14, "Incorrect condition type", "must be of type bool, not string")]),
    "function-call-error": ({}, [("", 2, 9, "Error in function call", 'Call to function "file" failed: no file')]),
    "duplicate-source": ({}, [("", 5, 1, "Duplicate source block", "same builder type and name")]),
    "many-errors-at-once": ({}, [("", 3, 13, "Invalid default value for variable", "a number is required"),
                                 ("", 6, 7, "Reference to undeclared input variable", '"c"'),
                                 ("", 7, 7, "Reference to undeclared local value", '"e"'),
                                 ("", 8, 7, "Call to unknown function", '"nofunc"'),
                                 ("", 11, 13, "Reference to undeclared input variable", '"nope"'),
                                 ("", 14, 31, "Unknown source", '"qemu.y"')]),
    "dynamic-missing-for-each": ({}, [("", 3, 3, "Missing required argument", '"for_each" is required')]),
    "validation-other-variable": ({}, [("", 7, 31, "Invalid reference in variable validation",
                                        "can only refer to the variable itself, using var.max")]),
    "invalid-escape": ({}, [("", 2, 11, "Invalid escape sequence", 'The symbol "w" is not a valid escape')]),
    "attribute-redefined": ({}, [("", 4, 3, "Attribute redefined", 'The argument "memory" was already set at')]),
    "only-not-a-list": ({}, [("", 7, 14, "Invalid value", "only must be a list of source names")]),
    "unterminated-directive": ({}, [("", 3, 5, "Unterminated template directive", "Missing %{ endif }")]),
    "provisioner-build-var-typo": ({}, [("", 7, 28, "Unsupported attribute",
                                         'named "PackerHTTPAdr". Did you mean "PackerHTTPAddr"?')]),
    "templatefile-error": ({}, [("ks.cfg.pkrtpl.hcl", 2, 10, "Unknown variable",
                                 'There is no variable named "root_password".')]),
}


def _path(name: str) -> str:
    d = os.path.join(BROKEN, name)
    return d if os.path.isdir(d) else d + ".pkr.hcl"


def test_every_broken_template_has_a_case() -> None:
    names = {n[: -len(".pkr.hcl")] if n.endswith(".pkr.hcl") else n for n in os.listdir(BROKEN)}
    assert names == set(CASES)
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken(name: str) -> None:
    kwargs, expected = CASES[name]
    path = _path(name)
    with pytest.raises(TemplateError) as info:
        load(path, env={}, **kwargs)
    diags = info.value.diagnostics
    got = [(d.location, d.summary, d.detail) for d in diags]
    assert len(diags) == len(expected), got
    for suffix, line, col, summary, fragment in expected:
        want_file = suffix or os.path.basename(path)
        match = [
            d for d in diags
            if d.summary == summary and fragment in d.detail and d.location is not None
            and d.location.filename.endswith(want_file) and d.location.line == line and d.location.col == col
        ]
        assert match, (name, (want_file, line, col, summary, fragment), got)
    text = info.value.render()
    assert "Traceback" not in text
    for d in diags:
        assert d.location is not None
        if d.location.line:
            assert f"on {d.location.filename} line {d.location.line} (column {d.location.col}):" in text
