"""pybuild's command line: Packer's commands and flags.

    pybuild TEMPLATE                    build (the design card's usage)
    pybuild build|validate|inspect|console|fmt|init|version|plugins|render-http|verify|doctor ...

Exit codes: 0 success; 1 a build failed; 2 template or usage error; 3 ``fmt -check``
found changes; 130 interrupted. Errors are rendered once here; tracebacks only with
``--debug``/``PYBUILD_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path

from builder import PACKER_COMPAT_VERSION, __version__, secrets
from builder.errors import PybuildError, TemplateError, UsageError

COMMANDS = ("build", "validate", "inspect", "console", "fmt", "init", "version", "plugins", "render-http", "verify",
            "doctor", "matrix", "worker")

# boolean flags per command: Go's flag package also accepts ``-force=true``/``-force=false``
BOOL_FLAGS = {
    "build": ("force", "debug", "timestamp-ui", "machine-readable", "use-sequential-evaluation"),
    "validate": ("syntax-only", "machine-readable", "use-sequential-evaluation"),
    "inspect": ("machine-readable", "use-sequential-evaluation"),
    "console": ("use-sequential-evaluation",),
    "fmt": ("check", "diff", "recursive"),
    "init": ("upgrade",),
}
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def _var_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-var", "--var", action="append", default=[], metavar="NAME=VALUE", help="set a variable")
    p.add_argument("-var-file", "--var-file", action="append", default=[], metavar="FILE", help="variables file")


def _evaluation_flag(p: argparse.ArgumentParser) -> None:
    """Packer >= 1.12's ``-use-sequential-evaluation`` (data sources first, then locals) is
    accepted; pybuild evaluates data sources and locals as one graph either way, which gives
    every template the phased order can evaluate the same values."""
    p.add_argument("-use-sequential-evaluation", "--use-sequential-evaluation", action="store_true",
                   help="accepted for Packer >= 1.12 (pybuild always evaluates data sources and locals as a graph)")


def _filter_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-only", "--only", default="", help="comma-separated build name globs to run")
    p.add_argument("-except", "--except", dest="except_", default="", help="build names (or post-processors) to skip")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="pybuild", description="Packer-compatible image builder for OpenStack")
    top.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = top.add_subparsers(dest="command")

    b = sub.add_parser("build", help="build images from a template")
    _var_flags(b)
    _evaluation_flag(b)
    _filter_flags(b)
    b.add_argument("-force", "--force", action="store_true", help="replace existing output directories")
    b.add_argument("-on-error", "--on-error", default="cleanup",
                   choices=("cleanup", "abort", "ask", "run-cleanup-provisioner"))
    b.add_argument("-parallel-builds", "--parallel-builds", type=int, default=0, help="0 = no limit")
    b.add_argument("-timestamp-ui", "--timestamp-ui", action="store_true")
    b.add_argument("-machine-readable", "--machine-readable", action="store_true")
    b.add_argument("-debug", dest="step_debug", action="store_true", help="pause between steps")
    b.add_argument("-color", "--color", default="true")
    b.add_argument("--log-json", metavar="FILE", help="write one JSON event per line")
    b.add_argument("--report", metavar="FILE", help="write a JUnit XML report")
    b.add_argument("--hooks", metavar="FILE", help="Python hooks file (default: pybuild_hooks.py beside the template)")
    b.add_argument("template")

    v = sub.add_parser("validate", help="check a template")
    _var_flags(v)
    _evaluation_flag(v)
    _filter_flags(v)
    v.add_argument("-syntax-only", "--syntax-only", action="store_true")
    v.add_argument("-evaluate-datasources", "--evaluate-datasources", action="store_true",
                   help="run data sources while validating (otherwise their values are unknown)")
    v.add_argument("-machine-readable", "--machine-readable", action="store_true")
    v.add_argument("template")

    i = sub.add_parser("inspect", help="show a template's variables, locals and builds")
    _var_flags(i)
    _evaluation_flag(i)
    i.add_argument("-machine-readable", "--machine-readable", action="store_true")
    i.add_argument("template")

    c = sub.add_parser("console", help="evaluate expressions (one per line on stdin)")
    _var_flags(c)
    _evaluation_flag(c)
    c.add_argument("template", nargs="?")

    f = sub.add_parser("fmt", help="format HCL files")
    f.add_argument("-check", "--check", action="store_true")
    f.add_argument("-diff", "--diff", action="store_true")
    f.add_argument("-write", "--write", default="true")
    f.add_argument("-recursive", "--recursive", action="store_true")
    f.add_argument("paths", nargs="*", default=["."])

    ini = sub.add_parser("init", help="check that pybuild provides the template's required_plugins")
    ini.add_argument("-upgrade", "--upgrade", action="store_true", help="accepted for Packer compatibility")
    ini.add_argument("template")

    sub.add_parser("version", help="print the version")
    sub.add_parser("plugins", help="list builders, provisioners and post-processors")

    r = sub.add_parser("render-http", help="write the rendered HTTP files (kickstarts...) of a build")
    _var_flags(r)
    r.add_argument("-only", "--only", default="")
    r.add_argument("--out", required=True)
    r.add_argument("template")
    vf = sub.add_parser("verify", help="boot an image the way Nova would and check its OpenStack features")
    vf.add_argument("image", help="a qcow2/raw file, or glance://CLOUD[/REGION]/IMAGE (name or id)")
    vf.add_argument("--disk-size", default="", help="flavor disk (e.g. 4G; a bare number is MiB); "
                    "default 2x the virtual size")
    vf.add_argument("--datasource", default="configdrive", choices=("configdrive", "nocloud"))
    vf.add_argument("--user", default="debian", help="the image's default cloud user (gets the SSH key)")
    vf.add_argument("--expect", default="", help="comma-separated checks that must pass (default: all standard); "
                    "+name/-name add to/remove from the defaults, e.g. +root_login")
    vf.add_argument("--report", metavar="FILE.json", help="write the report as JSON")
    vf.add_argument("--evidence-dir", default="", help="where to keep serial log + screenshot on failure")
    vf.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for SSH")

    d = sub.add_parser("doctor", help="check this host for what a template (or pybuild) needs")
    _var_flags(d)
    _filter_flags(d)
    d.add_argument("template", nargs="?", help="without one: everything pybuild can use")
    _matrix_parsers(sub)
    return top


BROKER_ENV = "PYBUILD_BROKER_URL"


def _matrix_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from builder.matrix.model import DEFAULT_VISIBILITY_TIMEOUT

    m = sub.add_parser("matrix", help="a nightly image matrix: plan, validate, run (one host or Celery)")
    msub = m.add_subparsers(dest="matrix_command", required=True)
    for name, helptext in (("plan", "print the cells' graph and the queue each cell goes to"),
                           ("validate", "validate every cell's template with its variables")):
        msub.add_parser(name, help=helptext).add_argument("file", help="matrix file (HCL)")
    mr = msub.add_parser("run", help="run the matrix on this host, or on Celery workers (--celery)")
    mr.add_argument("file", help="matrix file (HCL)")
    rr = msub.add_parser("rerun", help="run again the cells of an earlier run that did not succeed")
    rr.add_argument("--failed", required=True, metavar="RUN_ID", help="the earlier run (its summary.json)")
    for p in (mr, rr):
        p.add_argument("--parallel", type=int, default=1, help="cells at once on this host")
        p.add_argument("--celery", metavar="BROKER_URL", nargs="?", default="", const=None,
                       help=f"submit to Celery workers (redis://...; alone: ${BROKER_ENV}, keeps a password off "
                       "the command line)")
        p.add_argument("--runs-dir", default="matrix-runs", help="where RUN_ID/summary.json and junit.xml go")
        p.add_argument("--run-id", default="", help="default: UTC time + random suffix")
        p.add_argument("--wait-timeout", type=float, default=None, help="seconds to wait for a Celery run")
    w = sub.add_parser("worker", help="run a Celery worker that builds matrix cells on this host")
    w.add_argument("--broker", default=os.environ.get(BROKER_ENV, ""), metavar="URL",
                   help=f"broker URL (redis://HOST:PORT/0; default ${BROKER_ENV})")
    w.add_argument("--queues", required=True, help="comma-separated queues this host serves, e.g. x86_64,x86_64-kvm")
    w.add_argument("--concurrency", type=int, default=1, help="cells built at once")
    w.add_argument("--name", default="", help="worker name (default pybuild-QUEUES@HOST)")
    w.add_argument("--work-dir", default="pybuild-worker", help="where cells are built (RUN_ID/CELL/)")
    w.add_argument("--visibility-timeout", type=float, default=DEFAULT_VISIBILITY_TIMEOUT,
                   help="seconds; must exceed the longest cell (Redis re-delivers unacknowledged tasks after it)")
    w.add_argument("--restore-interval", type=float, default=60.0,
                   help="seconds between scans for cells of dead workers to re-deliver")


def cmd_verify(args: argparse.Namespace) -> int:
    from builder.cancel import install_signal_handlers
    from builder.ui import UI
    from builder.units import parse_size
    from builder.verify import VerifyOptions, verify_image
    from builder.verify.checks import expand_expect

    expect = _globs(args.expect)
    try:
        expand_expect(expect)
    except PybuildError as e:
        raise UsageError(str(e)) from None
    try:  # a bare number is MiB, as in the qemu builder's disk_size
        disk_size = parse_size(args.disk_size, default_unit="M") if args.disk_size else 0
    except ValueError as e:
        raise UsageError(f"invalid --disk-size {args.disk_size!r}: {e}") from None
    from builder import hostcheck
    from builder.post_processors.verify import VerifyPostProcessor

    hostcheck.require(("verify", r) for r in VerifyPostProcessor.host_requirements(None))
    install_signal_handlers()
    opts = VerifyOptions(disk_size=disk_size, datasource=args.datasource, user=args.user,
                         expect=expect, boot_timeout=args.timeout,
                         evidence_dir=Path(args.evidence_dir) if args.evidence_dir else None)
    ui = UI().for_build("verify")
    image, glance_id = Path(args.image), ""
    from builder.glance_source import fetch as fetch_glance
    from builder.glance_source import is_glance_url

    if is_glance_url(args.image):  # what is in the cloud, not a local file: fetched (and cached) first
        got = fetch_glance(args.image, ui=ui)
        image, glance_id = got.path, got.image_id
        print(f"Glance image {glance_id} ({got.image.get('name')}) from {args.image}: "
              f"{'downloaded' if got.downloaded else 'cached'} copy {image}")
    rep = verify_image(image, opts, ui)
    if glance_id:
        rep.glance_image_id, rep.source = glance_id, args.image
        print(f"Verified Glance image {glance_id} ({args.image})")
    print(rep.table())
    if rep.evidence_dir:
        print(f"Evidence (serial log, screenshot): {rep.evidence_dir}")
    if args.report:
        Path(args.report).write_text(rep.to_json())
    return 0 if rep.ok else 1


def _parse_vars(items: list[str]) -> dict[str, str]:
    out = {}
    for it in items:
        if "=" not in it:
            raise UsageError(f'invalid -var "{it}": expected NAME=VALUE')
        k, v = it.split("=", 1)
        out[k.strip()] = v
    return out


def _globs(s: str) -> list[str]:
    return [x.strip() for x in s.split(",") if x.strip()]


def _load(args: argparse.Namespace, syntax_only: bool = False,  # type: ignore[no-untyped-def]
          evaluate_datasources: bool = True, except_: list[str] | None = None, check: bool = False):
    from builder.template.loader import load

    path = args.template
    if not os.path.exists(path):
        raise UsageError(f"template {path} does not exist")
    tpl = load(path, var_files=args.var_file, vars=_parse_vars(args.var), env=os.environ, syntax_only=syntax_only,
               evaluate_datasources=evaluate_datasources, check_components=check,
               only=_globs(getattr(args, "only", "") or ""),
               except_=except_ if except_ is not None else _globs(getattr(args, "except_", "") or ""))
    secrets.add(*tpl.sensitive_values())
    secrets.keep_names(*tpl.names())
    return tpl


def cmd_validate(args: argparse.Namespace) -> int:
    from builder.build import check_host, plan, prepare

    except_ = _globs(args.except_)
    tpl = _load(args, syntax_only=args.syntax_only, evaluate_datasources=args.evaluate_datasources,
                except_=except_, check=True)
    if args.syntax_only:
        print("Syntax-only check passed. Everything looks okay.")
        return 0
    plans = plan(tpl, _globs(args.only), except_)
    prepared = prepare(tpl, plans, except_, warn=_warn)
    _check_boot_commands(tpl, plans)
    check_host(prepared, _globs(args.except_))
    print("The configuration is valid.")
    return 0


def _warn(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def _check_boot_commands(tpl, plans) -> None:  # type: ignore[no-untyped-def]
    """Boot commands are parsed by the builder config's validate(); nothing more here."""


