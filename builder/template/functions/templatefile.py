"""Rendering a ``templatefile`` template: the string-template syntax (``${}``/``%{}``) of a file,
compiled once (AST cache) and evaluated with the given variables and functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from builder.errors import Diagnostic, Location, TemplateError
from builder.template import cache
from builder.template import expr as E
from builder.template.evaluator import EvalError, Scope, evaluate, masked, to_str


def render_template(
    text: str, vars: dict[str, Any], filename: str, funcs: dict[str, Callable[..., Any]]
) -> str:
    """Render ``text`` (the contents of ``filename``) with ``vars`` in scope and ``funcs`` callable.

    Raises :class:`TemplateError` with diagnostics located in ``filename``.
    """
    ck = cache.key("templatefile", filename, text)
    node = cache.get(ck)
    if not isinstance(node, E.Node):
        try:
            node = E.compile_template_text(text, filename)
        except E.CompileError as e:
            raise TemplateError(e.diags)
        cache.put(ck, node)
    scope = Scope({str(k): v for k, v in (vars or {}).items()}, funcs)
    try:
        v = evaluate(node, scope)
        return to_str(v, node.loc)
    except EvalError as e:
        raise TemplateError(masked(e.diags or [Diagnostic("Error in template", "", Location(filename))]))
