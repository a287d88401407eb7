"""Step boot_command — uses: boot_wait / boot_wait_for, boot_command / boot_steps,
boot_keyboard; produces: state.serial (the serial console) and the typed boot command.

Beyond Packer's blind sleep: ``boot_wait_for`` waits for text on the serial console, and
``boot_verify_echo`` reads back the boot loader's serial echo and retypes a wrong line
before pressing Enter. Keyboards: VNC (Packer's), QMP ``send-key``, or the serial port.
The sequencing itself lives in :mod:`builder.bootcommand.step`.
"""

from __future__ import annotations

from builder.bootcommand.step import open_keyboard, type_boot_command, wait_for_boot
from builder.bootcommand.vnc import RFBClient
from builder.gotemplate import render
from builder.qemu.serial import SerialConsole
from builder.qemu.state import QemuState
from builder.steps import Step


class StepTypeBootCommand(Step[QemuState]):
    name = "boot_command"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        user_serial = any(row and row[0] == "-serial" for row in c.qemuargs)
        state.serial = SerialConsole(None if user_serial else str(state.serial_sock), str(state.serial_log))
        cancel = state.ctx.cancel
        if not c.steps():
            if c.boot_wait_for:
                wait_for_boot(c, serial=state.serial, ui=state.ui, cancel=cancel)
            state.ctx.hook("post_boot", state=state)
            return
        vnc = None
        if c.boot_keyboard == "vnc":
            assert state.vnc_lease is not None, "VNC is disabled"
            vnc = RFBClient(c.vnc_bind_address or "127.0.0.1", state.vnc_lease.port,
                            password=c.vnc_password if c.vnc_use_password else "")
        needs_serial = c.boot_keyboard == "serial" or c.boot_verify_echo
        # boot_wait first (Packer connects to VNC after it), then the keyboard
        wait_for_boot(c, serial=state.serial, ui=state.ui, cancel=cancel)
        if vnc is not None:
            vnc.connect(cancel=cancel)
        if needs_serial:
            state.serial.connect(cancel=cancel)
        keyboard = open_keyboard(c, vnc=vnc, qmp=state.qmp, serial=state.serial, cancel=cancel)
        data = state.template_data()
        try:
            results = type_boot_command(
                c, keyboard, serial=state.serial if needs_serial else None,
                render=lambda s: render(s, data, user_vars=state.ctx.variables, build_name=state.source_name,
                                        build_type="qemu"),
                ui=state.ui, cancel=cancel, wait=False,
                debug_pause=(lambda d: _pause(state, d)) if state.ctx.debug else None,
            )
        finally:
            keyboard.close()
        state.ui.event("boot_command_typed", keyboard=c.boot_keyboard, steps=len(results),
                       retypes=sum(r.retypes for r in results))
        state.ctx.hook("post_boot", state=state)

    def cleanup(self, state: QemuState) -> None:
        if state.serial is not None:
            state.serial.close()
            state.serial = None


def _pause(state: QemuState, what: str) -> None:
    state.ui.say(f"Paused after {what}. Press enter to continue.")
    try:
        input()
    except EOFError:
        pass
