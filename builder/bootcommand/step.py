"""The "type boot command" phase of a builder, in one call.

    keyboard = open_keyboard(config, vnc=rfb, qmp=qmp, serial=console)
    try:
        type_boot_command(config, keyboard, serial=console, serial_offset=start_offset,
                          render=render_go_template, ui=ctx.ui)
    finally:
        keyboard.close()

Order (Packer's, plus pybuild's serial extensions):

1. ``boot_wait_for`` set: wait until the text appears on the serial console (read
   from ``serial_offset``, the log size when the VM started), then sleep ``boot_wait``
   only if the template set it explicitly (a settle time). Otherwise sleep
   ``boot_wait`` (unset/0 → 10 s; negative → none).
2. Each step (the whole ``boot_command``, or every ``boot_steps`` entry) is rendered
   (``{{ .HTTPIP }}``...), parsed and typed; ``debug_pause(description)`` is called
   after each ``boot_steps`` entry (Packer pauses there with ``-debug``).
"""

from __future__ import annotations

from collections.abc import Callable

from builder.bootcommand.config import BootConfig
from builder.bootcommand.drivers import KeyboardDriver, QMPKeyboard, SerialKeyboard, VNCKeyboard
from builder.bootcommand.grammar import parse
from builder.bootcommand.typer import BootCommandError, TypeResult, type_actions
from builder.bootcommand.vnc import RFBClient
from builder.cancel import TOKEN, CancelToken
from builder.errors import Location
from builder.qemu.qmp import QMPClient
from builder.qemu.serial import SerialConsole
from builder.ui import BuildUI


def open_keyboard(
    config: BootConfig,
    *,
    vnc: RFBClient | None = None,
    qmp: QMPClient | None = None,
    serial: SerialConsole | None = None,
    cancel: CancelToken | None = TOKEN,
) -> KeyboardDriver:
    """The driver ``boot_keyboard`` asks for, over an already connected client.

    VNC gets ``hold`` = the key interval, so the timing is Packer's: a pause after
    every key event (a plain character costs two intervals, a shifted one four)."""
    kind = config.boot_keyboard
    if kind == "vnc":
        if vnc is None:
            raise BootCommandError("boot_keyboard is vnc but no VNC connection is available")
        return VNCKeyboard(vnc, hold=config.key_interval(), cancel=cancel)
    if kind == "qmp":
        if qmp is None:
            raise BootCommandError("boot_keyboard is qmp but QMP is not connected")
        return QMPKeyboard(qmp, cancel=cancel)
    if serial is None:
        raise BootCommandError("boot_keyboard is serial but the serial console is not available")
    return SerialKeyboard(serial)


def wait_for_boot(
    config: BootConfig,
    *,
    serial: SerialConsole | None,
    serial_offset: int = 0,
    ui: BuildUI | None = None,
    cancel: CancelToken = TOKEN,
) -> None:
    if config.boot_wait_for:
        if serial is None:
            raise BootCommandError("boot_wait_for needs the serial console")
        if ui:
            ui.say(f"Waiting for {config.boot_wait_for!r} on the serial console...")
        serial.wait_for(
            config.boot_wait_for, float(config.boot_wait_for_timeout), cancel, offset=serial_offset
        )
        if config.boot_wait is not None and config.boot_wait > 0:
            cancel.sleep(float(config.boot_wait))
        return
    seconds = config.boot_wait_seconds()
    if seconds > 0:
        if ui:
            ui.say(f"Waiting {seconds:g}s for boot...")
        cancel.sleep(seconds)


def type_boot_command(
    config: BootConfig,
    keyboard: KeyboardDriver,
    *,
    serial: SerialConsole | None = None,
    serial_offset: int = 0,
    render: Callable[[str], str] = lambda s: s,
    ui: BuildUI | None = None,
    location: Location | None = None,
    cancel: CancelToken = TOKEN,
    debug_pause: Callable[[str], None] | None = None,
    wait: bool = True,
) -> list[TypeResult]:
    """boot_wait / boot_wait_for, then every step typed. Returns one result per step."""
    steps = config.steps()
    if not steps:
        return []
    if config.boot_verify_echo and serial is None:
        raise BootCommandError("boot_verify_echo needs the serial console")
    if wait:
        wait_for_boot(config, serial=serial, serial_offset=serial_offset, ui=ui, cancel=cancel)
    interval = config.key_interval()
    results = []
    for i, (raw, desc) in enumerate(steps):
        actions = parse(render(raw), location)
        if ui:
            label = f" ({desc})" if desc else (f" (step {i + 1})" if config.boot_steps else "")
            ui.say(f"Typing the boot command{label} over {config.boot_keyboard}...")
        results.append(
            type_actions(
                actions,
                keyboard,
                interval=interval,
                cancel=cancel,
                serial=serial,
                verify_echo=config.boot_verify_echo,
                verify_attempts=config.boot_verify_attempts,
                on_event=ui.event if ui else None,
            )
        )
        if ui and results[-1].retypes:
            ui.message(f"boot command: {results[-1].retypes} line(s) corrected after checking the echo")
        if debug_pause is not None and config.boot_steps:
            debug_pause(desc or f"boot step {i + 1}")
    return results


__all__ = ["open_keyboard", "type_boot_command", "wait_for_boot"]