def cmd_inspect(args: argparse.Namespace) -> int:
    from builder.template.inspect import inspect_text

    print(inspect_text(_load(args, evaluate_datasources=False)))
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from builder.template.console import console_eval

    tpl = _load(args) if args.template else None
    rc = 0
    for line in sys.stdin:
        expr = line.strip()
        if not expr:
            continue
        try:
            print(secrets.mask(console_eval(tpl, expr)))
        except TemplateError as e:
            print(e.render_masked(), file=sys.stderr)
            rc = 1
    return rc


def cmd_fmt(args: argparse.Namespace) -> int:
    from builder.template.fmt import format_hcl

    files: list[Path] = []
    for p in map(Path, args.paths):
        if p.is_dir():
            pattern = "**/*" if args.recursive else "*"
            files += sorted(f for f in p.glob(pattern) if f.name.endswith((".pkr.hcl", ".pkrvars.hcl")))
        elif p.exists():
            files.append(p)
        else:
            raise UsageError(f"{p} does not exist")
    changed = 0
    write = args.write.lower() != "false" and not args.check
    for f in files:
        old = f.read_text()
        new = format_hcl(old)
        if new == old:
            continue
        changed += 1
        print(f)
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"old/{f}", f"new/{f}"))
        if write:
            f.write_text(new)
    return 3 if (args.check and changed) else 0


