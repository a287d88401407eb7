"""Evaluating a block body to a plain dict: arguments, nested blocks as lists, and ``dynamic``
blocks expanded over their ``for_each`` collection (with their iterator in scope)."""

from __future__ import annotations

from typing import Any

from builder.errors import Diagnostic, TemplateError
from builder.template import expr as E
from builder.template.evaluator import EvalError, Scope, evaluate, masked
from builder.template.loader.body import HBlock, HBody


def eval_body_or_raise(body: HBody, scope: Scope, skip: tuple[str, ...]) -> dict[str, Any]:
    """:func:`eval_body`, raising :class:`TemplateError` with every problem found."""
    diags: list[Diagnostic] = []
    res = eval_body(body, scope, skip, diags)
    if diags:
        raise TemplateError(masked(diags))
    return res


def eval_body(body: HBody, scope: Scope, skip: tuple[str, ...], diags: list[Diagnostic]) -> dict[str, Any]:
    """``body`` as a dict (arguments in ``skip`` left out); problems are added to ``diags``."""
    res: dict[str, Any] = {}
    for name, a in body.attrs.items():
        if name in skip:
            continue
        try:
            res[name] = evaluate(a.expr, scope)
        except EvalError as e:
            diags.extend(e.diags)
    for b in body.blocks:
        if b.type == "dynamic":
            expand_dynamic(b, scope, res, diags)
        else:
            res.setdefault(b.type, []).append(eval_body(b.body, scope, (), diags))
    return res


def expand_dynamic(b: HBlock, scope: Scope, res: dict[str, Any], diags: list[Diagnostic]) -> None:
    if len(b.labels) != 1:
        diags.append(
            Diagnostic(
                "Missing name for dynamic",
                "A dynamic block needs one label: the type of block to generate.",
                b.loc,
            )
        )
        return
    btype = b.labels[0]
    for a in b.body.attrs.values():
        if a.name not in ("for_each", "iterator", "labels"):
            diags.append(
                Diagnostic(
                    "Unsupported argument", f'An argument named "{a.name}" is not expected here.', a.loc
                )
            )
    fe = b.body.attrs.get("for_each")
    contents = b.body.blocks_of("content")
    if fe is None:
        diags.append(
            Diagnostic(
                "Missing required argument",
                'The argument "for_each" is required, but no definition was found.',
                b.loc,
            )
        )
        return
    if len(contents) != 1:
        diags.append(
            Diagnostic(
                "Missing content block" if not contents else "Duplicate content block",
                'A dynamic block must have exactly one nested block of type "content".',
                b.loc,
            )
        )
        return
    it_name = btype
    if "iterator" in b.body.attrs:
        node = b.body.attrs["iterator"].expr
        if isinstance(node, E.Ref):
            it_name = node.name
        else:
            diags.append(
                Diagnostic(
                    "Invalid dynamic iterator name",
                    "Dynamic iterator must be a single variable name.",
                    node.loc,
                )
            )
            return
    try:
        coll = evaluate(fe.expr, scope)
    except EvalError as e:
        diags.extend(e.diags)
        return
    if coll is None:
        diags.append(
            Diagnostic(
                "Invalid dynamic for_each value", "Cannot use a null value in for_each.", fe.expr.loc
            )
        )
        return
    if isinstance(coll, dict):
        pairs = [(k, coll[k]) for k in sorted(coll)]
    elif isinstance(coll, list):
        pairs = list(enumerate(coll))
    else:
        diags.append(
            Diagnostic(
                "Invalid dynamic for_each value",
                "Cannot use a value of this type in for_each. An iterable collection is required.",
                fe.expr.loc,
            )
        )
        return
    out = res.setdefault(btype, [])
    for k, v in pairs:
        sc = scope.child(**{it_name: {"key": k, "value": v}})
        out.append(eval_body(contents[0].body, sc, (), diags))
