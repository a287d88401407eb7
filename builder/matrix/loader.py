"""Reading a matrix file (HCL) into a :class:`~builder.matrix.model.Matrix`.

The file is parsed by the template engine's HCL front end (python-hcl2 grammar, the same
diagnostics with file:line:col), so a matrix reads like a template::

    defaults {                      # optional: values every cell starts from
      arch    = "x86_64"
      timeout = "2h"
    }

    cell "debian12" {
      template   = "templates/debian12"          # a .pkr.hcl file or a directory
      var_files  = ["vars/nightly.pkrvars.hcl"]
      vars       = { disk_size = "4G" }         # non-sensitive values only
      only       = ["qemu.debian"]
      kvm        = true
      disk_gb    = 20
      clouds     = ["lab/RegionOne"]
    }

    cell "debian12-web" {
      template   = "templates/web"
      depends_on = ["debian12"]                 # the base image of the same night
      image_vars = { base_image = "debian12" }  # -var base_image=glance://CLOUD/REGION/ID of it
    }

Values are constant expressions (functions allowed, no variable references). Relative paths
are relative to the matrix file. Every problem is reported at once.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from builder.config import parse_duration
from builder.errors import Diagnostic, Location, TemplateError
from builder.matrix.model import ARCHES, Cell, Matrix
from builder.template import expr as E
from builder.template.evaluator import EvalError, Scope, evaluate, suggest
from builder.template.functions import function_table

# the template loader's HCL front end: parse + decode into attributes/blocks with locations
from builder.template.loader.body import HAttr, HBody, parse_file
from builder.template.loader.diagnostics import Collector

CELL_ATTRS = ("template", "var_files", "vars", "only", "except", "arch", "kvm", "disk_gb", "clouds",
              "depends_on", "timeout", "queue", "image_vars", "intermediate")
DEFAULT_ATTRS = tuple(a for a in CELL_ATTRS if a not in ("template", "depends_on", "image_vars"))
TOP_BLOCKS = ("cell", "defaults")


class _MatrixLoader:
    def __init__(self, path: str):
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self.col = Collector()
        self.scope = Scope({}, function_table(self.root, allow_env=False))
        self._depends_locs: dict[str, Location] = {}
        self._image_vars_locs: dict[str, Location] = {}

    def err(self, summary: str, detail: str, loc: Location | None) -> None:
        self.col.err(summary, detail, loc)

    def run(self) -> Matrix:
        if not os.path.isfile(self.path):
            raise TemplateError([Diagnostic(f"Matrix file {self.path} does not exist", "", Location(self.path))])
        body = parse_file(self.path, self.col)
        if body is None:
            raise TemplateError(self.col.diags)
        cells = self._decode(body)
        if not self.col.errors:
            self._check_graph(cells)
        if not self.col.errors:
            self._check_image_vars(cells)
        if self.col.errors:
            raise TemplateError(self.col.diags)
        bases = {d for c in cells.values() for d in c.depends_on}
        return Matrix(os.path.abspath(self.path), {n: replace(c, base=n in bases) for n, c in cells.items()})

    def _check_image_vars(self, cells: dict[str, Cell]) -> None:
        """image_vars name dependencies that upload somewhere."""
        for c in cells.values():
            loc = self._image_vars_locs.get(c.name, c.loc)
            for var, dep in c.image_vars.items():
                if dep not in c.depends_on:
                    self.err('Invalid value for "image_vars"',
                             f'Cell "{c.name}" takes variable {var} from cell "{dep}", which is not in its '
                             "depends_on (the image must be of this run, built before it).", loc)
                elif not cells[dep].clouds:
                    self.err('Invalid value for "image_vars"',
                             f'Cell "{c.name}" takes variable {var} from cell "{dep}", which has no clouds '
                             "to upload its image to.", loc)

    # -- decoding ---------------------------------------------------------------------------------

    def _decode(self, body: HBody) -> dict[str, Cell]:
        for a in body.attrs.values():
            self.err("Unsupported argument", f'An argument named "{a.name}" is not expected at the top '
                     'level of a matrix file; put it in a "cell" or "defaults" block.', a.loc)
        for b in body.blocks:
            if b.type not in TOP_BLOCKS:
                self.err(f'Unsupported block type "{b.type}"',
                         f'Blocks of type "{b.type}" are not expected here.{suggest(b.type, TOP_BLOCKS)}', b.loc)
        defaults: dict[str, Any] = {}
        dblocks = body.blocks_of("defaults")
        for extra in dblocks[1:]:
            self.err("Duplicate defaults block", "A matrix file has at most one defaults block.", extra.loc)
        if dblocks:
            defaults = self._values(dblocks[0].body, DEFAULT_ATTRS)
        cells: dict[str, Cell] = {}
        seen: dict[str, Location] = {}
        for b in body.blocks_of("cell"):
            if len(b.labels) != 1:
                self.err("Missing name for cell" if not b.labels else "Extraneous label for cell",
                         'A cell block has exactly one label, its name: cell "debian12" { ... }', b.loc)
                continue
            name = b.labels[0]
            loc = b.label_locs[0] if b.label_locs else b.loc
            if name in seen:
                self.err("Duplicate cell", f'A cell named "{name}" was already defined at {seen[name]}.', loc)
                continue
            seen[name] = loc
            vals = {**defaults, **self._values(b.body, CELL_ATTRS)}
            cell = self._cell(name, vals, b.body, loc)
            if cell is not None:
                cells[name] = cell
        if not body.blocks_of("cell") and not self.col.errors:
            self.err("No cells", 'A matrix file needs at least one cell "NAME" { template = ... } block.',
                     Location(self.path))
        return cells

    def _values(self, body: HBody, allowed: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for blk in body.blocks:
            self.err(f'Unsupported block type "{blk.type}"', "Blocks are not expected here.", blk.loc)
        for a in body.attrs.values():
            if a.name not in allowed:
                self.err("Unsupported argument",
                         f'An argument named "{a.name}" is not expected here.{suggest(a.name, allowed)}', a.loc)
                continue
            v = self._const(a)
            if v is not _BAD:
                out[a.name] = (v, a.loc)
        return out

    def _const(self, a: HAttr) -> Any:
        for root, _attr, loc in E.traversals(a.expr):
            self.err("Variables not allowed", f'A matrix value is a constant; found a reference to "{root}".', loc)
            return _BAD
        try:
            return evaluate(a.expr, self.scope)
        except EvalError as e:
            self.col.extend(e.diags)
            return _BAD

    def _cell(self, name: str, vals: dict[str, Any], body: HBody, loc: Location) -> Cell | None:
        ok = True

        def get(key: str, kind: str, default: Any) -> Any:
            nonlocal ok
            if key not in vals:
                return default
            v, vloc = vals[key]
            if kind == "str" and isinstance(v, str):
                return v
            if kind == "bool" and isinstance(v, bool):
                return v
            if kind == "int" and isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                return v
            if kind == "list" and isinstance(v, list) and all(isinstance(x, str) for x in v):
                return tuple(v)
            if kind == "map" and isinstance(v, dict) and all(isinstance(x, (str, int, float, bool))
                                                               for x in v.values()):
                return {str(k): _var_text(x) for k, x in v.items()}
            want = {"str": "a string", "bool": "a bool", "int": "a whole number >= 0",
                    "list": "a list of strings", "map": "a map of plain values"}[kind]
            self.err(f'Invalid value for "{key}"', f"{key} must be {want}.", vloc)
            ok = False
            return default

        template = get("template", "str", "")
        if "template" not in vals and "template" not in body.attrs:
            self.err("Missing required argument", f'Cell "{name}" needs a template = "PATH" argument.', loc)
            ok = False
        elif template:
            tpath = self._path(template)
            if not os.path.exists(tpath):
                self.err("Template not found", f'{template} (relative to the matrix file) does not exist.',
                         vals["template"][1])
                ok = False
            template = tpath
        var_files = get("var_files", "list", ())
        for vf in var_files:
            if not os.path.isfile(self._path(vf)):
                self.err("Variables file not found", f"{vf} (relative to the matrix file) does not exist.",
                         vals["var_files"][1])
                ok = False
        arch = get("arch", "str", "x86_64")
        if "arch" in vals and arch not in ARCHES:
            self.err('Invalid value for "arch"', f'arch must be one of {", ".join(ARCHES)}; got "{arch}".',
                     vals["arch"][1])
            ok = False
        timeout = 0.0
        if "timeout" in vals:
            raw, tloc = vals["timeout"]
            try:
                timeout = float(parse_duration(raw if isinstance(raw, (str, int, float)) else str(raw)))
                if timeout < 0:
                    raise ValueError("negative")
            except ValueError:
                self.err('Invalid value for "timeout"', f'timeout must be a duration such as "2h" or "90m"; '
                         f"got {raw!r}.", tloc)
                ok = False
        cell = Cell(
            name=name, template=template, var_files=tuple(self._path(v) for v in var_files),
            vars=get("vars", "map", {}), only=get("only", "list", ()), except_=get("except", "list", ()),
            arch=arch, kvm=get("kvm", "bool", False), disk_gb=get("disk_gb", "int", 0),
            clouds=get("clouds", "list", ()), depends_on=get("depends_on", "list", ()), timeout=timeout,
            queue=get("queue", "str", ""), image_vars=get("image_vars", "map", {}),
            intermediate=get("intermediate", "bool", False), loc=loc,
        )
        self._depends_locs[name] = vals["depends_on"][1] if "depends_on" in vals else loc
        if "image_vars" in vals:
            self._image_vars_locs[name] = vals["image_vars"][1]
        return cell if ok else None

    def _path(self, p: str) -> str:
        return os.path.normpath(os.path.join(self.root, p))

    # -- the graph ---------------------------------------------------------------------------------

    def _check_graph(self, cells: dict[str, Cell]) -> None:
        for c in cells.values():
            for d in c.depends_on:
                if d not in cells:
                    self.err("Unknown dependency",
                             f'Cell "{c.name}" depends on "{d}", which is not a cell of this matrix.'
                             f"{suggest(d, cells)}", self._depends_locs.get(c.name, c.loc))
                elif d == c.name:
                    self.err("Cell depends on itself", f'Cell "{c.name}" lists itself in depends_on.',
                             self._depends_locs.get(c.name, c.loc))
        if self.col.errors:
            return
        state: dict[str, str] = {}
        stack: list[str] = []
        reported: set[frozenset[str]] = set()

        def visit(n: str) -> None:
            state[n] = "busy"
            stack.append(n)
            for d in cells[n].depends_on:
                if state.get(d) == "busy":
                    cyc = [*stack[stack.index(d):], d]
                    if frozenset(cyc) not in reported:
                        reported.add(frozenset(cyc))
                        self.err("Dependency cycle", "The cells depend on each other in a circle: "
                                 + " → ".join(cyc) + ".", self._depends_locs.get(n, cells[n].loc))
                elif d not in state:
                    visit(d)
            stack.pop()
            state[n] = "done"

        for n in cells:
            if n not in state:
                visit(n)


_BAD = object()


def _var_text(v: Any) -> str:
    """A variable value as it would be given on the command line (-var NAME=VALUE)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def load_matrix(path: str) -> Matrix:
    """Load and check a matrix file. Raises TemplateError with every problem at once."""
    return _MatrixLoader(path).run()


__all__ = ["load_matrix"]