def cmd_init(args: argparse.Namespace) -> int:
    """Packer's ``init`` installs plugins; pybuild's components are built in, so it says,
    per required plugin, whether pybuild provides what the template uses from it."""
    from builder.required_plugins import coverage, used_components
    from builder.template.loader import load

    if not os.path.exists(args.template):
        raise UsageError(f"template {args.template} does not exist")
    tpl = load(args.template, env=os.environ, syntax_only=True)
    if not tpl.required_plugins:
        print("No plugins requirement found, the template needs only pybuild's built-in components.")
        return 0
    report = coverage(tpl.required_plugins, used_components(tpl))
    for c in report:
        print(c.line())
    missing = [c.name for c in report if not c.covered]
    if missing:
        print(f"pybuild does not provide {len(missing)} required plugin(s): {', '.join(missing)}; "
              "pybuild cannot install Packer plugins (see `pybuild plugins` for what it has).", file=sys.stderr)
        return 1
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    from builder.plugins import REGISTRY

    rows = [(i.kind, i.type, i.origin, i.target) for i in REGISTRY.infos()]
    w = [max(len(r[k]) for r in rows) for k in range(3)]
    for r in rows:
        print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]}")
    return 0


def cmd_render_http(args: argparse.Namespace) -> int:
    from builder.build import _source_ctx, plan
    from builder.config import parse_config
    from builder.httpserver import HTTPConfig, render_http

    tpl = _load(args)
    plans = plan(tpl, _globs(args.only), [])
    if not plans:
        raise UsageError("no build matches -only")
    out = Path(args.out)
    for p in plans:
        raw = p.source.evaluate(_source_ctx(p))
        keys = {o.name for o in HTTPConfig.options()}
        cfg = parse_config(HTTPConfig, {k: v for k, v in raw.items() if k in keys}, component=p.name)
        if not (cfg.http_directory or cfg.http_content):
            continue
        dest = out / p.name if len(plans) > 1 else out
        dest.mkdir(parents=True, exist_ok=True)
        ctx = dict(tpl.variable_values())
        ctx.update(build_name=p.source.name, HTTPIP="10.0.2.2", HTTPPort=8000, SSHPublicKey="")
        for f in render_http(cfg, ctx, dest):
            print(f)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from builder.build import Runner, RunOptions, check_host, junit_xml, plan, prepare, summary_table
    from builder.cancel import install_signal_handlers
    from builder.hooks import find_hooks_file, load_hooks_module
    from builder.ui import UI, EventSink, UIOptions, setup_logging

    if args.on_error == "ask" and not sys.stdin.isatty():
        raise UsageError("-on-error=ask asks on a terminal, but stdin is not one; "
                         "use -on-error=cleanup, abort or run-cleanup-provisioner")
    setup_logging(*log_settings(os.environ))
    except_ = _globs(args.except_)
    tpl = _load(args, except_=except_, check=True)
    plans = plan(tpl, _globs(args.only), except_)
    if not plans:
        raise UsageError("no builds to run (check -only/-except)")
    prepared = prepare(tpl, plans, except_, warn=_warn)
    check_host(prepared, except_)  # before any download or VM
    hooks_file = find_hooks_file(Path(tpl.root), args.hooks)
    hooks_mod = load_hooks_module(hooks_file) if hooks_file else None
    events = EventSink(Path(args.log_json) if args.log_json else None)
    color = want_color(args.color, os.environ, sys.stdout.isatty()) and not args.machine_readable
    ui = UI(options=UIOptions(timestamp=args.timestamp_ui, machine_readable=args.machine_readable, color=color),
            events=events)
    install_signal_handlers()
    opts = RunOptions(
        force=args.force, on_error=args.on_error, ask=ask_on_error if args.on_error == "ask" else None, parallel_builds=args.parallel_builds, debug=args.step_debug,
        except_=_globs(args.except_), hooks_module=hooks_mod,
        tracebacks=args.debug or os.environ.get("PYBUILD_DEBUG") == "1",
    )
    results = Runner(tpl, ui, opts).run(prepared)
    events.close()
    print()
    if any(not r.ok for r in results):
        print("==> Some builds didn't complete successfully and had errors:")
        for r in results:
            if not r.ok:
                print(f"--> {r.name}: {r.error.splitlines()[0] if r.error else 'failed'}")
    else:
        print("==> Builds finished. The artifacts of successful builds are:")
        for r in results:
            for a in r.artifacts:
                print(f"--> {r.name}: {a}")
    print()
    print(secrets.mask(summary_table(results)))
    if args.report:
        Path(args.report).write_text(junit_xml(results))
    from builder.cancel import TOKEN

    if TOKEN.cancelled or any(r.cancelled for r in results):
        return 130
    return 0 if all(r.ok for r in results) else 1


