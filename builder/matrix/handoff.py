"""Images handed from one cell to another through Glance.

A base cell's build uploads (its template's ``glance`` post-processor) to the cell's
``clouds``; a derived cell names, in ``image_vars``, the template variable that receives the
base's image *of this run* as ``glance://CLOUD/REGION/IMAGE_ID``: an id, so a same-named image
of another night (or a half one) can never be picked. The derived cell's worker resolves and
downloads it through :mod:`builder.glance_source` (verified against ``os_hash_value``, cached
per host).

How the matrix reaches the ``glance`` post-processor of an unchanged template: environment
variables of the cell's ``pybuild build`` (:class:`UploadContext`):

- ``PYBUILD_MATRIX_RUN`` / ``PYBUILD_MATRIX_CELL``: every upload gets the properties
  ``pybuild_matrix_run``/``pybuild_matrix_cell`` and the tags ``matrix-run:RUN``,
  ``matrix-cell:CELL``; before it uploads to a cloud/region, images of the same run and cell
  there (an earlier attempt: a worker killed after or during its upload) are deleted, so each
  cell has one image per region however often it ran;
- ``PYBUILD_MATRIX_CLOUDS``: the cell's ``clouds`` (``name`` or ``name/region``, comma-separated)
  replace the post-processor's own cloud settings;
- ``PYBUILD_MATRIX_HIDDEN=1`` for a base cell (other cells depend on it) or an ``intermediate``
  one: the image is uploaded with ``os_hidden = true``, so nobody boots a base before its night
  is over. When the run ends, :func:`release` unhides the images of succeeded base cells unless
  they are ``intermediate`` (those stay hidden: only the derived images are for users).

The cell's images (cloud, region, id, name) come back in its result, read from the build's
``glance.uploaded`` events (:func:`images_from_events`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from builder.errors import BuildError, PybuildError
from builder.matrix.model import Cell, Matrix
from builder.openstack import CloudTarget

RUN_ENV = "PYBUILD_MATRIX_RUN"
CELL_ENV = "PYBUILD_MATRIX_CELL"
CLOUDS_ENV = "PYBUILD_MATRIX_CLOUDS"
HIDDEN_ENV = "PYBUILD_MATRIX_HIDDEN"
RUN_PROPERTY = "pybuild_matrix_run"
CELL_PROPERTY = "pybuild_matrix_cell"


class HandoffError(BuildError):
    def __init__(self, message: str):
        super().__init__(message, step="matrix")


@dataclass(frozen=True)
class UploadContext:
    """What a matrix cell's build tells its ``glance`` post-processor (empty outside a matrix)."""

    run_id: str = ""
    cell: str = ""
    clouds: tuple[str, ...] = ()
    hidden: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> UploadContext:
        env = os.environ if env is None else env
        clouds = tuple(c.strip() for c in env.get(CLOUDS_ENV, "").split(",") if c.strip())
        return cls(env.get(RUN_ENV, ""), env.get(CELL_ENV, ""), clouds, env.get(HIDDEN_ENV, "") == "1")

    @classmethod
    def for_cell(cls, cell: Cell, run_id: str) -> UploadContext:
        return cls(run_id, cell.name, cell.clouds, cell.base or cell.intermediate)

    def to_env(self) -> dict[str, str]:
        env = {CELL_ENV: self.cell}
        if self.run_id:
            env[RUN_ENV] = self.run_id
        if self.clouds:
            env[CLOUDS_ENV] = ",".join(self.clouds)
        if self.hidden:
            env[HIDDEN_ENV] = "1"
        return env

    @property
    def active(self) -> bool:
        return bool(self.run_id and self.cell)

    def targets(self) -> list[CloudTarget]:
        return [CloudTarget.parse(c) for c in self.clouds]

    def properties(self) -> dict[str, str]:
        return {RUN_PROPERTY: self.run_id, CELL_PROPERTY: self.cell} if self.active else {}

    def tags(self) -> list[str]:
        return [f"matrix-run:{self.run_id}", f"matrix-cell:{self.cell}"] if self.active else []


