"""Boot configuration shared by builders that type a boot command (Packer's
``bootcommand.BootConfig`` / ``VNCConfig`` plus pybuild extensions).

Mix it into a builder's config::

    @dataclass(kw_only=True)
    class QemuConfig(BootConfig, ...):
        ...
        def validate(self) -> list[str]:
            return [*BootConfig.validate(self), ...]

``boot_wait`` is ``Duration | None``: unset or 0 means Packer's 10 s, a negative value
means no wait at all; use :meth:`BootConfig.boot_wait_seconds`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from builder.bootcommand.drivers import KeyboardError, qcodes
from builder.bootcommand.grammar import Action, KeyDown, KeyUp, Press, parse
from builder.config import BaseConfig, Duration, opt, parse_duration
from builder.errors import ConfigError, Location

DEFAULT_BOOT_WAIT = 10.0
DEFAULT_KEY_INTERVAL = 0.1  # Packer's PackerKeyDefault
QMP_HOLD_MS = 20  # send-key hold-time used by the QMP keyboard
KEYBOARDS = ("vnc", "qmp", "serial")


@dataclass(kw_only=True)
class BootConfig(BaseConfig):
    boot_command: list[str] = opt(
        [],
        help="Keys typed after boot_wait. Elements are joined without separator. "
        "Special keys: <enter> <esc> <tab> <bs> <f1>..<f12> <wait5> <leftCtrlOn> ...",
    )
    boot_steps: list[list[str]] = opt(
        [],
        help="Like boot_command, as [command, description] pairs typed one after another "
        "(exclusive with boot_command).",
    )
    boot_wait: Duration | None = opt(
        None,
        help="Time to wait after starting the VM before typing. Unset or 0 means 10s; "
        "a negative value means no wait.",
    )
    boot_key_interval: Duration = opt(
        Duration(0),
        help="Pause after each key. 0 means env PYBUILD_KEY_INTERVAL, then PACKER_KEY_INTERVAL, "
        "then 100ms (QMP: never less than the send-key hold-time + 10ms).",
    )
    boot_keygroup_interval: Duration = opt(
        Duration(0),
        help="Accepted for Packer compatibility; the VNC, QMP and serial keyboards do not use it.",
    )
    disable_vnc: bool = opt(False, help="Do not start a VNC server (no boot_command over VNC then).")
    boot_keyboard: str = opt(
        "vnc",
        choices=KEYBOARDS,
        help="pybuild: how keys are sent: 'vnc' (like Packer), 'qmp' (QMP send-key) or "
        "'serial' (bytes on the first serial port, for machines without a display).",
    )
    boot_wait_for: str = opt(
        "",
        help="pybuild: before typing, wait until this text appears on the serial console "
        "(e.g. 'boot:'), instead of relying on boot_wait alone.",
    )
    boot_wait_for_timeout: Duration = opt(
        Duration(300), help="pybuild: how long to wait for boot_wait_for."
    )
    boot_verify_echo: bool = opt(
        False,
        help="pybuild: read the boot loader's serial echo of each typed line and fix it "
        "(backspace and retype) before pressing Enter.",
    )
    boot_verify_attempts: int = opt(
        3, help="pybuild: corrections tried per line when boot_verify_echo is on."
    )

    # ------------------------------------------------------------------ derived values

    def boot_wait_seconds(self) -> float:
        if self.boot_wait is None or self.boot_wait == 0:
            return DEFAULT_BOOT_WAIT
        return max(0.0, float(self.boot_wait))

    def flat_boot_command(self) -> str:
        """Packer's FlatBootCommand: the elements joined with no separator."""
        return "".join(self.boot_command)

    def steps(self) -> list[tuple[str, str]]:
        """The commands to type as (command, description): one per boot_steps entry,
        or the whole boot_command as one step."""
        if self.boot_steps:
            return [(s[0] if s else "", s[1] if len(s) > 1 else "") for s in self.boot_steps]
        if self.boot_command:
            return [(self.flat_boot_command(), "")]
        return []

    def key_interval(self, environ: dict[str, str] | None = None) -> float:
        """boot_key_interval > PYBUILD_KEY_INTERVAL > PACKER_KEY_INTERVAL > 100 ms.
        For the QMP keyboard, at least the send-key hold-time + 10 ms."""
        env = os.environ if environ is None else environ
        value = float(self.boot_key_interval)
        if value <= 0:
            value = DEFAULT_KEY_INTERVAL
            for name in ("PYBUILD_KEY_INTERVAL", "PACKER_KEY_INTERVAL"):
                raw = env.get(name, "").strip()
                if raw:
                    value = float(parse_duration(raw))
                    break
        if self.boot_keyboard == "qmp":
            value = max(value, QMP_HOLD_MS / 1000 + 0.010)
        return max(0.0, value)

    def parsed_steps(self, location: Location | None = None) -> list[tuple[list[Action], str]]:
        """Parse the (already rendered) steps; raises ConfigError."""
        return [(parse(cmd, location), desc) for cmd, desc in self.steps()]

    # ------------------------------------------------------------------ validation

    def validate(self) -> list[str]:
        errs: list[str] = []
        if self.boot_command and self.boot_steps:
            errs.append("boot_command: boot_command and boot_steps cannot both be set")
        if self.disable_vnc and self.boot_keyboard == "vnc" and (self.boot_command or self.boot_steps):
            errs.append("boot_command: A boot command cannot be used when vnc is disabled.")
        for i, step in enumerate(self.boot_steps):
            if not step or len(step) > 2:
                errs.append(f"boot_steps: entry {i} must be [command] or [command, description]")
        # Go-template text ({{ .HTTPIP }}) is plain characters to the grammar, so the
        # raw, unrendered text can be parsed here.
        field_name = "boot_steps" if self.boot_steps else "boot_command"
        for cmd, _desc in self.steps():
            try:
                actions = parse(cmd)
            except ConfigError as e:
                for d in e.diagnostics:
                    errs.append(f"{field_name}: {d.summary} ({d.detail.splitlines()[0]})")
                continue
            if self.boot_keyboard == "qmp":
                for a in actions:
                    if isinstance(a, (Press, KeyDown, KeyUp)):
                        try:
                            qcodes(a.key)
                        except KeyboardError as e:
                            errs.append(f"{field_name}: {e}")
                            break
        if self.boot_keygroup_interval < 0:
            errs.append("boot_keygroup_interval: must not be negative")
        if self.boot_key_interval < 0:
            errs.append("boot_key_interval: must not be negative")
        if self.boot_verify_attempts < 0:
            errs.append("boot_verify_attempts: must not be negative")
        for name in ("PYBUILD_KEY_INTERVAL", "PACKER_KEY_INTERVAL"):
            raw = os.environ.get(name, "").strip()
            if raw:
                try:
                    parse_duration(raw)
                except ValueError as e:
                    errs.append(f"boot_key_interval: environment variable {name}: {e}")
        return errs


__all__ = ["DEFAULT_BOOT_WAIT", "DEFAULT_KEY_INTERVAL", "KEYBOARDS", "QMP_HOLD_MS", "BootConfig"]
