"""Validating a matrix: every cell's template loaded and prepared with the cell's variables,
as ``pybuild validate`` does for one template, every problem of every cell at once."""

from __future__ import annotations

import os
from dataclasses import replace

from builder.errors import Diagnostic, PybuildError, TemplateError
from builder.matrix.handoff import placeholders
from builder.matrix.model import Cell, Matrix
from builder.template.model import Template


def validate_matrix(matrix: Matrix) -> list[str]:
    """Names of the cells in order; raises TemplateError listing every problem of every cell."""
    diags: list[Diagnostic] = []
    for name in matrix.order():
        cell = placeholders(matrix.cells[name], matrix)
        diags += [replace(d, summary=f'cell "{name}": {d.summary}') for d in cell_problems(cell)]
    if diags:
        raise TemplateError(diags)
    return matrix.order()


def cell_problems(cell: Cell) -> list[Diagnostic]:
    """What ``pybuild validate -var-file ... -var ... -only ... TEMPLATE`` would report, plus a
    sensitive variable set in the matrix (it would travel in task arguments)."""
    from builder.build import plan, prepare
    from builder.template.loader import load

    out: list[Diagnostic] = []
    try:
        tpl = load(cell.template, var_files=list(cell.var_files), vars=dict(cell.vars), env=os.environ)
        for v in sorted(set(cell.vars) & _sensitive(tpl)):
            out.append(Diagnostic(
                f'variable "{v}" is sensitive',
                "A sensitive value must not travel in the matrix (task arguments, logs, Flower): "
                f"set PKR_VAR_{v} in each build host's environment instead.", cell.loc))
        plans = plan(tpl, list(cell.only), list(cell.except_))
        if not plans:
            out.append(Diagnostic("no build matches only/except",
                                  f"only={list(cell.only)} except={list(cell.except_)}", cell.loc))
            return out
        prepare(tpl, plans)
    except TemplateError as e:
        out += e.diagnostics
    except PybuildError as e:
        out.append(Diagnostic(str(e), "", cell.loc))
    return out


def _sensitive(tpl: Template) -> set[str]:
    return {n for n, v in tpl.variables.items() if v.sensitive}