def earlier_attempts(conn: Any, ctx: UploadContext) -> list[dict[str, Any]]:
    """Images this cell uploaded in this run before (any status, hidden or not)."""
    from builder.glance_source import list_images

    return [i for i in list_images(conn, **{RUN_PROPERTY: ctx.run_id, CELL_PROPERTY: ctx.cell})
            if i.get(RUN_PROPERTY) == ctx.run_id and i.get(CELL_PROPERTY) == ctx.cell]


def images_from_events(events: Path) -> list[dict[str, str]]:
    """The images a build uploaded: its ``glance.uploaded`` events (``--log-json``)."""
    out: list[dict[str, str]] = []
    try:
        lines = events.read_text(errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if isinstance(ev, dict) and ev.get("event") == "glance.uploaded" and ev.get("image_id"):
            out.append({k: str(ev.get(k) or "") for k in ("cloud", "region", "image_id", "image_name")})
    return out


def _pick(images: list[dict[str, str]], cell: Cell) -> dict[str, str]:
    """The dependency's image to start from: one in a cloud/region this cell uploads to, else the first."""
    mine = {(t.cloud, t.region) for t in map(CloudTarget.parse, cell.clouds)}
    return next((i for i in images if (i["cloud"], i["region"]) in mine), images[0])


def bind_image_vars(cell: Cell, results: Mapping[str, Any]) -> Cell:
    """``cell`` with each ``image_vars`` entry whose dependency has a result in ``results``
    (CellResult or its dict) turned into a ``-var NAME=glance://CLOUD[/REGION]/IMAGE_ID``."""
    from builder.glance_source import url_for

    if not cell.image_vars:
        return cell
    plain, left = dict(cell.vars), {}
    for var, dep in cell.image_vars.items():
        r = results.get(dep)
        if r is None:
            left[var] = dep
            continue
        images = list(r.get("images", []) if isinstance(r, dict) else r.images)
        if not images:
            raise HandoffError(f'cell "{cell.name}": its base "{dep}" uploaded no image to Glance '
                               f"(give it clouds, and a glance post-processor in its template), so "
                               f"variable {var} has nothing to start from")
        img = _pick(images, cell)
        plain[var] = url_for(img["cloud"], img["region"], img["image_id"])
    return replace(cell, vars=plain, image_vars=left)


def placeholders(cell: Cell, matrix: Matrix) -> Cell:
    """For validation: each ``image_vars`` variable set to a glance:// URL of the form it will have."""
    from builder.glance_source import url_for

    plain = dict(cell.vars)
    for var, dep in cell.image_vars.items():
        base = matrix.cells.get(dep)
        where = CloudTarget.parse(base.clouds[0]) if base is not None and base.clouds else CloudTarget("CLOUD")
        plain[var] = url_for(where.cloud, where.region, f"{dep}-image-of-this-run")
    return replace(cell, vars=plain, image_vars={})


def release(matrix: Matrix, results: list[Any], say: Any = print) -> list[str]:
    """At the end of a run: unhide the images of succeeded base cells that are not
    ``intermediate``. Returns the ids made visible; a Glance problem is reported, not raised
    (the builds themselves succeeded)."""
    from builder.glance_source import set_hidden
    from builder.openstack import connect

    shown: list[str] = []
    for r in results:
        cell = matrix.cells.get(r.name)
        if cell is None or not r.ok or not cell.base or cell.intermediate or not r.images:
            continue
        for img in r.images:
            target = CloudTarget(img["cloud"], img["region"])
            try:
                conn = connect(target)
                try:
                    set_hidden(conn, img["image_id"], False)
                finally:
                    conn.close()
                shown.append(img["image_id"])
            except PybuildError as e:
                say(f'matrix: could not unhide image {img["image_id"]} of cell "{r.name}" on {target}: {e}')
    if shown:
        say(f"matrix: base images made visible: {', '.join(shown)}")
    return shown
