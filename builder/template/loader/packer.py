"""The ``packer`` block: ``required_version`` (checked against pybuild's Packer compatibility
version) and ``required_plugins`` (recorded)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import builder
from builder.template.evaluator import EvalError
from builder.template.loader.checks import check_attrs, check_labels
from builder.template.loader.context import LoadState

VERSION_MISMATCH = "Unsupported Packer Core version"

_VER_RE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})(?:-([0-9A-Za-z.-]+))?\s*$")


def _vtuple(s: str) -> tuple[int, int, int]:
    parts = [int(x) for x in s.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


def check_version_constraint(constraint: str, version: str) -> bool:
    """True if version satisfies the (comma separated) constraint. Raises ValueError if invalid."""
    v = _vtuple(version.split("-")[0])
    for part in constraint.split(","):
        m = _VER_RE.match(part)
        if not m:
            raise ValueError(part.strip())
        op, ver = m.group(1) or "=", m.group(2)
        c = _vtuple(ver)
        if op == "=" and v != c:
            return False
        if op == "!=" and v == c:
            return False
        if op == ">" and not v > c:
            return False
        if op == ">=" and not v >= c:
            return False
        if op == "<" and not v < c:
            return False
        if op == "<=" and not v <= c:
            return False
        if op == "~>":
            n = len(ver.split("."))
            if v < c:
                return False
            upper = (c[0] + 1, 0, 0) if n <= 2 else (c[0], c[1] + 1, 0)
            if n == 1:
                upper = (c[0] + 1, 0, 0)
            if not v < upper:
                return False
    return True


@dataclass
class PackerRequirements:
    required_version: str = ""
    required_plugins: dict[str, Any] = field(default_factory=dict)


def decode_packer_blocks(st: LoadState) -> PackerRequirements:
    req = PackerRequirements()
    for b in st.blocks("packer"):
        check_labels(st.col, b, 0, "")
        check_attrs(st.col, b.body, ("required_version",), ("required_plugins",))
        a = b.body.attrs.get("required_version")
        if a is not None:
            try:
                rv = st.const(a.expr)
            except EvalError as e:
                st.col.extend(e.diags)
                continue
            if not isinstance(rv, str):
                st.col.err("Invalid required_version", "required_version must be a string.", a.expr.loc)
                continue
            req.required_version = rv
            try:
                ok = check_version_constraint(rv, builder.PACKER_COMPAT_VERSION)
            except ValueError as e:
                st.col.err(
                    "Invalid version constraint",
                    f'The string "{e}" is not a valid version constraint: this must be a '
                    'version constraint like ">= 1.6.0".',
                    a.expr.loc,
                )
                continue
            if not ok:
                st.col.err(
                    VERSION_MISMATCH,
                    f"This configuration does not support Packer version "
                    f"{builder.PACKER_COMPAT_VERSION} (pybuild's compatibility version); it "
                    f'requires "{rv}". To proceed, either choose another supported version or '
                    "update this version constraint.",
                    a.expr.loc,
                )
        for rp in b.body.blocks_of("required_plugins"):
            check_attrs(st.col, rp.body, tuple(rp.body.attrs))
            for name, pa in rp.body.attrs.items():
                try:
                    req.required_plugins[name] = st.const(pa.expr)
                except EvalError as e:
                    st.col.extend(e.diags)
    return req
