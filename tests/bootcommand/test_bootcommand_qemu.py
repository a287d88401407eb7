"""Boot commands typed into a real boot loader (isolinux in QEMU under TCG).

isolinux is configured with ``serial 0 115200``: it echoes the command line it holds
to the serial port and also reads keys from it, so the serial log shows exactly what
the boot loader received, whichever keyboard typed it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bc_vm import Vm

from builder.bootcommand.drivers import KeyboardDriver, QMPKeyboard, SerialKeyboard, VNCKeyboard
from builder.bootcommand.grammar import Char, Key, parse
from builder.bootcommand.typer import BootCommandError, echoed_line, type_actions
from builder.bootcommand.vnc import VNCError
from builder.qemu.qmp import QMPCommandError
from builder.qemu.serial import SerialTimeout

# upper case, every shifted US symbol, and the unshifted punctuation
LINE = 'Hello World ~!@#$%^&*()_+{}|:"<>? lower-=[];,./`\'\\ 0123456789'


def current_line(vm: Vm, mark: int) -> str:
    start = max(0, mark - 4096)
    before = vm.serial.read_bytes_since(start)[: mark - start].decode("utf-8", "replace")
    return echoed_line(vm.serial.read_since(mark), before)


def wait_line(vm: Vm, mark: int, expected: str, timeout: float = 30) -> str:
    """The echoed line once it equals ``expected`` (or whatever it is at the timeout)."""
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        line = current_line(vm, mark)
        if line == expected:
            return line
        time.sleep(0.1)
    return line


def keyboard(vm: Vm, kind: str) -> tuple[KeyboardDriver, float]:
    """A connected keyboard of ``kind`` and the key interval to use with it."""
    if kind == "vnc":
        client = vm.vnc()
        client.connect(timeout=10)
        return VNCKeyboard(client, hold=0.01), 0.02
    if kind == "qmp":
        return QMPKeyboard(vm.qmp, hold_ms=20), 0.04
    if kind == "serial":
        return SerialKeyboard(vm.serial), 0.01
    raise AssertionError(kind)


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["vnc", "qmp", "serial"])
def test_typed_line_reaches_the_boot_loader_exactly(prompt_vm: Vm, kind: str) -> None:
    kb, interval = keyboard(prompt_vm, kind)
    mark = prompt_vm.serial.mark()
    # a held Shift, a backspace and the full symbol set
    result = type_actions(parse("<leftShiftOn>abc<leftShiftOff>x<bs> " + LINE), kb, interval=interval)
    assert result.keys > len(LINE)
    assert wait_line(prompt_vm, mark, "ABC " + LINE) == "ABC " + LINE


def test_vnc_over_tcp_with_port_read_back_from_qmp(vm_factory: Callable[..., Vm], di_iso_prompt: Path) -> None:
    vm = vm_factory(di_iso_prompt, vnc="tcp")
    addr = vm.qmp.vnc_address()
    assert addr is not None and addr[0] == "127.0.0.1" and 5900 <= addr[1] <= 5999
    vm.serial.wait_for("boot:", timeout=60, offset=0)
    client = vm.vnc()
    client.connect(timeout=10)
    assert (client.width, client.height) != (0, 0)
    mark = vm.serial.mark()
    type_actions(parse("tcp:OK"), VNCKeyboard(client), interval=0.02)
    assert wait_line(vm, mark, "tcp:OK") == "tcp:OK"


def test_vnc_password_authentication(vm_factory: Callable[..., Vm], di_iso_prompt: Path) -> None:
    vm = vm_factory(di_iso_prompt, vnc_password="s3cr3tpw")
    vm.serial.wait_for("boot:", timeout=60, offset=0)
    wrong = vm.vnc()
    wrong.password = "wrongpw1"
    with pytest.raises(VNCError, match="authentication failed"):
        wrong.connect(timeout=5)
    client = vm.vnc()
    client.password = ""
    with pytest.raises(VNCError, match="requires a password"):
        client.connect(timeout=5)
    good = vm.vnc()
    good.connect(timeout=5)
    mark = vm.serial.mark()
    type_actions(parse("Auth:ok"), VNCKeyboard(good), interval=0.02)
    assert wait_line(vm, mark, "Auth:ok") == "Auth:ok"


class DroppingKeyboard:
    """Fault injection: loses the n-th character press (as an overloaded host does)."""

    def __init__(self, inner: KeyboardDriver, drop: set[int]):
        self.inner = inner
        self.drop = drop
        self.count = 0
        self.dropped: list[str] = []

    def press(self, key: Key) -> None:
        if isinstance(key, Char):
            self.count += 1
            if self.count in self.drop:
                self.dropped.append(key.char)
                return
        self.inner.press(key)

    def key_down(self, key: Key) -> None:
        self.inner.key_down(key)

    def key_up(self, key: Key) -> None:
        self.inner.key_up(key)

    def type_char(self, c: str) -> None:
        self.press(Char(c))

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize("kind", ["vnc", "serial"])
def test_echo_verification_repairs_lost_keys(prompt_vm: Vm, kind: str) -> None:
    inner, interval = keyboard(prompt_vm, kind)
    kb = DroppingKeyboard(inner, drop={3, 9})
    line = "auto url=http://10.0.2.2:8000/preseed.cfg"
    events: list[tuple[str, dict]] = []
    mark = prompt_vm.serial.mark()
    result = type_actions(
        parse(f"<esc><wait>{line}<enter>"),
        kb,
        interval=interval,
        serial=prompt_vm.serial,
        verify_echo=True,
        echo_settle=0.5,
        on_event=lambda name, **f: events.append((name, f)),
    )
    assert kb.dropped == ["t", "="]
    assert result.retypes >= 1 and result.verified_lines == 1
    names = [n for n, _ in events]
    assert "boot_command_retype" in names and names[-1] == "boot_command_key"
    retype = next(f for n, f in events if n == "boot_command_retype")
    assert retype["echoed"] == "auo url" + "http://10.0.2.2:8000/preseed.cfg"
    assert result.lines == [line]
    # independently: the line isolinux held when Enter arrived
    out = prompt_vm.serial.read_since(mark)
    start = max(0, mark - 4096)
    before = prompt_vm.serial.read_bytes_since(start)[: mark - start].decode()
    assert echoed_line(out.split("\n")[0], before) == line


def test_echo_verification_without_echo_fails_clearly(vm_factory: Callable[..., Vm]) -> None:
    vm = vm_factory(None)  # SeaBIOS with nothing to boot: nobody echoes on serial
    client = vm.vnc()
    client.connect(timeout=10)
    with pytest.raises(BootCommandError, match="no echo"):
        type_actions(
            parse("abc<enter>"), VNCKeyboard(client), interval=0.01,
            serial=vm.serial, verify_echo=True, echo_timeout=2,
        )


def test_serial_wait_for_timeout_shows_console_tail(prompt_vm: Vm) -> None:
    with pytest.raises(SerialTimeout) as ei:
        prompt_vm.serial.wait_for("never printed", timeout=0.5, offset=0)
    assert "boot:" in str(ei.value)


def test_qmp_screendump_errors_and_quit(prompt_vm: Vm, tmp_path: Path) -> None:
    from PIL import Image

    png = prompt_vm.qmp.screendump(tmp_path / "screen.png")
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size[0] >= 640
    with pytest.raises(QMPCommandError) as ei:
        prompt_vm.qmp.execute("no-such-command")
    assert ei.value.error_class == "CommandNotFound"
    assert prompt_vm.qmp.query_status() == "running"
    prompt_vm.qmp.system_powerdown()  # isolinux ignores ACPI; QEMU still reports the event
    ev = prompt_vm.qmp.wait_event("POWERDOWN", timeout=10)
    assert ev is not None and ev["event"] == "POWERDOWN"
    assert prompt_vm.qmp.wait_event("SHUTDOWN", timeout=0.5) is None
    prompt_vm.qmp.quit()
    assert prompt_vm.proc.wait(timeout=10) is not None


def test_enter_boots_the_label_typed(prompt_vm: Vm) -> None:
    kb, interval = keyboard(prompt_vm, "vnc")
    mark = prompt_vm.serial.mark()
    type_actions([*parse("nosuchlabel"), *parse("<enter>")], kb, interval=interval)
    # isolinux reports the kernel it could not find: the exact word it received
    prompt_vm.serial.wait_for("Loading nosuchlabel... failed", timeout=30, offset=mark)
    prompt_vm.serial.wait_for("boot:", timeout=30, offset=mark)  # and prompts again


@pytest.mark.parametrize("kind", ["vnc", "qmp", "serial"])
def test_type_boot_command_step_end_to_end(prompt_vm: Vm, kind: str) -> None:
    """The builder-facing call: boot_wait_for, Go-template rendering, echo check, UI events."""
    import io

    from builder.bootcommand.config import BootConfig
    from builder.bootcommand.step import open_keyboard, type_boot_command
    from builder.config import parse_config
    from builder.ui import UI

    cfg = parse_config(BootConfig, {
        "boot_command": ["<wait0.2s>nosuchlabel ", "ip={{ .HTTPIP }}<enter>"],
        "boot_keyboard": kind, "boot_wait_for": "boot:", "boot_wait_for_timeout": "30s",
        "boot_verify_echo": True, "boot_key_interval": "40ms",
    }, component="test")
    out = io.StringIO()
    ui = UI(out=out).for_build("qemu.t")
    events: list[dict] = []
    ui.root.events.listeners.append(events.append)
    vnc = prompt_vm.vnc() if kind == "vnc" else None
    if vnc is not None:
        vnc.connect(timeout=10)
    kb = open_keyboard(cfg, vnc=vnc, qmp=prompt_vm.qmp, serial=prompt_vm.serial)
    mark = prompt_vm.serial.mark()
    try:
        [res] = type_boot_command(cfg, kb, serial=prompt_vm.serial,
                                  render=lambda s: s.replace("{{ .HTTPIP }}", "10.0.2.2"), ui=ui)
    finally:
        kb.close()
    assert res.lines == ["nosuchlabel ip=10.0.2.2"]
    prompt_vm.serial.wait_for("Loading nosuchlabel... failed", timeout=30, offset=mark)
    assert "Typing the boot command over " + kind in out.getvalue()
    assert {e["event"] for e in events} >= {"boot_command_text", "boot_command_verified", "boot_command_key"}


def test_verification_fixes_the_key_isolinux_swallows_after_esc(prompt_vm: Vm) -> None:
    """isolinux reads ESC + the next key as one escape sequence when they come close
    together: without a <wait> after <esc> the first character is lost. The echo check
    notices and repairs it, with no fault injected."""
    kb, _ = keyboard(prompt_vm, "vnc")
    line = "nosuchlabel x=1"
    res = type_actions(parse(f"<esc>{line}<enter>"), kb, interval=0.02,
                       serial=prompt_vm.serial, verify_echo=True, echo_settle=0.5)
    assert res.lines == [line]
    assert res.retypes >= 1, res  # the swallowed key was noticed and typed again
    prompt_vm.serial.wait_for("Loading nosuchlabel... failed", timeout=30, offset=0)


def test_debian_menu_esc_then_boot_prompt(vm_factory: Callable[..., Vm], di_iso_menu: Path) -> None:
    """Debian's own vesamenu screens: <esc> leaves the menu for the boot: prompt."""
    vm = vm_factory(di_iso_menu)
    vm.serial.wait_for("installer menu", timeout=60, offset=0)
    time.sleep(0.5)
    kb, interval = keyboard(vm, "vnc")
    res = type_actions(parse("<esc><wait>nosuchlabel priority=critical<enter>"), kb, interval=interval,
                       serial=vm.serial, verify_echo=True)
    assert res.lines == ["nosuchlabel priority=critical"]
    vm.serial.wait_for("Loading nosuchlabel... failed", timeout=30, offset=0)
