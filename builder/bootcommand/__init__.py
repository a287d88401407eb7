"""Boot commands: Packer's grammar, keyboard drivers (VNC, QMP, serial) and the typer.

    actions = parse(config.flat_boot_command())       # after rendering {{ .HTTPIP }}...
    kb = VNCKeyboard(RFBClient(unix_path=sock)); kb.client.connect()
    type_actions(actions, kb, interval=config.key_interval(), serial=console)
"""

from builder.bootcommand.config import BootConfig
from builder.bootcommand.drivers import (
    KeyboardDriver,
    QMPKeyboard,
    RecordingKeyboard,
    SerialKeyboard,
    VNCKeyboard,
)
from builder.bootcommand.grammar import Action, Char, KeyDown, KeyUp, Press, Special, Wait, parse, unparse
from builder.bootcommand.step import open_keyboard, type_boot_command, wait_for_boot
from builder.bootcommand.typer import BootCommandError, TypeResult, type_actions
from builder.bootcommand.vnc import RFBClient, VNCError

__all__ = [
    "Action",
    "BootCommandError",
    "BootConfig",
    "Char",
    "KeyDown",
    "KeyUp",
    "KeyboardDriver",
    "Press",
    "QMPKeyboard",
    "RFBClient",
    "RecordingKeyboard",
    "SerialKeyboard",
    "Special",
    "TypeResult",
    "VNCError",
    "VNCKeyboard",
    "Wait",
    "open_keyboard",
    "parse",
    "type_actions",
    "type_boot_command",
    "unparse",
    "wait_for_boot",
]