def log_settings(env: Mapping[str, str]) -> tuple[bool, Path | None]:
    """(debug log on stderr, log file) from the environment.

    ``PYBUILD_LOG=1`` logs to stderr, ``PYBUILD_LOG_PATH`` also to a file. Packer's
    ``PACKER_LOG`` (any value but "" and "0") turns logging on; with ``PACKER_LOG_PATH``
    the log goes to that file instead of stderr, as with Packer.
    """
    on = env.get("PYBUILD_LOG", "") not in ("", "0")
    path = env.get("PYBUILD_LOG_PATH", "")
    if env.get("PACKER_LOG", "") not in ("", "0"):
        if env.get("PACKER_LOG_PATH"):
            path = path or env["PACKER_LOG_PATH"]
        else:
            on = True
    return on, Path(path) if path else None


def want_color(flag: str, env: Mapping[str, str], tty: bool) -> bool:
    """Colored UI lines: ``-color=true`` (the default), a terminal, no ``PACKER_NO_COLOR``/``NO_COLOR``."""
    if flag.strip().lower() in _GO_FALSE or env.get("PACKER_NO_COLOR") or env.get("NO_COLOR"):
        return False
    return tty


_ASK_LOCK = threading.Lock()  # parallel builds ask one at a time


def ask_on_error(step: str, error: str) -> str:
    """``-on-error=ask``: Packer's question after a failed step; "cleanup", "abort" or "retry"."""
    with _ASK_LOCK:
        return _ask(step, error)


