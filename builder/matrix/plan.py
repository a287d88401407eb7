"""The text of ``pybuild matrix plan``: cells in dependency order, the queue each goes to,
what it needs and where it uploads, and the canvas shape a Celery run would use."""

from __future__ import annotations

import os
from collections import Counter

from builder.matrix.model import Matrix


def plan_text(matrix: Matrix) -> str:
    base = os.path.dirname(matrix.path)
    levels = matrix.levels()
    depth = {n: i for i, lv in enumerate(levels) for n in lv}
    lines = [f"Matrix {matrix.path}: {len(matrix.cells)} cells, {len(levels)} levels", ""]
    rows = [("#", "CELL", "LEVEL", "QUEUE", "AFTER", "TEMPLATE", "CLOUDS")]
    for i, n in enumerate(matrix.order(), 1):
        c = matrix.cells[n]
        rows.append((str(i), n, str(depth[n]), c.route, ",".join(c.depends_on) or "-",
                     os.path.relpath(c.template, base), ",".join(c.clouds) or "-"))
    w = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines += ["  ".join(x.ljust(w[k]) for k, x in enumerate(r)).rstrip() for r in rows]
    handoffs = [f"{n}.{var} <- {dep}" for n in matrix.order()
                for var, dep in matrix.cells[n].image_vars.items()]
    if handoffs:
        lines += ["", "Images through Glance (this run's image id, as glance://CLOUD/REGION/ID): "
                  + ", ".join(handoffs)]
    hidden = [n for n in matrix.order() if matrix.cells[n].base or matrix.cells[n].intermediate]
    if hidden:
        lines.append("Uploaded hidden: " + ", ".join(
            f"{n} ({'stays hidden' if matrix.cells[n].intermediate else 'unhidden when the run ends'})"
            for n in hidden))
    queues = Counter(c.route for c in matrix.cells.values())
    lines += ["", "Queues (start a worker consuming each): "
              + ", ".join(f"{q} ({k} cell{'s' if k > 1 else ''})" for q, k in sorted(queues.items()))]
    if matrix.is_forest():
        lines.append("Celery canvas: trees (chain(base, group(derived...))): a cell starts as soon as its base is done")
    else:
        lines.append("Celery canvas: levels (chain of chords): a cell with several dependencies waits for its whole level")
    return "\n".join(lines)
