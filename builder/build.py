"""From a loaded template to finished builds: plan, prepare (validate), run.

- :func:`plan` turns ``build`` blocks into one :class:`PlannedBuild` per source,
  filtered by ``-only``/``-except``;
- :func:`prepare` instantiates every component from its configuration schema and
  collects *all* configuration errors of all builds at once;
- :class:`Runner` runs the builds (``-parallel-builds``), the provisioners with their
  common options, the post-processor chains, hooks, failure evidence and the summary.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from builder import hostcheck, secrets
from builder.cancel import TOKEN, CancelToken
from builder.config import BaseConfig, located_problems, parse_config, parse_duration
from builder.errors import BuildError, Cancelled, ConfigError, Diagnostic, PybuildError, TemplateError
from builder.gotemplate import render_options
from builder.hooks import BuildHooks
from builder.hostcheck import Requirement
from builder.leftovers import write_pid
from builder.plugins import (
    REGISTRY,
    Artifact,
    BuildContext,
    Builder,
    Component,
    PostProcessContext,
    PostProcessor,
    ProvisionContext,
    Provisioner,
)
from builder.template.model import (
    BuildSpec,
    ComponentSpec,
    SourceSpec,
    Template,
    build_full_name,
    is_selected,
)
from builder.ui import UI, BuildUI, add_build_log

log = logging.getLogger("pybuild.build")

# provisioner attributes handled here, not by the component
PROVISIONER_COMMON = ("name", "only", "except", "pause_before", "max_retries", "timeout", "override")
POST_PROCESSOR_COMMON = ("name", "only", "except", "keep_input_artifact")

PLACEHOLDER_BUILD_VARS = {
    "name": "",
    "ID": "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER",
    "Host": "127.0.0.1",
    "Port": 22,
    "User": "",
    "Password": "",
    "ConnType": "ssh",
    "PackerRunUUID": "",
    "PackerHTTPIP": "10.0.2.2",
    "PackerHTTPPort": "0",
    "PackerHTTPAddr": "10.0.2.2:0",
    "SSHPublicKey": "",
    "SSHPrivateKey": "",
}


@dataclass
class PlannedBuild:
    name: str  # "[build.]type.source"
    build: BuildSpec
    source: SourceSpec

    @property
    def source_name(self) -> str:
        return self.source.full_name  # what only/except in provisioners match


@dataclass
class PreparedComponent:
    spec: ComponentSpec
    component: Component[Any]


@dataclass
class PreparedBuild:
    plan: PlannedBuild
    builder: Builder[Any]
    provisioners: list[ComponentSpec]
    error_cleanup: ComponentSpec | None
    chains: list[list[ComponentSpec]]
    # what the components need on the host (builder.hostcheck): (who, requirement) for the
    # builder and provisioners; per post-processor chain, each spec with its requirements
    requirements: list[tuple[str, Requirement]] = field(default_factory=list)
    chain_requirements: list[list[tuple[ComponentSpec, list[Requirement]]]] = field(default_factory=list)

    def host_needs(self, except_: list[str] | None = None) -> list[tuple[str, Requirement]]:
        """(who, requirement) pairs of this build; a post-processor skipped by ``-except``
        (and the rest of its chain, as the Runner does) needs nothing."""
        needs = list(self.requirements)
        for chain in self.chain_requirements:
            for spec, reqs in chain:
                if except_ and (spec.name in except_ or spec.type in except_):
                    break
                needs += [(f"{spec.name or spec.type} ({self.plan.name})", r) for r in reqs]
        return needs


@dataclass
class BuildResult:
    name: str
    ok: bool
    duration: float
    artifacts: list[Artifact] = field(default_factory=list)
    error: str = ""
    failure_dir: Path | None = None
    cancelled: bool = False


def plan(template: Template, only: list[str] | None = None, except_: list[str] | None = None) -> list[PlannedBuild]:
    out: list[PlannedBuild] = []
    for b in template.builds:
        for s in b.sources:
            name = build_full_name(b, s)
            if is_selected(name, only, except_):
                out.append(PlannedBuild(name, b, s))
    return out


def _source_ctx(p: PlannedBuild, build_vars: Mapping[str, Any] | None = None) -> dict[str, Any]:
    bv = dict(PLACEHOLDER_BUILD_VARS)
    bv["name"] = p.build.name
    if build_vars:
        bv.update(build_vars)
    return {"source": {"name": p.source.name, "type": p.source.type}, "build": bv}


def _evaluate(spec: ComponentSpec | SourceSpec, ctx: Mapping[str, Any]) -> dict[str, Any]:
    return spec.evaluate(ctx)


def instantiate(
    kind: str,
    type_name: str,
    raw: Mapping[str, Any],
    *,
    where: Any,
    attr_locations: Mapping[str, Any],
    ignore: tuple[str, ...] = (),
    label: str = "",
    go: Mapping[str, Any] | None = None,
    template_dir: Path | None = None,
) -> Component[Any]:
    """The component ``type_name`` made from its evaluated block ``raw``.

    With ``go`` (see :func:`go_context`) the Go templates (``{{ }}``) of every string
    option are rendered first, except the component's ``late_templates``, as Packer
    does when it prepares a component. With ``template_dir`` the component's
    :meth:`~builder.plugins.Component.check` runs too (the files it names exist).
    """
    cls = REGISTRY.get(kind, type_name, where)
    cfg_cls: type[BaseConfig] = cls.Config
    component = label or f'{kind} "{type_name}"'
    go_diags: list[Diagnostic] = []
    if go is not None:
        raw, problems = render_options(raw, skip=cls.late_templates + ignore, **go)
        go_diags = [Diagnostic(f'Invalid Go template in "{key}" of {component}', msg, attr_locations.get(key, where))
                    for key, msg in problems.items()]
    try:
        cfg = parse_config(
            cfg_cls,
            raw,
            component=component,
            block=where,
            attr_locations=attr_locations,
            ignore=ignore,
        )
    except ConfigError as e:
        raise ConfigError(go_diags + e.diagnostics) from None
    if go_diags:
        raise ConfigError(go_diags)
    for opt in cfg_cls.options():
        if opt.sensitive:
            secrets.add(getattr(cfg, opt.name, None), from_template=True)
    obj = cls(cfg)
    if template_dir is not None:
        unmet = obj.check(template_dir)
        if unmet:
            raise ConfigError(located_problems(unmet, component=component, block=where,
                                               attr_locations=attr_locations,
                                               options=(o.name for o in cfg_cls.options())))
    return obj


def go_context(template: Template, p: PlannedBuild, build_vars: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What Go templates in component options see when the component is prepared (see
    :func:`go_context_of`)."""
    return go_context_of(p, template.variable_values(), template.root, build_vars)


