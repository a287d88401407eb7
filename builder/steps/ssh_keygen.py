"""Step ssh_keygen — produces: state.keypair (loaded from ssh_private_key_file, or a
temporary pair). The private key is registered as a secret and never printed."""

from __future__ import annotations

from pathlib import Path

from builder import secrets
from builder.communicator.keys import generate_keypair, keypair_from_text, read_private_key_file
from builder.qemu.state import QemuState
from builder.steps import Step


class StepSSHKeyGen(Step[QemuState]):
    name = "ssh_keygen"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if c.communicator != "ssh":
            return
        if c.ssh_private_key_file:
            _, state.keypair = read_private_key_file(Path(c.ssh_private_key_file).expanduser())
            state.ui.say(f"Using SSH key {c.ssh_private_key_file}")
        elif c.ssh_private_key:
            state.keypair = keypair_from_text(c.ssh_private_key, c.ssh_public_key)
            state.ui.say("Using the SSH key given in ssh_private_key")
        else:
            state.ui.say(f"Creating temporary {c.temporary_key_pair_type} SSH key for instance...")
            state.keypair = generate_keypair(c.temporary_key_pair_type, c.temporary_key_pair_bits or 0,
                                             comment=c.temporary_key_pair_name or "pybuild")
        secrets.add(state.keypair.private_pem)

    def cleanup(self, state: QemuState) -> None:
        state.keypair = None
