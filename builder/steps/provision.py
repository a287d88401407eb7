"""Step provision — runs the template's provisioners over the communicator, between the
``pre_provision`` and ``post_provision`` hooks. (Retries, timeouts, only/except and the
error-cleanup provisioner are the orchestrator's, in :mod:`builder.build`.)"""

from __future__ import annotations

from builder.qemu.state import QemuState
from builder.steps import Step


class StepProvision(Step[QemuState]):
    name = "provision"

    def run(self, state: QemuState) -> None:
        ctx = state.ctx
        pctx = ctx.provision_context(
            communicator=state.comm,
            http_addr=f"{state.http_ip}:{state.http_port}" if state.http_port else "",
            output_dir=state.output_dir,
            build_vars={
                "Host": state.cfg.ssh_host or "127.0.0.1",
                "Port": state.ssh_host_port or state.cfg.ssh_port,
                "User": state.cfg.ssh_username,
                "Password": state.cfg.ssh_password,
                "ConnType": state.cfg.communicator,
                "SSHPublicKey": state.keypair.public_openssh if state.keypair else "",
                "SSHPrivateKey": state.keypair.private_pem if state.keypair else "",
                "PackerHTTPIP": state.http_ip if state.http_port else "",
                "PackerHTTPPort": str(state.http_port) if state.http_port else "",
                "PackerHTTPAddr": f"{state.http_ip}:{state.http_port}" if state.http_port else "",
            },
        )
        ctx.hook("pre_provision", state=state)
        if ctx.provision is not None:
            ctx.provision(pctx)
        ctx.hook("post_provision", state=state)
