"""Provisioner, error-cleanup-provisioner and post-processor blocks: their meta arguments (``name``,
``only``/``except``, ``pause_before``, ``max_retries``, ``timeout``, ``override``,
``keep_input_artifact``) decoded now, the rest evaluated per source at build time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builder.template.evaluator import EvalError, Scope, evaluate, fail, to_str
from builder.template.loader.body import HBlock
from builder.template.loader.checks import check_labels
from builder.template.loader.context import PLACEHOLDER_BUILD, LoadState
from builder.template.loader.dynamic import eval_body_or_raise
from builder.template.model import BuildSpec, ComponentSpec

PROVISIONER_META = ("name", "only", "except", "pause_before", "max_retries", "timeout", "override")
POST_PROCESSOR_META = ("name", "only", "except", "keep_input_artifact")


def make_component(st: LoadState, b: HBlock, kind: str, build: BuildSpec) -> ComponentSpec | None:
    """The spec of one provisioner or post-processor block of ``build`` (None if its labels are wrong)."""
    if not check_labels(st.col, b, 1, "type"):
        return None
    meta = PROVISIONER_META if kind != "post-processor" else POST_PROCESSOR_META
    body = b.body
    comp = ComponentSpec(kind, b.labels[0], b.loc, lambda ctx: {})
    comp.attr_locations = {n: a.loc for n, a in body.attrs.items()}
    scope = Scope(st.base_vars(), st.funcs)
    if not st.syntax_only:
        scope = st.root_scope()
    for key in meta:
        a = body.attrs.get(key)
        if a is None or st.syntax_only:
            continue
        try:
            v = evaluate(a.expr, scope)
        except EvalError as e:
            st.col.extend(e.diags)
            continue
        try:
            if key == "name":
                comp.name = "" if v is None else to_str(v, a.expr.loc)
            elif key in ("only", "except"):
                if v is None:
                    continue
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    raise fail(
                        "Invalid value",
                        f'{key} must be a list of source names like "qemu.example".',
                        a.expr.loc,
                    )
                if key == "only":
                    comp.only = list(v)
                else:
                    comp.except_ = list(v)
            elif key in ("pause_before", "timeout"):
                setattr(comp, key, "" if v is None else to_str(v, a.expr.loc))
            elif key == "max_retries":
                if v is None:
                    continue
                if isinstance(v, str):
                    v = int(v) if v.strip().isdigit() else v
                if not isinstance(v, int) or isinstance(v, bool):
                    raise fail("Invalid value", "max_retries must be a whole number.", a.expr.loc)
                comp.max_retries = v
            elif key == "override":
                if v is None:
                    continue
                if not isinstance(v, dict) or not all(isinstance(x, dict) for x in v.values()):
                    raise fail(
                        "Invalid value",
                        "override must be a map of source names to maps of provisioner settings.",
                        a.expr.loc,
                    )
                comp.override = v
            elif key == "keep_input_artifact":
                if v is None:
                    continue
                if not isinstance(v, bool):
                    raise fail("Invalid value", "keep_input_artifact must be true or false.", a.expr.loc)
                comp.keep_input_artifact = v
        except EvalError as e:
            st.col.extend(e.diags)
    build_name = build.name

    def evaluate_component(ctx: Mapping[str, Any]) -> dict[str, Any]:
        sc = st.root_scope()
        src = dict(ctx.get("source") or {})
        sc.vars["source"] = src
        bld = dict(PLACEHOLDER_BUILD)
        bld["name"] = build_name
        bld.update(dict(ctx.get("build") or {}))
        sc.vars["build"] = bld
        res = eval_body_or_raise(body, sc, meta)
        if comp.override and src:
            for key in (f"{src.get('type')}.{src.get('name')}", str(src.get("name"))):
                if key in comp.override:
                    res.update(comp.override[key])
                    break
        return res

    comp.evaluate = evaluate_component
    return comp
