"""Loading Packer HCL2 templates into the typed :class:`~builder.template.model.Template`.

Order (as Packer): find files → parse all → check ``packer { required_version }`` →
decode variables → collect values (``PKR_VAR_*`` < ``*.auto.pkrvars.hcl`` < ``-var-file``
< ``-var``) → validate variables → evaluate locals (dependency order) → sources → builds
→ evaluate sources/components once with placeholder build values to report every
problem at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from builder import secrets
from builder.errors import Location, TemplateError
from builder.template.datasources import DataSources
from builder.template.evaluator import masked
from builder.template.lazy import Resolver
from builder.template.loader.body import HAttr, HBlock, HBody, parse_file
from builder.template.loader.builds import BuildDecoder
from builder.template.loader.checks import check_labels, check_top_level
from builder.template.loader.context import PLACEHOLDER_BUILD, LoadOptions, LoadState
from builder.template.loader.diagnostics import Collector, sorted_by_location
from builder.template.loader.dynamic import eval_body
from builder.template.loader.files import find_files
from builder.template.loader.locals import Locals
from builder.template.loader.packer import (
    VERSION_MISMATCH,
    PackerRequirements,
    check_version_constraint,
    decode_packer_blocks,
)
from builder.template.loader.sources import Sources
from builder.template.loader.validate import BuildValidator
from builder.template.loader.varfiles import VariableValues
from builder.template.loader.variables import Variables
from builder.template.model import BuildSpec, LocalInfo, Template, VariableInfo

# the HCL front end under its names from before the split (builder.template.loader.body and
# .diagnostics own it now)
_Collector = Collector
_parse = parse_file


class _Loader:
    """One load: the stages in Packer's order, each owned by its module."""

    def __init__(self, opts: LoadOptions):
        self.opts = opts
        self.st = st = LoadState(opts)
        self.variables = Variables(st)
        # one Resolver for locals and data sources: they are one graph, a cycle names every link
        resolver = Resolver(st.col.extend)
        self.locals = Locals(st, resolver)
        self.sources = Sources(st)
        self.data = DataSources(
            st.root_scope, lambda body, scope, diags: eval_body(body, scope, (), diags),
            st.col.extend, lambda: st.root, opts.evaluate_datasources, resolver=resolver,
        )
        st.namespaces.update(
            var=self.variables.namespace, local=self.locals.namespace, data=self.data.namespace
        )
        self.packer = PackerRequirements()
        self.builds: list[BuildSpec] = []
        self.components: dict[tuple[str, str, Location], Any] = {}

    def run(self) -> Template:
        st, col = self.st, self.st.col
        files, autos, st.root = find_files(self.opts.path, col)
        st.setup_functions()
        for f in files:
            body = parse_file(f, col)
            if body is not None:
                st.bodies.append((f, body))
        if col.errors:
            raise TemplateError(masked(sorted_by_location(col.diags)))
        check_top_level(st)
        self.packer = decode_packer_blocks(st)
        # as Packer, a required_version this version does not meet stops here; other errors
        # (an unknown block type...) do not hide the rest of the file's
        if any(d.summary == VERSION_MISMATCH for d in col.errors):
            raise TemplateError(masked(sorted_by_location(col.diags)))
        self.variables.decode()
        self.locals.decode()
        self.sources.decode()
        for b in st.blocks("data"):
            if check_labels(col, b, 2, "type and name") and not st.syntax_only:
                col.extend(self.data.add(b))
        if not st.syntax_only:
            VariableValues(st, self.variables).collect(autos)
            self.variables.finish()
            self.variables.validate()
            self.locals.evaluate_all()
            self.data.evaluate_all()
        self.builds = BuildDecoder(st, self.sources).decode_all()
        if not st.syntax_only:
            validator = BuildValidator(st, {n: v.value for n, v in self.variables.by_name.items()})
            validator.run(self.builds)
            self.components = validator.components
        if col.errors:
            self._keep_names(files)
            raise TemplateError(masked(sorted_by_location(col.diags)))
        return self._template(files)

    def _keep_names(self, files: list[str]) -> None:
        """A template that fails to load still has its names (files, blocks, labels, options)
        readable in the diagnostics, even where a secret's value is the same word."""
        try:
            names = self._template(files).names()
        except Exception:  # a half-decoded template: its diagnostics are what matters
            names = list(files)
        secrets.keep_names(*names)

    def _template(self, files: list[str]) -> Template:
        variables = {
            n: VariableInfo(n, v.value, v.type_text, v.description, v.sensitive, v.block.loc)
            for n, v in self.variables.by_name.items()
        }
        locs = {n: LocalInfo(n, lv.value, lv.sensitive, lv.loc) for n, lv in self.locals.by_name.items()}
        t = Template(
            self.opts.path,
            self.st.root,
            variables,
            locs,
            self.builds,
            self.packer.required_version,
            self.packer.required_plugins,
            files,
        )
        warnings = [d for d in self.st.col.diags if d.severity == "warning"]
        t.warnings = warnings
        t.data = self.data.values()
        t.components = self.components
        return t


def load(
    path: str,
    *,
    var_files: list[str] = (),  # type: ignore[assignment]
    vars: dict[str, str] = {},  # noqa: B006
    env: Mapping[str, str] | None = None,
    syntax_only: bool = False,
    evaluate_datasources: bool = True,
    except_: list[str] | tuple[str, ...] = (),
    check_components: bool = False,
    only: list[str] | None = None,
) -> Template:
    """Load a Packer HCL2 template (file or directory). Raises TemplateError with all diagnostics.

    ``evaluate_datasources=False`` (``validate`` without ``-evaluate-datasources``) runs no
    data source: their outputs are unknown and only checked for existence. ``only``/``except_``
    (``-only``/``-except`` globs): like Packer, the sources and components of builds they do not
    select are not evaluated, so their errors do not count; provisioners and post-processors
    named (or typed) in ``except_`` are skipped unread. ``check_components`` (validate, build)
    checks every block against its component too, so that all errors come at once: template
    errors, unknown or Windows-only blocks, bad options."""
    opts = LoadOptions(
        path, tuple(var_files), dict(vars), os.environ if env is None else env, syntax_only,
        evaluate_datasources, tuple(except_), check_components, only,
    )
    return _Loader(opts).run()


__all__ = [
    "PLACEHOLDER_BUILD",
    "HAttr",
    "HBlock",
    "HBody",
    "check_version_constraint",
    "load",
]
