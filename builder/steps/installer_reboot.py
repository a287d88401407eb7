"""Step installer_reboot — uses: state.kernel_boot, state.qemu, state.qmp; produces: a
new state.qemu (and state.qmp) booted from the disk.

A directly booted installer kernel would boot again on every reset, so QEMU runs it
with ``-no-reboot``: the installer's final reboot ends QEMU. With a communicator, the
build needs the installed system, so this step waits (up to the SSH timeout) for that
exit and starts QEMU again the same way, without kernel, installer ISO or answers CD,
booting from the disk. With ``communicator = "none"`` there is nothing to reach: the
shutdown step takes the installer's power-off as the end of the build.

The new process and QMP client replace the old ones in the state, so the qemu_run and
qmp steps' cleanups release them, as they would have released the first ones.
"""

from __future__ import annotations

from builder.errors import BuildError
from builder.qemu.state import QemuState
from builder.steps import Step, qmp
from builder.steps.qemu_run import launch


class StepInstallerReboot(Step[QemuState]):
    name = "installer_reboot"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if state.kernel_boot is None or c.communicator == "none" or state.qemu is None:
            return
        timeout = c.effective_ssh_timeout
        state.ui.say(f"Waiting for the installer to finish and power off (up to {timeout:.0f}s)...")
        rc = state.qemu.wait(timeout, cancel=state.ctx.cancel)
        if rc is None:
            raise BuildError(f"Timeout: the installer did not power off within {timeout:.0f}s (ssh_timeout)")
        state.ui.event("installer_finished", exit_code=rc)
        if state.qmp is not None:
            state.qmp.close()
            state.qmp = None
        state.qemu = None  # exited and reaped
        state.ui.say("Installer finished; booting the installed system from its disk")
        launch(state, installer=False)
        qmp.connect(state)

    def cleanup(self, state: QemuState) -> None:
        """Nothing of its own: the relaunched QEMU and QMP client are the qemu_run and qmp
        steps' to release."""
