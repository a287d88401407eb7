"""Where variable values come from, in Packer's order: ``PKR_VAR_*`` < ``*.auto.pkrvars.*``
< ``-var-file`` (HCL or JSON) < ``-var``; later ones win."""

from __future__ import annotations

import json
import os

from builder.errors import Location
from builder.template.evaluator import EvalError, suggest
from builder.template.loader.body import parse_file, read_text
from builder.template.loader.context import LoadState
from builder.template.loader.files import HCL_EXT
from builder.template.loader.variables import Variables


class VariableValues:
    """Assigns the values of one load's variables from the environment, var files and ``-var``."""

    def __init__(self, st: LoadState, variables: Variables):
        self.st = st
        self.variables = variables

    def collect(self, autos: list[str]) -> None:
        # 1. environment
        for k, raw in self.st.opts.env.items():
            if k.startswith("PKR_VAR_"):
                name = k[len("PKR_VAR_") :]
                v = self.variables.by_name.get(name)
                if v is not None:
                    self.variables.parse_cli_value(v, raw, f"environment variable {k}", v.block.loc)
        # 2. auto var files, 3. -var-file in order
        for f in [*autos, *self.st.opts.var_files]:
            self._load_var_file(f)
        # 4. -var last
        for name, raw in self.st.opts.cli_vars.items():
            if name not in self.variables.by_name:
                self.st.col.err(
                    "Undefined -var variable",
                    f'A "{name}" variable was passed in but was not found in known variables. To '
                    f'declare variable "{name}", place this block in one of your {HCL_EXT} files, '
                    f"such as variables{HCL_EXT}.{suggest(name, self.variables.by_name)}",
                    Location(f"-var {name}"),
                )
                continue
            v = self.variables.by_name[name]
            self.variables.parse_cli_value(v, raw, f"-var {name}", v.block.loc)

    def _load_var_file(self, path: str) -> None:
        if path.endswith(".json"):
            text = read_text(path, self.st.col)
            if text is None:
                return
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                self.st.col.err("Invalid JSON var file", e.msg, Location(path, e.lineno, e.colno))
                return
            if not isinstance(data, dict):
                self.st.col.err(
                    "Invalid JSON var file", "The root of a var file must be an object.", Location(path)
                )
                return
            for name, value in data.items():
                if name not in self.variables.by_name:
                    self._undeclared_in_file(name, Location(path))
                    continue
                self.variables.assign(self.variables.by_name[name], value, Location(path), path)
            return
        if not os.path.isfile(path):
            self.st.col.err("Failed to read var file", f"The var file {path} does not exist.", Location(path))
            return
        body = parse_file(path, self.st.col)
        if body is None:
            return
        for b in body.blocks:
            self.st.col.err(
                "Unexpected block in var file",
                f'Blocks of type "{b.type}" are not allowed in a var '
                "file; a var file may only contain variable assignments like name = value.",
                b.loc,
            )
        for a in body.attrs.values():
            if a.name not in self.variables.by_name:
                self._undeclared_in_file(a.name, a.loc)
                continue
            try:
                value = self.st.const(a.expr)
            except EvalError as e:
                self.st.col.extend(e.diags)
                self.variables.by_name[a.name].ok = False
                continue
            self.variables.assign(self.variables.by_name[a.name], value, a.expr.loc, path)

    def _undeclared_in_file(self, name: str, loc: Location) -> None:
        self.st.col.warn(
            "Undefined variable",
            f'A "{name}" variable was set but was not found in known variables. To declare variable '
            f'"{name}", place this block in one of your {HCL_EXT} files, such as '
            f"variables{HCL_EXT}.{suggest(name, self.variables.by_name)}",
            loc,
        )
