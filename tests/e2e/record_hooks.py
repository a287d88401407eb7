"""Hooks for every phase: each records what its context held into $HOOK_RECORD (JSON lines)."""

import json
import os


def _record(ctx, **extra):
    rec = {
        "phase": ctx.phase,
        "build_name": ctx.build_name,
        "build_type": ctx.build_type,
        "password": ctx.variables.get("password"),
        "has_vm": ctx.vm is not None,
        "serial_log": str(ctx.vm.serial_log) if ctx.vm else None,
        "has_communicator": ctx.communicator is not None,
        "artifact": ctx.artifact.id if ctx.artifact else None,
        "post_processor": ctx.post_processor,
        "output_dir": str(ctx.output_dir) if ctx.output_dir else None,
    }
    rec.update(extra)
    with open(os.environ["HOOK_RECORD"], "a") as f:
        f.write(json.dumps(rec) + "\n")


def pre_build(ctx):
    _record(ctx)


def post_boot(ctx):
    status = ctx.vm.qmp.query_status() if ctx.vm else None
    _record(ctx, vm_status=status)


def pre_provision(ctx):
    _record(ctx)


def post_provision(ctx):
    rc, out = ctx.run("cat /etc/pybuild-marker")
    ctx.log.info(f"marker says {out.strip()}")
    _record(ctx, marker=out.strip(), rc=rc)


def pre_shutdown(ctx):
    _record(ctx)


def post_build(ctx):
    _record(ctx)


def post_process(ctx):
    _record(ctx)


def on_error(ctx):
    _record(ctx, error=str(ctx.error))
