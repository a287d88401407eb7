"""Packer's ``null`` builder: no machine; runs provisioners with communicator ``none``
(or ``ssh`` to an existing host). Like Packer's, it returns an artifact without files, so
the build's post-processors run (``shell-local`` after ``source "null"``)."""

from __future__ import annotations

from dataclasses import dataclass

from builder.config import BaseConfig, opt
from builder.plugins import Artifact, BuildContext, Builder


@dataclass(kw_only=True)
class NullConfig(BaseConfig):
    communicator: str = opt("none", help="none, or ssh to an existing host", choices=("none", "ssh"))
    ssh_host: str = opt("", help="host to connect to when communicator = ssh")
    ssh_port: int = opt(22, help="SSH port")
    ssh_username: str = opt("", help="SSH user")
    ssh_password: str = opt("", help="SSH password", sensitive=True)
    ssh_private_key_file: str = opt("", help="SSH private key file")
    ssh_timeout: str = opt("5m", help="how long to wait for SSH")

    def validate(self) -> list[str]:
        errs = []
        if self.communicator == "ssh" and not (self.ssh_host and self.ssh_username):
            errs.append("ssh_host: ssh_host and ssh_username are required with communicator = ssh")
        return errs


class NullBuilder(Builder[NullConfig]):
    Config = NullConfig
    builder_id = "packer.null"

    def run(self, ctx: BuildContext) -> Artifact | None:
        comm = None
        if self.config.communicator == "ssh":
            from builder.communicator.ssh import connect
            from builder.config import parse_duration

            key = None
            if self.config.ssh_private_key_file:
                with open(self.config.ssh_private_key_file) as f:
                    key = f.read()
            comm = connect(
                self.config.ssh_host,
                self.config.ssh_port,
                username=self.config.ssh_username,
                password=self.config.ssh_password or None,
                private_key_pem=key,
                timeout=float(parse_duration(self.config.ssh_timeout)),
                handshake_attempts=10,
                ui=ctx.ui,
            )
        try:
            if ctx.provision is not None:
                ctx.provision(ctx.provision_context(communicator=comm))
        finally:
            if comm is not None:
                comm.close()
        return Artifact(self.builder_id, "Null", [], description="nothing exported (null builder)")
