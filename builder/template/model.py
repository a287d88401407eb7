"""The typed result of loading a template: what the rest of pybuild consumes.

The template engine (``builder.template.loader.load``) produces a :class:`Template`.
Component bodies stay unevaluated until the build needs them, because
provisioners and post-processors may use ``build.*`` values known only while the
build runs; :meth:`ComponentSpec.evaluate` evaluates them with those values.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.errors import Diagnostic, Location

# Called with the build-time context variables (source.name, source.type, build.*) and
# returns the evaluated attributes of a block (nested blocks as lists of dicts).
Evaluator = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass
class VariableInfo:
    name: str
    value: Any
    type: str = "any"
    description: str = ""
    sensitive: bool = False
    location: Location | None = None


@dataclass
class LocalInfo:
    name: str
    value: Any
    sensitive: bool = False
    location: Location | None = None


@dataclass
class ComponentSpec:
    """One ``provisioner``/``post-processor``/``error-cleanup-provisioner`` block."""

    kind: str  # "provisioner" | "post-processor" | "error-cleanup-provisioner"
    type: str  # e.g. "shell"
    location: Location
    evaluate: Evaluator
    name: str = ""
    only: list[str] = field(default_factory=list)
    except_: list[str] = field(default_factory=list)
    # provisioner-only common attributes
    pause_before: str = ""
    max_retries: int = 0
    timeout: str = ""
    override: dict[str, dict[str, Any]] = field(default_factory=dict)
    # post-processor-only
    keep_input_artifact: bool | None = None
    # locations of the block's own attributes, for diagnostics
    attr_locations: dict[str, Location] = field(default_factory=dict)

    def applies_to(self, source_name: str) -> bool:
        """Packer's only/except on source names (e.g. "qemu.rocky9")."""
        if self.only and source_name not in self.only:
            return False
        return source_name not in self.except_


@dataclass
class SourceSpec:
    """A ``source "type" "name"`` block, possibly renamed/extended inside a build."""

    type: str
    name: str  # after an in-build rename
    location: Location
    evaluate: Evaluator  # evaluated with source.name / source.type in scope
    attr_locations: dict[str, Location] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass
class BuildSpec:
    name: str
    description: str
    location: Location
    sources: list[SourceSpec]
    provisioners: list[ComponentSpec] = field(default_factory=list)
    error_cleanup: ComponentSpec | None = None
    # each chain is a list of post-processors; a bare `post-processor` block is a chain of one
    post_processor_chains: list[list[ComponentSpec]] = field(default_factory=list)


@dataclass
class Template:
    path: str  # file or directory given by the user
    root: str  # path.root
    variables: dict[str, VariableInfo]
    locals: dict[str, LocalInfo]
    builds: list[BuildSpec]
    required_version: str = ""
    required_plugins: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # non-fatal diagnostics (e.g. undeclared variables assigned in var files, ignored blocks)
    warnings: list[Diagnostic] = field(default_factory=list)
    # data.TYPE.NAME -> outputs (unknown placeholders when data sources were not run)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # the components load(check_components=True) made, with Go templates rendered and their
    # files checked: (build full name, kind, block location) -> instance; prepare reuses them
    components: dict[tuple[str, str, Location], Any] = field(default_factory=dict)

    def sensitive_values(self) -> list[Any]:
        vals = [v.value for v in self.variables.values() if v.sensitive]
        vals += [v.value for v in self.locals.values() if v.sensitive]
        return vals

    def names(self) -> list[str]:
        """The template's own names (files, variables, blocks, labels, options), for diagnostics."""
        out = [*self.files, *self.variables, *self.locals]
        for b in self.builds:
            out.append(b.name)
            for s in b.sources:
                out += [s.type, s.name, *s.attr_locations]
            specs = [*b.provisioners, *(c for chain in b.post_processor_chains for c in chain)]
            if b.error_cleanup is not None:
                specs.append(b.error_cleanup)
            for c in specs:
                out += [c.kind, c.type, c.name, *c.attr_locations]
        return out

    def variable_values(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.variables.items()}


def build_full_name(build: BuildSpec, source: SourceSpec) -> str:
    """Packer's build name: ``[<build.name>.]<type>.<source name>``."""
    return f"{build.name}.{source.full_name}" if build.name else source.full_name


def _matches(name: str, patterns: list[str]) -> bool:
    short = name.split(".", 1)[1] if name.count(".") >= 2 else name
    for p in patterns:
        if fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(short, p):
            return True
        # Packer also accepts the source name alone ("qemu.x" for "build.qemu.x")
        if fnmatch.fnmatchcase(name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1], p):
            return True
    return False


def is_selected(name: str, only: list[str] | None, except_: list[str] | None) -> bool:
    """Whether ``-only``/``-except`` (glob patterns) select the build named ``name``."""
    if only and not _matches(name, only):
        return False
    return not (except_ and _matches(name, except_))


__all__ = [
    "BuildSpec",
    "ComponentSpec",
    "Evaluator",
    "LocalInfo",
    "SourceSpec",
    "Template",
    "VariableInfo",
    "build_full_name",
    "is_selected",
]