def go_context_of(p: PlannedBuild, user_vars: Mapping[str, Any], root: str,
                  build_vars: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What Go templates in component options see when the component is prepared: the
    ``build`` values (placeholders until the machine runs) and ``.Name`` (the build's
    name) as data, the template's variables (``user_vars``) for ``{{ user }}``, the build
    name and type."""
    data: dict[str, Any] = dict(_source_ctx(p, build_vars)["build"])
    data["Name"] = p.source.name
    return {
        "data": data,
        "user_vars": dict(user_vars),
        "build_name": p.source.name,
        "build_type": p.source.type,
        "template_dir": root,
    }


def source_ctx(p: PlannedBuild) -> dict[str, Any]:
    """The ``source`` and ``build`` values a block is evaluated with when it is prepared."""
    return _source_ctx(p)


def _apply_override(raw: dict[str, Any], spec: ComponentSpec, source_name: str) -> dict[str, Any]:
    short = source_name.split(".", 1)[-1]
    over = spec.override.get(short) or spec.override.get(source_name)
    if over:
        raw = {**raw, **over}
    return raw


def excluded(spec: ComponentSpec, except_: list[str] | None) -> bool:
    """``-except=NAME`` names a provisioner or post-processor by its ``name`` or type."""
    return except_ is not None and (spec.name in except_ or spec.type in except_)


def prepare(template: Template, plans: list[PlannedBuild], except_: list[str] | None = None,
            warn: Callable[[str], None] | None = None) -> list[PreparedBuild]:
    """Instantiate every component; raise one TemplateError with every problem.

    Provisioners and post-processors excluded by ``except_`` are dropped unread (a
    post-processor with the rest of its chain, as the run does), so a block pybuild does not
    have can be skipped; ``warn`` hears about each once."""
    diags: list[Diagnostic] = []
    warned: set[int] = set()

    def skip(spec: ComponentSpec, what: str) -> bool:
        if not excluded(spec, except_):
            return False
        if warn is not None and id(spec) not in warned:
            warned.add(id(spec))
            loc = spec.location
            where = f" at {loc.filename}:{loc.line}:{loc.col}" if loc is not None else ""
            warn(f'Skipping {what} "{spec.name or spec.type}"{where} (-except)')
        return True

    prepared: list[PreparedBuild] = []
    root = Path(template.root)

    def made(p: PlannedBuild, kind: str, spec: ComponentSpec | SourceSpec, ctx: Mapping[str, Any],
             go: Mapping[str, Any]) -> Component[Any]:
        """The component the loader made from ``spec`` for this build (``load(check_components=
        True)``: Go templates rendered, files checked, errors reported with the template's),
        else one made now the same way."""
        obj = template.components.get((p.name, kind, spec.location))
        if obj is not None:
            return obj  # type: ignore[no-any-return]
        raw = _evaluate(spec, ctx)
        if isinstance(spec, ComponentSpec) and kind == "provisioner":
            raw = _apply_override(raw, spec, p.source_name)
        ignore = {"provisioner": PROVISIONER_COMMON, "post-processor": POST_PROCESSOR_COMMON}.get(kind, ())
        label = f'source "{spec.full_name}"' if isinstance(spec, SourceSpec) else ""
        return instantiate(kind, spec.type, raw, where=spec.location, attr_locations=spec.attr_locations,
                           ignore=ignore, label=label, go=go, template_dir=root)

    for p in plans:
        ctx = _source_ctx(p)
        go = go_context(template, p)
        builder_obj: Builder[Any] | None = None
        needs: list[tuple[str, Requirement]] = []
        chain_needs: list[list[tuple[ComponentSpec, list[Requirement]]]] = []
        try:
            builder_obj = made(p, "builder", p.source, ctx, go)  # type: ignore[assignment]
            if builder_obj is not None:
                needs += [(_needed_by(p.name, r, p.source.attr_locations), r) for r in _host_requirements(builder_obj)]
        except TemplateError as e:
            diags.extend(e.diagnostics)
        provs = [s for s in p.build.provisioners if s.applies_to(p.source_name) and not skip(s, "provisioner")]
        specs = list(provs)
        error_cleanup = p.build.error_cleanup
        if error_cleanup is not None and skip(error_cleanup, "provisioner"):
            error_cleanup = None
        if error_cleanup is not None:
            specs.append(error_cleanup)
        for spec in specs:
            try:
                prov = made(p, "provisioner", spec, ctx, go)
                needs += [(_needed_by(f"{spec.name or spec.type} ({p.name})", r, spec.attr_locations), r)
                          for r in _host_requirements(prov)]
                for attr in ("pause_before", "timeout"):
                    val = getattr(spec, attr)
                    if val:
                        parse_duration(val)
            except TemplateError as e:
                diags.extend(e.diagnostics)
            except ValueError as e:
                diags.append(Diagnostic(f'Invalid duration in provisioner "{spec.type}"', str(e), spec.location))
        chains = []
        for chain in p.build.post_processor_chains:
            keep = [s for s in chain if s.applies_to(p.source_name)]
            chain_needs.append([])
            cut = next((i for i, s in enumerate(keep) if skip(s, "post-processor")), None)
            if cut is not None:
                keep = keep[:cut]
            for spec in keep:
                try:
                    pp = made(p, "post-processor", spec, ctx, go)
                    chain_needs[-1].append((spec, _host_requirements(pp)))
                except TemplateError as e:
                    diags.extend(e.diagnostics)
            chains.append(keep)
        if builder_obj is not None:
            prepared.append(PreparedBuild(p, builder_obj, provs, error_cleanup, chains, needs, chain_needs))
    if diags:
        raise TemplateError(diags)
    return prepared


def _host_requirements(comp: Component[Any]) -> list[Requirement]:
    return list(type(comp).host_requirements(comp.config))


def _needed_by(who: str, req: Requirement, attr_locations: Mapping[str, Any]) -> str:
    """``who`` needs ``req``; with the place of the option that asks for it (``vtpm``)."""
    loc = attr_locations.get(req.option) if req.option else None
    return f"{who} ({req.option} at {loc})" if loc is not None else who


def check_host(builds: list[PreparedBuild], except_: list[str] | None = None) -> None:
    """Stop before any download or VM when the host lacks what the builds need: one
    HostError with a line per problem (and its apt-get/dnf fix); warnings are printed.
    ``PYBUILD_HOSTCHECK=0`` skips the check."""
    hostcheck.require(n for pb in builds for n in pb.host_needs(except_))


# --------------------------------------------------------------------------- running


@dataclass
class RunOptions:
    force: bool = False
    on_error: str = "cleanup"
    ask: Callable[[str, str], str] | None = None  # -on-error=ask's question
    parallel_builds: int = 0
    debug: bool = False
    except_: list[str] = field(default_factory=list)  # also skips post-processors by name
    hooks_module: ModuleType | None = None
    failure_root: Path | None = None
    log_dir: Path | None = None
    tracebacks: bool = False  # --debug: a crashing component's traceback on screen too


class Runner:
    def __init__(self, template: Template, ui: UI, options: RunOptions):
        self.template = template
        self.ui = ui
        self.options = options
        self.run_uuid = os.environ.get("PACKER_RUN_UUID") or str(uuid.uuid4())
        self.sensitive = frozenset(k for k, v in template.variables.items() if v.sensitive)
        self.variables = template.variable_values()

    # ---------------------------------------------------------------- builds

    def run(self, builds: list[PreparedBuild]) -> list[BuildResult]:
        results: dict[str, BuildResult] = {}
        limit = self.options.parallel_builds or len(builds) or 1
        sem = threading.Semaphore(limit)
        threads = []

        def worker(pb: PreparedBuild) -> None:
            with sem:
                t0 = time.monotonic()
                try:
                    results[pb.plan.name] = self.run_one(pb)
                except BaseException as e:  # run_one's own bookkeeping failed: still a failed build
                    log.error("build %s: the runner failed", pb.plan.name, exc_info=e)
                    self.ui.error(f"Build '{pb.plan.name}' could not run: {type(e).__name__}: {e}", pb.plan.name)
                    results[pb.plan.name] = BuildResult(
                        pb.plan.name, False, time.monotonic() - t0, error=f"{type(e).__name__}: {e}"
                    )

        for pb in builds:
            t = threading.Thread(target=worker, args=(pb,), name=f"build:{pb.plan.name}", daemon=True)
            threads.append(t)
            t.start()
        hurry: float | None = None
        for t in threads:
            while t.is_alive() and (hurry is None or time.monotonic() < hurry):
                try:
                    t.join(0.2)
                except KeyboardInterrupt:
                    # a second Ctrl-C: the builds are already cancelled; give their cleanups
                    # (stopping QEMU, deleting temporary files) a bounded time to finish
                    # instead of exiting at once and orphaning the VMs
                    TOKEN.cancel("SIGINT")
                    if hurry is None:
                        hurry = time.monotonic() + 60.0
                        print("Interrupted again: finishing cleanup (at most 60s)...", file=sys.stderr)
        # a build without a result (a worker still alive after the second Ctrl-C) is not a success
        return [
            results.get(b.plan.name) or BuildResult(b.plan.name, False, 0.0, error="did not finish", cancelled=True)
            for b in builds
        ]

    def run_one(self, pb: PreparedBuild) -> BuildResult:
        name = pb.plan.name
        bui = self.ui.for_build(name)
        start = time.monotonic()
        staging = Path(tempfile.mkdtemp(prefix="pybuild-evidence-"))
        (staging / "pid").write_text(str(os.getpid()))
        write_pid(staging)  # a killed run's staging directory is swept by the next run
        log_path = self._log_path(name)
        handler = add_build_log(log_path)
        handler.addFilter(_BuildFilter(name))
        hooks = BuildHooks(
            self.options.hooks_module, ui=bui, build_name=name, build_type=pb.plan.source.type,
            variables=self.variables, sensitive=self.sensitive,
        )

        def save_evidence(path: Path) -> None:
            shutil.copy2(path, staging / path.name)

        ctx = BuildContext(
            build_name=name,
            build_type=pb.plan.source.type,
            ui=bui,
            template_dir=Path(self.template.root),
            variables=self.variables,
            cancel=TOKEN,
            force=self.options.force,
            debug=self.options.debug,
            source_name_full=pb.plan.source_name,
            on_error=self.options.on_error,
            ask=self.options.ask,
            provision=lambda pctx: self.provision(pb, pctx),
            hooks=hooks,
            save_evidence=save_evidence,
        )
        bui.event("build_start", type=pb.plan.source.type)
        bui.say(f"Starting build {name} ({pb.plan.source.type})")
        artifacts: list[Artifact] = []
        artifact: Artifact | None = None
        try:
            hooks.call("pre_build")
            artifact = pb.builder.run(ctx)
            if artifact is not None:
                bui.event("artifact", builder_id=artifact.builder_id, id=artifact.id,
                          files=[str(f) for f in artifact.files])
            hooks.call("post_build", artifact=artifact)
            artifacts = self.post_process(pb, ctx, artifact)
            dur = time.monotonic() - start
            bui.event("build_end", ok=True, duration=round(dur, 3))
            return BuildResult(name, True, dur, artifacts)
        except (Exception, KeyboardInterrupt) as e:
            err = self._as_error(e, bui)
            dur = time.monotonic() - start
            msg = err.render_masked()
            try:
                hooks.call("on_error", error=err)
            except Exception as he:
                log.error("on_error hook failed", exc_info=he)
                bui.error(f"on_error hook failed: {he}")
            bui.error(f"Build '{name}' errored after {_fmt_dur(dur)}: {msg}")
            if isinstance(err, Cancelled) and artifact is not None and not ctx.keeps_output:
                # interrupted while post-processing: the run delivered nothing, and a kept
                # output directory would make the next (nightly) run fail
                artifact.destroy()
                bui.say(f"Deleted the build's artifact ({artifact.id}): cancelled during post-processing")
            step = getattr(err, "step", "")
            bui.event("error", step=step, message=msg)
            fdir = self._failure_dir(name, staging, log_path, bui)
            bui.error(f"Failure evidence: {fdir}")
            bui.event("build_end", ok=False, duration=round(dur, 3), failure_dir=str(fdir))
            return BuildResult(name, False, dur, [], msg, fdir, cancelled=isinstance(err, Cancelled))
        finally:
            logging.getLogger("pybuild").removeHandler(handler)
            handler.close()
            shutil.rmtree(staging, ignore_errors=True)

    def _as_error(self, e: BaseException, bui: BuildUI) -> PybuildError:
        """Every exception fails its build; a non-pybuild one (a bug in a component or a
        plugin) becomes a BuildError, its traceback in the build log (on screen with --debug)."""
        if isinstance(e, PybuildError):
            cause = e.__cause__
            if cause is not None and not isinstance(cause, PybuildError) and isinstance(e, BuildError):
                self._traceback(cause, bui)  # run_steps wrapped a crashing step
            return e
        if isinstance(e, KeyboardInterrupt):
            return Cancelled()
        self._traceback(e, bui)
        return BuildError(f"{type(e).__name__}: {e} (a bug; the traceback is in the build log)")

    def _traceback(self, e: BaseException, bui: BuildUI) -> None:
        text = "".join(traceback.format_exception(e))
        log.error("build %s crashed:\n%s", bui.name, text.rstrip())
        if self.options.tracebacks:
            bui.error(text.rstrip())

    def _log_path(self, name: str) -> Path:
        d = self.options.log_dir or Path(os.environ.get("PYBUILD_LOG_DIR") or _cache_root() / "logs")
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        ts = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        p = d / f"{name}-{ts}-{os.getpid()}.log"
        fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        os.close(fd)
        return p

    def _failure_dir(self, name: str, staging: Path, log_path: Path, bui: BuildUI) -> Path:
        root = self.options.failure_root or Path(os.environ.get("PYBUILD_FAILURE_DIR") or "pybuild-failures")
        ts = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        d = root / f"{name}-{ts}"
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        for f in staging.iterdir():
            if f.name != "pid":
                shutil.copy2(f, d / f.name)
        for h in logging.getLogger("pybuild").handlers:
            h.flush()
        if log_path.exists():
            shutil.copy2(log_path, d / "build.log")
        if bui.last_output:
            (d / "last-output.txt").write_text("\n".join(bui.last_output[-200:]) + "\n")
        for f in d.iterdir():
            os.chmod(f, 0o600)
        return d

    # ---------------------------------------------------------------- provisioners

    def provision(self, pb: PreparedBuild, pctx: ProvisionContext) -> None:
        src_ctx = _source_ctx(pb.plan, {**pctx.build_vars, "PackerRunUUID": self.run_uuid})
        for spec in pb.provisioners:
            try:
                self._run_provisioner(pb, spec, pctx, src_ctx)
            except (Exception, KeyboardInterrupt) as e:
                # Packer: -on-error=abort leaves everything as it is, the cleanup provisioner too
                if (pb.error_cleanup is not None and not isinstance(e, (Cancelled, KeyboardInterrupt))
                        and self.options.on_error != "abort"):
                    pctx.ui.say("Provisioning step had errors: running the cleanup provisioner, if present...")
                    try:
                        self._run_provisioner(pb, pb.error_cleanup, pctx, src_ctx)
                    except Exception as ce:
                        log.error("error-cleanup-provisioner failed", exc_info=ce)
                        pctx.ui.error(f"error-cleanup-provisioner failed: {ce}")
                raise

    def _run_provisioner(
        self, pb: PreparedBuild, spec: ComponentSpec, pctx: ProvisionContext, src_ctx: Mapping[str, Any]
    ) -> None:
        raw = _apply_override(spec.evaluate(src_ctx), spec, pb.plan.source_name)
        build_vars = {**pctx.build_vars, "PackerRunUUID": self.run_uuid}
        comp = instantiate("provisioner", spec.type, raw, where=spec.location,
                           attr_locations=spec.attr_locations, ignore=PROVISIONER_COMMON,
                           go=go_context(self.template, pb.plan, build_vars))
        assert isinstance(comp, Provisioner)
        label = spec.name or spec.type
        if spec.pause_before:
            secs = float(parse_duration(spec.pause_before))
            pctx.ui.say(f"Pausing {secs:g}s before the next provisioner...")
            TOKEN.sleep(secs)
        timeout = float(parse_duration(spec.timeout)) if spec.timeout else 0.0
        attempts = max(0, spec.max_retries) + 1
        for attempt in range(1, attempts + 1):
            pctx.ui.say(f"Provisioning with {label}..." + (f" (attempt {attempt})" if attempt > 1 else ""))
            pctx.ui.event("provisioner_start", provisioner=label, attempt=attempt)
            t0 = time.monotonic()
            try:
                _call_with_timeout(lambda token: _provision_attempt(comp, pctx, token), timeout, label)
                pctx.ui.event("provisioner_end", provisioner=label, ok=True, duration=round(time.monotonic() - t0, 3))
                return
            except (Cancelled, KeyboardInterrupt):
                raise
            except Exception as e:
                pctx.ui.event("provisioner_end", provisioner=label, ok=False, error=str(e))
                if not isinstance(e, PybuildError):  # a bug in the provisioner: no retry, name it
                    raise BuildError(f"{type(e).__name__}: {e}", step=f"provision ({label})") from e
                if attempt == attempts:
                    if isinstance(e, BuildError) and not e.step:
                        e.step = f"provision ({label})"
                    raise
                pctx.ui.error(f"Provisioner {label} failed: {e}; retrying")
                TOKEN.sleep(min(2.0 * attempt, 10.0))

    # ---------------------------------------------------------------- post-processors

    def post_process(self, pb: PreparedBuild, ctx: BuildContext, artifact: Artifact | None) -> list[Artifact]:
        if artifact is None:
            return []
        if not pb.chains:
            return [artifact]
        keep_original = False
        results: list[Artifact] = []
        pp_ctx = PostProcessContext(
            build_name=ctx.build_name, build_type=ctx.build_type, ui=ctx.ui, template_dir=ctx.template_dir,
            variables=ctx.variables, cancel=ctx.cancel, force=ctx.force, debug=ctx.debug,
        )
        src_ctx = _source_ctx(pb.plan, {"PackerRunUUID": self.run_uuid})

        def excluded(spec: ComponentSpec) -> bool:
            return bool(self.options.except_) and (spec.name in self.options.except_
                                                   or spec.type in self.options.except_)

        def make(spec: ComponentSpec) -> PostProcessor[Any]:
            comp = instantiate("post-processor", spec.type, spec.evaluate(src_ctx), where=spec.location,
                               attr_locations=spec.attr_locations, ignore=POST_PROCESSOR_COMMON,
                               go=go_context(self.template, pb.plan, {"PackerRunUUID": self.run_uuid}))
            assert isinstance(comp, PostProcessor)
            return comp

        for chain in pb.chains:
            current = artifact
            made: dict[int, PostProcessor[Any]] = {}
            for i, spec in enumerate(chain):
                label = spec.name or spec.type
                if excluded(spec):
                    ctx.ui.say(f"Skipping post-processor {label} (-except) and the rest of its chain")
                    break
                comp = made.pop(i, None) or make(spec)
                if i + 1 < len(chain) and not excluded(chain[i + 1]):
                    # one tool run for two neighbours (virt-sysprep + virt-sparsify: one appliance boot)
                    made[i + 1] = make(chain[i + 1])
                    if comp.fuse_next(made[i + 1]):
                        ctx.ui.message(f"{label} and {chain[i + 1].name or chain[i + 1].type} share one run")
                ctx.ui.say(f"Running post-processor: {label}")
                t0 = time.monotonic()
                ctx.ui.event("post_processor_start", post_processor=label)
                try:
                    res = comp.post_process(pp_ctx, current)
                except (PybuildError, KeyboardInterrupt):
                    raise
                except Exception as e:  # a bug in the post-processor: name it (the traceback is logged)
                    raise BuildError(f"{type(e).__name__}: {e}", step=f"post-processor ({label})") from e
                ctx.ui.event("post_processor_end", post_processor=label, duration=round(time.monotonic() - t0, 3),
                             artifact_id=res.artifact.id)
                ctx.hook("post_process", artifact=res.artifact, post_processor=label)
                keep = res.keep
                if spec.keep_input_artifact is not None and not res.force_keep:
                    keep = spec.keep_input_artifact
                if res.force_keep:
                    keep = True
                if i == 0:
                    keep_original = keep_original or keep
                elif not keep and current is not artifact and res.artifact is not current:
                    ctx.ui.message(f"Deleting prior artifact from post-processor {label}")
                    current.destroy()
                current = res.artifact
            results.append(current)
        if not keep_original and all(r is not artifact for r in results):
            ctx.ui.message("Deleting original artifact for build")
            artifact.destroy()
        return results


class _BuildFilter(logging.Filter):
    def __init__(self, name: str):
        super().__init__()
        self.build = name

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName == f"build:{self.build}" or self.build in record.getMessage()


# how long a timed-out provisioner attempt gets to stop (its remote command is closed, its
# local processes are killed) before the error is reported and a retry may start
ATTEMPT_STOP_GRACE = 30.0


def _provision_attempt(comp: Provisioner[Any], pctx: ProvisionContext, token: CancelToken) -> None:
    """One provisioner attempt whose waits, local processes and remote commands follow ``token``."""
    comm = pctx.communicator
    own = getattr(comm, "cancel", None)
    if isinstance(own, CancelToken) and token is not TOKEN:
        comm.cancel = token  # type: ignore[union-attr]  # the SSH communicator closes the command's channel
    try:
        comp.provision(dataclasses.replace(pctx, cancel=token))
    finally:
        if isinstance(own, CancelToken):
            comm.cancel = own  # type: ignore[union-attr]


def _call_with_timeout(fn: Callable[[CancelToken], None], timeout: float, label: str) -> None:
    """Run ``fn(token)``; after ``timeout`` seconds cancel its token, wait for it to stop
    (at most ATTEMPT_STOP_GRACE), then raise: a retry never overlaps the attempt it replaces."""
    if timeout <= 0:
        fn(TOKEN)
        return
    token = TOKEN.child()
    box: dict[str, BaseException] = {}

    def target() -> None:
        try:
            fn(token)
        except BaseException as e:
            box["e"] = e

    t = threading.Thread(target=target, name=threading.current_thread().name, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        token.cancel("timeout")
        t.join(ATTEMPT_STOP_GRACE)
        if t.is_alive():
            log.warning("provisioner %s did not stop within %gs of its timeout", label, ATTEMPT_STOP_GRACE)
        raise BuildError(f"provisioner {label} timed out after {timeout:g}s")
    if "e" in box:
        raise box["e"]


def _fmt_dur(sec: float) -> str:
    m, s = divmod(int(sec), 60)
    return f"{m} minutes {s} seconds" if m else f"{sec:.1f} seconds"


def _cache_root() -> Path:
    return Path(os.environ.get("PYBUILD_CACHE_DIR") or Path.home() / ".cache" / "pybuild")


def summary_table(results: list[BuildResult]) -> str:
    rows = [("BUILD", "STATUS", "DURATION", "ARTIFACT")]
    for r in results:
        status = "ok" if r.ok else ("cancelled" if r.cancelled else "FAILED")
        art = "; ".join(str(a) for a in r.artifacts) if r.ok else (str(r.failure_dir) if r.failure_dir else "")
        rows.append((r.name, status, f"{r.duration:.1f}s", art))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        lines.append("  ".join(c.ljust(widths[i]) if i < 3 else c for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def junit_xml(results: list[BuildResult]) -> str:
    from xml.sax.saxutils import escape, quoteattr

    fails = sum(1 for r in results if not r.ok)
    total = sum(r.duration for r in results)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name="pybuild" tests="{len(results)}" failures="{fails}" time="{total:.3f}">']
    for r in results:
        out.append(f'  <testcase classname="pybuild" name={quoteattr(r.name)} time="{r.duration:.3f}">')
        if not r.ok:
            out.append(f"    <failure message={quoteattr(secrets.mask(r.error.splitlines()[0] if r.error else 'failed'))}>"
                       f"{escape(secrets.mask(r.error))}</failure>")
        else:
            out.append(f"    <system-out>{escape('; '.join(str(a) for a in r.artifacts))}</system-out>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"


__all__ = [
    "BuildResult",
    "ConfigError",
    "PlannedBuild",
    "PreparedBuild",
    "RunOptions",
    "Runner",
    "check_host",
    "junit_xml",
    "plan",
    "prepare",
    "summary_table",
    "sys",
]
