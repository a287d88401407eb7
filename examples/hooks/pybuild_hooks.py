"""Example hooks: put this file beside a template as ``pybuild_hooks.py`` (or pass
``--hooks FILE``). Each function is called at the phase it is named after."""


def pre_build(ctx):
    ctx.log.info(f"starting {ctx.build_name} ({ctx.build_type}); image name {ctx.variables.get('image_name')}")


def post_provision(ctx):
    rc, out = ctx.run("uname -r")
    ctx.log.info(f"guest kernel {out.strip()} (exit {rc})")


def post_process(ctx):
    if ctx.artifact is not None and ctx.artifact.builder_id == "pybuild.post-processor.glance":
        ctx.log.info(f"registered Glance image {ctx.artifact.id} in the CMDB")


def on_error(ctx):
    ctx.log.warning(f"{ctx.build_name} failed: {ctx.error}")
