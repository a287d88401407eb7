"""``pybuild init``: which of a template's ``required_plugins`` pybuild provides built in.

Packer names a plugin's components after the plugin: the plugin ``qemu``
(``source = "github.com/hashicorp/qemu"``) gives the builder ``qemu``, the plugin
``ansible`` the provisioners ``ansible`` and ``ansible-local``: a component type is
``<plugin>`` or ``<plugin>-<suffix>``. pybuild downloads nothing; a plugin is *covered*
when every component of it that the template uses is in pybuild's registry (built in or
an installed pybuild plugin), or, when the template uses none, when the registry has at
least one component of that name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.plugins import REGISTRY
from builder.template.model import Template


@dataclass
class PluginCoverage:
    name: str  # the local name in required_plugins
    source: str
    version: str
    provided: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, type, origin)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (kind, type) used, not provided

    @property
    def covered(self) -> bool:
        return bool(self.provided) and not self.missing

    def line(self) -> str:
        head = self.name + (f" ({self.source}" + (f" {self.version}" if self.version else "") + ")"
                            if self.source else "")
        if self.covered:
            what = ", ".join(f"{k} {t}" + ("" if o == "builtin" else f" [{o}]") for k, t, o in self.provided)
            return f"{head}: provided by pybuild: {what}"
        if self.missing:
            what = ", ".join(f'{k} "{t}"' for k, t in self.missing)
            return f"{head}: NOT provided by pybuild: the template uses {what}"
        return f"{head}: NOT provided by pybuild: no {self.name} component is built in"


def plugin_short_name(local_name: str, source: str) -> str:
    """The component prefix of a plugin: the source's last part without ``packer-plugin-``."""
    last = source.rstrip("/").rsplit("/", 1)[-1] if source else local_name
    return last.removeprefix("packer-plugin-") or local_name


def _belongs(component_type: str, plugin: str) -> bool:
    return component_type == plugin or component_type.startswith(plugin + "-")


def used_components(template: Template) -> set[tuple[str, str]]:
    """(kind, type) of every builder, provisioner and post-processor the template uses."""
    used: set[tuple[str, str]] = set()
    for b in template.builds:
        used.update(("builder", s.type) for s in b.sources)
        specs = list(b.provisioners) + ([b.error_cleanup] if b.error_cleanup else [])
        used.update(("provisioner", s.type) for s in specs)
        used.update(("post-processor", s.type) for chain in b.post_processor_chains for s in chain)
    return used


def coverage(required: Mapping[str, Any], used: Iterable[tuple[str, str]]) -> list[PluginCoverage]:
    infos = list(REGISTRY.infos())
    have = {(i.kind, i.type): i.origin for i in infos}
    used = set(used)
    out: list[PluginCoverage] = []
    for local, spec in required.items():
        spec = spec if isinstance(spec, Mapping) else {"version": spec}
        source = str(spec.get("source") or "")
        cov = PluginCoverage(local, source, str(spec.get("version") or ""))
        prefix = plugin_short_name(local, source)
        mine = sorted((k, t) for k, t in used if _belongs(t, prefix))
        if mine:
            for k, t in mine:
                if (k, t) in have:
                    cov.provided.append((k, t, have[(k, t)]))
                else:
                    cov.missing.append((k, t))
        else:
            cov.provided = [(i.kind, i.type, i.origin) for i in infos if _belongs(i.type, prefix)]
        out.append(cov)
    return out


__all__ = ["PluginCoverage", "coverage", "plugin_short_name", "used_components"]
