"""``packer console``-style evaluation of one expression against a loaded template."""

from __future__ import annotations

import json
import os
from typing import Any

import builder
from builder import secrets
from builder.errors import Diagnostic, Location, TemplateError
from builder.template import expr as E
from builder.template.evaluator import (
    EvalError,
    Namespace,
    Scope,
    evaluate,
    fail,
    masked,
    suggest,
)
from builder.template.functions import function_table
from builder.template.model import Template
from builder.template.typeexpr import fmt_number

CONSOLE_FILE = "<console-input>"


def _quote(s: str) -> str:
    q = json.dumps(s, ensure_ascii=False)
    return q.replace("${", "$${").replace("%{", "%%{")


def format_value(v: Any, indent: int = 0, top: bool = True) -> str:
    """Render a value the way ``packer console`` prints it."""
    pad = "  " * indent
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return fmt_number(v)
    if isinstance(v, str):
        return v if top else _quote(v)
    if isinstance(v, list | tuple):
        if not v:
            return "[]"
        inner = "".join(f"{pad}  {format_value(x, indent + 1, False)},\n" for x in v)
        return "[\n" + inner + pad + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = "".join(f"{pad}  {_quote(str(k))} = {format_value(v[k], indent + 1, False)}\n" for k in v)
        return "{\n" + inner + pad + "}"
    return str(v)


def _scope(template: Template | None) -> Scope:
    root = template.root if template is not None else "."
    funcs = function_table(root, False)
    vars: dict[str, Any] = {
        "path": {"root": root, "cwd": os.getcwd()},
        "packer": {"version": builder.PACKER_COMPAT_VERSION},
    }
    tvars = dict(template.variables) if template is not None else {}
    tlocals = dict(template.locals) if template is not None else {}

    def missing_var(name: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared input variable",
            f'An input variable with the name "{name}" has not been declared.{suggest(name, tvars)}',
            loc,
        )

    def missing_local(name: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared local value",
            f'A local value with the name "{name}" has not been declared.{suggest(name, tlocals)}',
            loc,
        )

    vars["var"] = Namespace("var", lambda: list(tvars), lambda n, loc: tvars[n].value, missing_var)
    vars["local"] = Namespace("local", lambda: list(tlocals), lambda n, loc: tlocals[n].value, missing_local)
    vars["data"] = template.data if template is not None else {}
    return Scope(vars, funcs)


def _is_sensitive(node: E.Node, template: Template | None) -> bool:
    if template is None:
        return False
    for root, attr, _loc in E.traversals(node):
        if root == "var" and attr in template.variables and template.variables[attr].sensitive:
            return True
        if root == "local" and attr in template.locals and template.locals[attr].sensitive:
            return True
    return False


def console_eval(template: Template | None, expr: str) -> str:
    """Evaluate one expression and format the result as ``packer console`` prints it."""
    text = expr.strip()
    if not text:
        return ""
    comp = E.Compiler(E.PosMap(CONSOLE_FILE))
    node = E.parse_expression(text, E.PosMap(CONSOLE_FILE), comp)
    if comp.diags:
        raise TemplateError(comp.diags)
    try:
        value = evaluate(node, _scope(template))
    except EvalError as e:
        raise TemplateError(
            masked(e.diags or [Diagnostic("Evaluation failed", "", Location(CONSOLE_FILE, 1, 1))])
        )
    if _is_sensitive(node, template):
        return secrets.MASK
    return secrets.mask(format_value(value))


__all__ = ["console_eval", "format_value"]
