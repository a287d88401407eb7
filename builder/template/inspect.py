"""``packer inspect``-style summary of a loaded template."""

from __future__ import annotations

import json
from typing import Any

from builder import secrets
from builder.template.model import ComponentSpec, Template


def _value(v: Any, sensitive: bool) -> str:
    if sensitive:
        return f'"{secrets.MASK}"'
    try:
        text = json.dumps(v, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(v)
    return secrets.mask(text)


def _component(c: ComponentSpec) -> str:
    s = c.type
    if c.name:
        s += f" ({c.name})"
    extra = []
    if c.only:
        extra.append("only: " + ", ".join(c.only))
    if c.except_:
        extra.append("except: " + ", ".join(c.except_))
    if extra:
        s += " [" + "; ".join(extra) + "]"
    return s


def inspect_text(template: Template) -> str:
    """Variables (sensitive masked), locals, builds with sources, provisioners, post-processors."""
    out: list[str] = ["Packer Inspect: HCL2 mode", "", "> input-variables:", ""]
    for name in sorted(template.variables):
        v = template.variables[name]
        out.append(f"var.{name}: {_value(v.value, v.sensitive)}")
    out += ["", "> local-variables:", ""]
    for name in sorted(template.locals):
        lv = template.locals[name]
        out.append(f"local.{name}: {_value(lv.value, lv.sensitive)}")
    out += ["", "> builds:", ""]
    for i, b in enumerate(template.builds):
        title = b.name or f"<unnamed build {i}>"
        out.append(f"  > {title}:")
        out.append("")
        if b.description:
            out += [f"    description: {secrets.mask(b.description)}", ""]
        out += ["    sources:", ""]
        for s in b.sources:
            out.append(f"      {s.full_name}")
        out.append("")
        if b.provisioners:
            out += ["    provisioners:", ""]
            out += [f"      {_component(p)}" for p in b.provisioners]
            out.append("")
        if b.error_cleanup is not None:
            out += ["    error-cleanup-provisioner:", "", f"      {_component(b.error_cleanup)}", ""]
        if b.post_processor_chains:
            out += ["    post-processors:", ""]
            for j, chain in enumerate(b.post_processor_chains):
                out.append(f"      {j}:")
                out += [f"        {_component(pp)}" for pp in chain]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


__all__ = ["inspect_text"]
