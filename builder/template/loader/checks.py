"""Block shape checks shared by every block kind: label counts, the arguments and nested blocks a
body may hold, and the block types allowed at the top level of a template."""

from __future__ import annotations

from builder.template.evaluator import suggest
from builder.template.loader.body import HBlock, HBody
from builder.template.loader.context import LoadState
from builder.template.loader.diagnostics import Collector

TOP_LEVEL = (
    "packer", "source", "variables", "variable", "locals", "local", "data", "build", "hcp_packer_registry",
)


def check_labels(col: Collector, b: HBlock, n: int, names: str) -> bool:
    if len(b.labels) != n:
        what = "no labels" if n == 0 else f"{n} label{'s' if n > 1 else ''}"
        if len(b.labels) < n:
            col.err(
                "Missing name for " + b.type if n == 1 else f"Missing {names} for {b.type}",
                f"All {b.type} blocks must have {what} ({names}).",
                b.loc,
            )
        else:
            col.err(
                f"Extraneous label for {b.type}",
                f"Only {what} expected for {b.type} blocks ({names}).",
                b.label_locs[n] if len(b.label_locs) > n else b.loc,
            )
        return False
    return True


def check_attrs(
    col: Collector, body: HBody, allowed: tuple[str, ...] | None, blocks: tuple[str, ...] = ()
) -> None:
    """Report arguments not in ``allowed`` (None: any argument) and blocks not in ``blocks``."""
    for a in body.attrs.values():
        if allowed is not None and a.name not in allowed:
            col.err(
                "Unsupported argument",
                f'An argument named "{a.name}" is not expected here.{suggest(a.name, allowed)}',
                a.loc,
            )
    for b in body.blocks:
        if b.type not in blocks:
            col.err(
                "Unsupported block type",
                f'Blocks of type "{b.type}" are not expected here.{suggest(b.type, blocks)}',
                b.loc,
            )


def check_top_level(st: LoadState) -> None:
    for _f, body in st.bodies:
        for a in body.attrs.values():
            st.col.err(
                "Unsupported argument", f'An argument named "{a.name}" is not expected here.', a.loc
            )
        for b in body.blocks:
            if b.type == "hcp_packer_registry":
                if check_labels(st.col, b, 0, ""):
                    ignore_hcp_registry(st, b)
            elif b.type not in TOP_LEVEL:
                if b.type == "communicator":
                    st.col.err(
                        "Unsupported block type",
                        "pybuild does not support top-level "
                        '"communicator" blocks; set communicator options in the source block.',
                        b.loc,
                    )
                    continue
                st.col.err(
                    "Unsupported block type",
                    f'Blocks of type "{b.type}" are not expected here.{suggest(b.type, TOP_LEVEL)}',
                    b.loc,
                )


def ignore_hcp_registry(st: LoadState, b: HBlock) -> None:
    """An ``hcp_packer_registry`` block (top level, Packer >= 1.13, or inside ``build``): pybuild
    does not talk to HCP Packer, so it is ignored, with one warning per load."""
    if st.hcp_warned:
        return
    st.hcp_warned = True
    st.col.warn(
        "Ignored block",
        "pybuild ignores hcp_packer_registry blocks (HCP Packer is not supported).",
        b.loc,
    )
