"""Step shutdown — the guest powers off and QEMU exits.

- communicator ``none``: wait up to ``shutdown_timeout`` for the guest to power itself off;
- ``shutdown_command``: run it, then wait up to ``shutdown_timeout``;
- no command: ask politely first (ACPI power button over QMP), then kill after the timeout
  (Packer kills at once, which can lose unflushed writes).

Uses state.qemu, state.qmp and state.comm; releases none of them: the SSH connection is
closed by the connect step's cleanup, and QEMU's process (stopped here only as the last
resort above) is reaped, with its log kept as evidence, by the qemu_run step's cleanup.
"""

from __future__ import annotations

from builder.errors import BuildError, CommunicatorError
from builder.qemu.state import QemuState
from builder.steps import Step


class StepShutdown(Step[QemuState]):
    name = "shutdown"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        q = state.qemu
        assert q is not None
        timeout = float(c.shutdown_timeout) if c.shutdown_timeout > 0 else 300.0
        state.ctx.hook("pre_shutdown", state=state)
        if c.communicator == "none":
            state.ui.say(f"Waiting for the guest to power off (up to {timeout:.0f}s)...")
            if q.wait(timeout) is None:
                raise BuildError("Timeout while waiting for machine to shut down.")
            return
        if c.ssh_clear_authorized_keys and state.comm is not None and state.keypair is not None:
            from builder.communicator.ssh import clear_authorized_keys

            clear_authorized_keys(state.comm, state.keypair.public_openssh, state.ui)  # type: ignore[arg-type]
        if c.shutdown_command:
            state.ui.say("Gracefully halting virtual machine...")
            assert state.comm is not None
            try:
                state.comm.run(c.shutdown_command, on_stdout=state.ui.message, on_stderr=state.ui.message)
            except CommunicatorError:
                pass  # the guest going away (DisconnectedError) mid-command is the expected outcome
            if q.wait(timeout) is None:
                raise BuildError(
                    f"Timeout while waiting for machine to shut down ({timeout:.0f}s after "
                    f"shutdown_command {c.shutdown_command!r})."
                )
        else:
            state.ui.say("Halting the virtual machine (ACPI power button)...")
            if state.qmp is not None:
                try:
                    state.qmp.system_powerdown()
                except Exception:
                    pass
            if q.wait(min(timeout, 60.0)) is None:
                state.ui.message("Guest did not power off; stopping QEMU")
                q.stop(grace=3.0)
        state.ui.message("QEMU has exited")
