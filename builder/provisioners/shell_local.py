"""The ``shell-local`` provisioner: run commands on the pybuild host during provisioning.

Gets ``PACKER_BUILD_NAME``, ``PACKER_BUILDER_TYPE`` and ``PACKER_HTTP_ADDR``; the runner
is shared with the ``shell-local`` post-processor (:mod:`builder.provisioners._local`).
"""

from __future__ import annotations

from builder.plugins import ProvisionContext, Provisioner
from builder.provisioners._local import LocalShellConfig, run_local


class ShellLocalConfig(LocalShellConfig):
    pass


class ShellLocalProvisioner(Provisioner[ShellLocalConfig]):
    Config = ShellLocalConfig
    late_templates = ("execute_command",)  # .Script, .Vars...

    def provision(self, ctx: ProvisionContext) -> None:
        run_local(self.config, ctx, base_env=ctx.env())


__all__ = ["ShellLocalConfig", "ShellLocalProvisioner"]
