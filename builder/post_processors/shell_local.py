"""The ``shell-local`` post-processor: run commands on the pybuild host after a build.

Same options and runner as the ``shell-local`` provisioner
(:mod:`builder.provisioners._local`); the scripts get ``PACKER_BUILD_NAME`` and
``PACKER_BUILDER_TYPE``. The input artifact passes through unchanged and is always
kept (Packer's rule for shell-local).
"""

from __future__ import annotations

from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.provisioners._local import LocalShellConfig, run_local


class ShellLocalPPConfig(LocalShellConfig):
    pass


class ShellLocalPostProcessor(PostProcessor[ShellLocalPPConfig]):
    Config = ShellLocalPPConfig
    late_templates = ("execute_command",)  # .Script, .Vars...

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        run_local(self.config, ctx, base_env=ctx.env(), event="post_processor_output")
        return PostProcessResult(artifact, keep=True, force_keep=True)


__all__ = ["ShellLocalPPConfig", "ShellLocalPostProcessor"]
