"""Validation of the decoded builds: every selected source and component evaluated once with
placeholder build values and, with ``check_components``, made into its component as ``prepare``
would (Go templates rendered, settings parsed, the files it names checked), so that all
problems are reported at once. The components made are kept for ``prepare``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.errors import Location, TemplateError
from builder.plugins import REGISTRY, WINDOWS_ONLY, unknown_component
from builder.template.loader.context import PLACEHOLDER_BUILD, LoadState
from builder.template.model import BuildSpec, SourceSpec, build_full_name, is_selected


class BuildValidator:
    def __init__(self, st: LoadState, user_vars: dict[str, Any]):
        """``user_vars``: the variables' values, for ``{{ user }}`` in Go templates."""
        self.st = st
        self.user_vars = user_vars
        # (build full name, kind, block location) -> the component made (Template.components)
        self.components: dict[tuple[str, str, Location], Any] = {}
        self._go: dict[str, Any] = {}

    def run(self, builds: list[BuildSpec]) -> None:
        """Evaluate every source and component once with placeholder build values. With
        ``check_components`` (validate, build) also check each against its component's
        settings table, so that template errors, unknown or Windows-only blocks and bad
        options are all reported at once, one error per block."""
        missing: dict[tuple[str, str, Location], None] = {}  # ordered set
        except_ = self.st.opts.except_
        for spec in builds:
            for src in spec.sources:
                full = build_full_name(spec, src)
                if not is_selected(full, self.st.opts.only, list(except_)):
                    continue
                ctx: dict[str, Any] = {
                    "source": {"name": src.name, "type": src.type},
                    "build": dict(PLACEHOLDER_BUILD, name=spec.name),
                }
                if self.st.opts.check_components:
                    # the values prepare evaluates with, so that its components are these
                    from builder.build import PlannedBuild, go_context_of, source_ctx

                    planned = PlannedBuild(full, spec, src)
                    ctx = source_ctx(planned)
                    self._go = go_context_of(planned, self.user_vars, self.st.root)
                try:
                    raw = src.evaluate(ctx)
                except TemplateError as e:
                    self.st.col.extend(e.diagnostics)
                    raw = None
                if self.st.opts.check_components and raw is not None and not self._build_excluded(spec, src):
                    self._check_source(full, src, raw, missing)
                comps = [(c, "provisioner") for c in spec.provisioners]
                if spec.error_cleanup:
                    comps.append((spec.error_cleanup, "provisioner"))
                comps += [(c, "post-processor") for chain in spec.post_processor_chains for c in chain]
                for c, kind in comps:
                    if not c.applies_to(src.full_name) or c.name in except_ or c.type in except_:
                        continue  # -except skips a block without needing its schema
                    try:
                        raw = c.evaluate(ctx)
                    except TemplateError as e:
                        self.st.col.extend(e.diagnostics)
                        continue
                    if not self.st.opts.check_components:
                        continue
                    if c.type not in REGISTRY.names(kind):
                        missing[(kind, c.type, c.location)] = None
                        continue
                    self._check_component(full, kind, c.type, raw, c.location, c.attr_locations, c.name)
        for kind, name, where in missing:
            self.st.col.add(unknown_component(kind, name, where))

    def _build_excluded(self, spec: BuildSpec, src: SourceSpec) -> bool:
        return not is_selected(build_full_name(spec, src), None, list(self.st.opts.except_))

    def _check_source(self, full: str, src: SourceSpec, raw: dict[str, Any],
                      missing: dict[tuple[str, str, Location], None]) -> None:
        if src.type not in REGISTRY.names("builder"):
            missing[("builder", src.type, src.location)] = None
            return
        if raw.get("communicator") in WINDOWS_ONLY["communicator"]:
            where = src.attr_locations.get("communicator", src.location)
            missing[("communicator", str(raw["communicator"]), where)] = None
            return
        self._check_component(full, "builder", src.type, raw, src.location, src.attr_locations,
                              f'source "{src.full_name}"')

    def _check_component(self, full: str, kind: str, type_name: str, raw: dict[str, Any], where: Location,
                         attr_locations: dict[str, Location], label: str) -> None:
        from builder.build import POST_PROCESSOR_COMMON, PROVISIONER_COMMON, instantiate

        ignore = {"provisioner": PROVISIONER_COMMON, "post-processor": POST_PROCESSOR_COMMON}.get(kind, ())
        try:
            self.components[(full, kind, where)] = instantiate(
                kind, type_name, raw, where=where, attr_locations=attr_locations, ignore=ignore,
                label=label if kind == "builder" else "", go=self._go, template_dir=Path(self.st.root))
        except TemplateError as e:
            self.st.col.extend(e.diagnostics)
