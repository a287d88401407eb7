"""Load the shipped templates with pybuild's own HCL engine and render their HTTP
sources with pybuild's own HTTP renderer — the same context the builder gives them
(the template's variables + build_name, HTTPIP, HTTPPort, SSHPublicKey)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.httpserver import HTTPConfig, render_http
from builder.template.loader import load
from builder.template.model import Template
from tests.templates._paths import TEMPLATES

# the installer templates name no download host: their ISO (and CentOS 7's mirror) must be given
_MEDIA = {"iso_url": "http://media.example/installer.iso", "iso_checksum": "none"}
REQUIRED_VARS: dict[str, dict[str, str]] = {
    "centos7": {**_MEDIA, "mirror": "http://mirror.example/centos"},
    "rocky9": _MEDIA, "almalinux9": _MEDIA, "debian12": _MEDIA, "ubuntu2404": _MEDIA,
}


def required_var_args(name: str) -> list[str]:
    """``-var k=v`` arguments for a template's required variables (test values)."""
    return [a for k, v in REQUIRED_VARS.get(name, {}).items() for a in ("-var", f"{k}={v}")]


def load_template(name: str, **vars: str) -> Template:
    return load(str(TEMPLATES / f"{name}.pkr.hcl"), vars={**REQUIRED_VARS.get(name, {}), **vars}, env={})


def source_config(t: Template, source: str | None = None) -> dict[str, Any]:
    build = t.builds[0]
    spec = build.sources[0] if source is None else next(
        s for s in build.sources if s.full_name == source)
    return spec.evaluate({})


def ctx(t: Template, source: str | None = None) -> dict[str, Any]:
    """The evaluation context the build gives provisioners/post-processors of a source."""
    build = t.builds[0]
    spec = build.sources[0] if source is None else next(
        s for s in build.sources if s.full_name == source)
    return {"source": {"type": spec.type, "name": spec.name}}


def shell_provisioners(t: Template) -> list[dict[str, Any]]:
    return [c.evaluate(ctx(t)) for c in t.builds[0].provisioners if c.type == "shell"]


def provisioner_scripts(t: Template) -> list[Path]:
    return [Path(s) for p in shell_provisioners(t) for s in p.get("scripts", [])]


def provisioner_env(t: Template) -> dict[str, str]:
    env: dict[str, str] = {}
    for p in shell_provisioners(t):
        for kv in p.get("environment_vars", []):
            k, _, v = kv.partition("=")
            env[k] = v
    return env


def render_http_dir(t: Template, out: Path, source: str | None = None,
                    build_name: str = "test") -> dict[str, str]:
    """Render the source's http_directory as the build would serve it: {url path: text}."""
    cfg = source_config(t, source)
    http = HTTPConfig(http_directory=cfg["http_directory"])
    ctx = dict(t.variable_values())
    ctx.update(build_name=build_name, HTTPIP="10.0.2.2", HTTPPort=8123,
               SSHPublicKey="ssh-ed25519 AAAAC3Nza test@pybuild")
    written = render_http(http, ctx, out)
    return {"/" + p.relative_to(out).as_posix(): p.read_text() for p in written}
