"""Step boot_command — uses: boot_wait / boot_wait_for, boot_command / boot_steps,
boot_keyboard; produces: state.serial (the serial console) and the typed boot command.

Beyond Packer's blind sleep: ``boot_wait_for`` waits for text on the serial console, and
``boot_verify_echo`` reads back the boot loader's serial echo and retypes a wrong line
before pressing Enter. Keyboards: VNC (Packer's), QMP ``send-key``, or the serial port.
"""

from __future__ import annotations

from builder.bootcommand.drivers import KeyboardDriver, QMPKeyboard, SerialKeyboard, VNCKeyboard
from builder.bootcommand.grammar import parse
from builder.bootcommand.typer import type_actions
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
        steps = c.steps()
        if c.boot_wait_for:
            state.ui.say(f"Waiting for {c.boot_wait_for!r} on the serial console...")
            state.serial.wait_for(c.boot_wait_for, float(c.boot_wait_for_timeout) or 300.0, offset=0)
        elif steps:
            wait = c.boot_wait_seconds()
            if wait > 0:
                state.ui.say(f"Waiting {wait:g}s for boot...")
                state.ctx.cancel.sleep(wait)
        if steps:
            self._type(state, steps)
        state.ctx.hook("post_boot", state=state)

    def _type(self, state: QemuState, steps: list[tuple[str, str]]) -> None:
        c = state.cfg
        data = state.template_data()
        interval = c.key_interval()
        driver = self._driver(state, interval)
        try:
            for text, desc in steps:
                rendered = render(text, data, user_vars=state.ctx.variables, build_name=state.source_name,
                                  build_type="qemu")
                actions = parse(rendered)
                how = {"vnc": "VNC", "qmp": "QMP", "serial": "the serial console"}[c.boot_keyboard]
                state.ui.say(f"Typing the boot command over {how}..." + (f" ({desc})" if desc else ""))
                result = type_actions(
                    actions, driver, interval=interval, cancel=state.ctx.cancel,
                    serial=state.serial if c.boot_verify_echo else None,
                    verify_echo=c.boot_verify_echo, verify_attempts=c.boot_verify_attempts,
                    on_event=state.ui.event,
                )
                state.ui.event("boot_command_typed", keyboard=c.boot_keyboard, text=rendered,
                               retyped=getattr(result, "retypes", 0))
        finally:
            driver.close()

    def _driver(self, state: QemuState, interval: float) -> KeyboardDriver:
        c = state.cfg
        if c.boot_keyboard == "qmp":
            assert state.qmp is not None
            return QMPKeyboard(state.qmp, cancel=state.ctx.cancel)
        if c.boot_keyboard == "serial":
            assert state.serial is not None
            state.serial.connect(cancel=state.ctx.cancel)
            return SerialKeyboard(state.serial)
        assert state.vnc_lease is not None, "VNC is disabled"
        client = RFBClient(c.vnc_bind_address or "127.0.0.1", state.vnc_lease.port,
                           password=c.vnc_password if c.vnc_use_password else "")
        client.connect(cancel=state.ctx.cancel)
        return VNCKeyboard(client, hold=interval, cancel=state.ctx.cancel)

    def cleanup(self, state: QemuState) -> None:
        if state.serial is not None:
            state.serial.close()
            state.serial = None