def _ask(step: str, error: str) -> str:
    print(f"Step {step!r} failed: {secrets.mask(error)}", file=sys.stderr)
    while True:
        print("[c] Clean up and exit, [a] abort without cleanup, or [r] retry step "
              "(build may fail even if retry succeeds)? ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:  # end of input: the safe answer
            return "cleanup"
        answer = {"c": "cleanup", "a": "abort", "r": "retry"}.get(line.strip()[:1].lower())
        if answer:
            return answer


def go_bool_flags(argv: list[str]) -> list[str]:
    """Rewrite Go-style ``-force=true``/``-force=false`` for argparse (``-force`` / nothing)."""
    out: list[str] = []
    command = ""
    for i, arg in enumerate(argv):
        if arg == "--":
            return out + argv[i:]
        if not command and arg in COMMANDS:
            command = arg
        name, eq, value = arg.lstrip("-").partition("=")
        if command and eq and arg.startswith("-") and name in BOOL_FLAGS.get(command, ()):
            if value in _GO_TRUE:
                out.append(f"-{name}")
            elif value not in _GO_FALSE:
                raise UsageError(f'invalid boolean value "{value}" for -{name}: use true or false')
            continue
        out.append(arg)
    return out


def cmd_matrix(args: argparse.Namespace) -> int:
    from builder.matrix import runs
    from builder.matrix.loader import load_matrix
    from builder.matrix.plan import plan_text
    from builder.matrix.report import new_run_id
    from builder.matrix.validate import validate_matrix

    if args.matrix_command in ("run", "rerun") and args.celery is None:
        args.celery = os.environ.get(BROKER_ENV, "")
        if not args.celery:
            raise UsageError(f"--celery needs a broker URL (or ${BROKER_ENV} set)")
    if args.matrix_command in ("run", "rerun") and args.celery and "://" not in args.celery:
        raise UsageError(f'--celery takes a broker URL (redis://...), not "{args.celery}"; to use '
                         f"${BROKER_ENV}, put --celery after the matrix file")
    if args.matrix_command == "rerun":
        run_id = args.run_id or new_run_id()
        print(f"==> matrix run {run_id}: the cells of {args.failed} that did not succeed")
        results = runs.rerun_failed(Path(args.runs_dir), args.failed, run_id, parallel=args.parallel,
                                    broker=args.celery, wait_timeout=args.wait_timeout)
        return _matrix_done(Path(args.runs_dir) / run_id, results)
    matrix = load_matrix(args.file)
    if args.matrix_command == "plan":
        print(plan_text(matrix))
        return 0
    validate_matrix(matrix)
    if args.matrix_command == "validate":
        print(f"The matrix is valid ({len(matrix.cells)} cells).")
        return 0
    run_id = args.run_id or new_run_id()
    print(f"==> matrix run {run_id}: {len(matrix.cells)} cells, results in {Path(args.runs_dir) / run_id}")
    results = runs.run(matrix, Path(args.runs_dir), run_id, parallel=args.parallel, broker=args.celery,
                       wait_timeout=args.wait_timeout)
    return _matrix_done(Path(args.runs_dir) / run_id, results)


def _matrix_done(run_dir: Path, results: list) -> int:  # type: ignore[type-arg]
    from builder.matrix.report import table

    print(secrets.mask(table(results)))
    print(f"==> {run_dir / 'summary.json'}")
    return 0 if all(r.ok for r in results) else 1


def cmd_worker(args: argparse.Namespace) -> int:
    import socket

    from builder.matrix.runs import celery_module

    distributed = celery_module()
    if not args.broker:
        raise UsageError(f"pybuild worker needs --broker URL (or ${BROKER_ENV})")
    queues = _globs(args.queues)
    name = args.name or f"pybuild-{'-'.join(queues)}@{socket.gethostname()}"
    distributed.run_worker(args.broker, queues, args.concurrency, name, Path(args.work_dir), args.visibility_timeout,
                           args.restore_interval)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """The host report: every check with ok/missing/warning; exit 1 when something is missing."""
    from builder import hostcheck
    from builder.build import plan, prepare

    needs: list[tuple[str, hostcheck.Requirement]] = []
    broken: list[hostcheck.Finding] = []
    if args.template:
        tpl = _load(args)
        except_ = _globs(args.except_)
        for pb in prepare(tpl, plan(tpl, _globs(args.only), except_)):
            needs += pb.host_needs(except_)
        what = f"what {args.template} needs"
    else:
        from builder.plugins import REGISTRY

        for info in REGISTRY.infos():
            try:
                cls = REGISTRY.get(info.kind, info.type)
            except PybuildError as e:
                broken.append(hostcheck.Finding(hostcheck.WARNING, f"{info.kind} {info.type}",
                                                f"cannot be loaded: {str(e).splitlines()[0]}"))
                continue
            needs += [(info.type, r) for r in cls.host_requirements(None)]
        what = "everything pybuild can use"
    report = hostcheck.check(needs, versions=True)
    report.findings += broken
    print(f"Host check: {what}")
    print(report.table())
    print()
    if report.ok:
        warn = f" ({len(report.warnings)} warning(s))" if report.warnings else ""
        print(f"Everything needed is present{warn}.")
        return 0
    print(f"{len(report.problems)} missing. Install all at once: {report.fix_all() or '(see the lines above)'}")
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("PYBUILD_DEBUG") == "1"
    # `pybuild TEMPLATE [flags]` means build
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first not in COMMANDS and argv and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv] if argv[0] != "--debug" else ["--debug", "build", *argv[1:]]
    try:
        argv = go_bool_flags(argv)
    except UsageError as e:
        print(e.render(), file=sys.stderr)
        return 2
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 2
    if args.command == "version":
        print(f"pybuild {__version__} (Packer {PACKER_COMPAT_VERSION} compatible)")
        return 0
    handlers = {
        "build": cmd_build, "validate": cmd_validate, "inspect": cmd_inspect, "console": cmd_console,
        "fmt": cmd_fmt, "init": cmd_init, "plugins": cmd_plugins, "render-http": cmd_render_http, "verify": cmd_verify,
        "doctor": cmd_doctor, "matrix": cmd_matrix, "worker": cmd_worker,
    }
    try:
        return handlers[args.command](args)
    except PybuildError as e:
        if debug:
            traceback.print_exc()
        print(e.render_masked(), file=sys.stderr)
        code = e.exit_code
        if args.command == "build" and isinstance(e, TemplateError):
            code = 2
        return code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `pybuild inspect T | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
