"""The typer and the drivers' key mapping, with fakes (fast). The real keyboards
against a real boot loader are in test_bootcommand_qemu.py."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from builder import secrets
from builder.bootcommand.drivers import (
    QMPKeyboard,
    RecordingKeyboard,
    SerialKeyboard,
    VNCKeyboard,
    keysym,
    qcodes,
)
from builder.bootcommand.grammar import SHIFTED_CHARS, Char, Key, Special, parse
from builder.bootcommand.typer import BootCommandError, echoed_line, type_actions
from builder.cancel import CancelToken
from builder.errors import Cancelled
from builder.qemu.serial import SerialConsole

# ---------------------------------------------------------------- typer basics


def test_types_keys_in_order_with_waits() -> None:
    kb = RecordingKeyboard()
    events: list[tuple[str, dict]] = []
    t0 = time.monotonic()
    res = type_actions(
        parse("<esc><wait0.2s>ab<leftCtrlOn>c<leftCtrlOff><enter>"), kb, interval=0,
        on_event=lambda n, **f: events.append((n, f)),
    )
    assert time.monotonic() - t0 >= 0.2
    assert [c for c in kb.calls if c[0] != "flush"] == [
        ("press", "<esc>"), ("press", "a"), ("press", "b"), ("down", "<leftctrl>"),
        ("press", "c"), ("up", "<leftctrl>"), ("press", "<enter>"),
    ]
    assert ("flush", "") in kb.calls  # <wait> flushes first
    assert res.keys == 7
    assert [n for n, _ in events] == [
        "boot_command_key", "boot_command_wait", "boot_command_text", "boot_command_key",
        "boot_command_text", "boot_command_key", "boot_command_key",
    ]
    assert events[2][1] == {"text": "ab"}
    assert events[1][1] == {"seconds": pytest.approx(0.2)}


def test_interval_after_every_key() -> None:
    kb = RecordingKeyboard()
    t0 = time.monotonic()
    type_actions(parse("abcde"), kb, interval=0.05)
    assert time.monotonic() - t0 >= 0.25


def test_events_mask_secrets() -> None:
    secrets.add("hunter2-secret")
    events: list[tuple[str, dict]] = []
    type_actions(parse("pw=hunter2-secret<enter>"), RecordingKeyboard(), interval=0,
                 on_event=lambda n, **f: events.append((n, f)))
    texts = [f["text"] for n, f in events if n == "boot_command_text"]
    assert texts == ["pw=<sensitive>"]


def test_cancel_interrupts_a_long_wait() -> None:
    tok = CancelToken()
    threading.Timer(0.2, tok.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        type_actions(parse("a<wait1m>b"), RecordingKeyboard(), interval=0, cancel=tok)
    assert time.monotonic() - t0 < 5


def test_newline_in_a_literal_means_enter() -> None:
    kb = RecordingKeyboard()
    type_actions(parse("a\nb"), kb, interval=0)
    assert ("press", "<enter>") in kb.calls


# ---------------------------------------------------------------- echo verification


class EchoingKeyboard(RecordingKeyboard):
    """A fake boot loader: appends an isolinux-style echo to the serial log; can drop keys."""

    def __init__(self, log: Path, drop: set[int] | None = None, echo: bool = True):
        super().__init__()
        self.log = log
        self.line = ""
        self.n = 0
        self.drop = drop or set()
        self.echo = echo

    def _write(self, s: str) -> None:
        if self.echo:
            with open(self.log, "a") as f:
                f.write(s)

    def press(self, key: Key) -> None:
        super().press(key)
        if isinstance(key, Char) or key.name == "spacebar":
            self.n += 1
            if self.n in self.drop:
                return
            c = key.char if isinstance(key, Char) else " "
            self.line += c
            self._write(c)
        elif key.name == "bs":
            self.line = self.line[:-1]
            # isolinux redraws the whole line after a backspace
            self._write(f"\x1b[?25l\x1b[1Gboot: {self.line} \x1b[K\r\x1b[{6 + len(self.line)}C\x1b[?25h")
        elif key.name == "enter":
            self._write("\r\n")


@pytest.fixture
def console(tmp_path: Path) -> SerialConsole:
    log = tmp_path / "serial.log"
    log.write_text("ISOLINUX 6.04\r\nboot: ")
    return SerialConsole(None, log)


def test_verified_line_without_faults(console: SerialConsole) -> None:
    kb = EchoingKeyboard(console.log_path)
    res = type_actions(parse("<esc>auto url=x<enter>"), kb, interval=0, serial=console, verify_echo=True)
    assert res.verified_lines == 1 and res.retypes == 0 and res.lines == ["auto url=x"]


def test_lost_key_is_repaired_before_enter(console: SerialConsole) -> None:
    kb = EchoingKeyboard(console.log_path, drop={4})
    events: list[tuple[str, dict]] = []
    res = type_actions(parse("auto url=x<enter>"), kb, interval=0, serial=console, verify_echo=True,
                       echo_settle=0.2, on_event=lambda n, **f: events.append((n, f)))
    assert res.retypes == 1 and res.verified_lines == 1
    assert kb.line == "auto url=x"
    # backspaces down to the common prefix "aut", then the rest typed again, then Enter
    presses = [n for c, n in kb.calls if c == "press"]
    assert presses[-1] == "<enter>"
    assert presses.count("<bs>") == len("aut url=x") - len("aut")
    retype = next(f for n, f in events if n == "boot_command_retype")
    assert retype == {"attempt": 1, "expected": "auto url=x", "echoed": "aut url=x"}


def test_gives_up_after_attempts(console: SerialConsole) -> None:
    kb = EchoingKeyboard(console.log_path, drop=set(range(2, 100, 2)))
    with pytest.raises(BootCommandError, match="still differs after 2 correction"):
        type_actions(parse("abcdefgh<enter>"), kb, interval=0, serial=console, verify_echo=True,
                     verify_attempts=2, echo_settle=0.1)
    assert ("press", "<enter>") not in kb.calls


def test_no_echo_is_an_error_not_a_retype_loop(console: SerialConsole) -> None:
    kb = EchoingKeyboard(console.log_path, echo=False)
    with pytest.raises(BootCommandError, match="no echo"):
        type_actions(parse("abc<enter>"), kb, interval=0, serial=console, verify_echo=True,
                     echo_timeout=0.3)


def test_lines_with_other_keys_are_not_verified(console: SerialConsole) -> None:
    kb = EchoingKeyboard(console.log_path, echo=False)
    res = type_actions(parse("ab<left>c<enter><leftCtrlOn>x<leftCtrlOff><enter><bs>x<enter>"), kb, interval=0,
                       serial=console, verify_echo=True, echo_timeout=0.3)
    assert res.verified_lines == 0


@pytest.mark.parametrize(
    ("out", "before", "line"),
    [
        ("abc", "boot: ", "abc"),
        ("abc\x1b[?25l\x1b[1Gboot: ab \x1b[K\r\x1b[8C\x1b[?25hX", "ISOLINUX\r\nboot: ", "abX"),
        ("ab\b \bc", "$ ", "ac"),
        ("first\r\nsecond", "", "second"),
        ("xyz\x1b[2D\x1b[K", "> ", "x"),
    ],
)
def test_echoed_line(out: str, before: str, line: str) -> None:
    assert echoed_line(out, before) == line


# ---------------------------------------------------------------- driver key maps


class FakeRFB:
    def __init__(self) -> None:
        self.events: list[tuple[int, bool]] = []

    def key_event(self, sym: int, down: bool) -> None:
        self.events.append((sym, down))

    def close(self) -> None:
        pass


def test_vnc_shift_wrapping_like_packer() -> None:
    rfb = FakeRFB()
    kb = VNCKeyboard(rfb, hold=0)  # type: ignore[arg-type]
    kb.press(Char("a"))
    kb.press(Char("A"))
    kb.press(Char(":"))
    kb.press(Special("enter"))
    assert rfb.events == [
        (0x61, True), (0x61, False),
        (0xFFE1, True), (0x41, True), (0x41, False), (0xFFE1, False),
        (0xFFE1, True), (0x3A, True), (0x3A, False), (0xFFE1, False),
        (0xFF0D, True), (0xFF0D, False),
    ]


def test_vnc_held_shift_sends_shifted_keysyms() -> None:
    rfb = FakeRFB()
    kb = VNCKeyboard(rfb, hold=0)  # type: ignore[arg-type]
    type_actions(parse("<leftShiftOn>a1<leftShiftOff>"), kb, interval=0)
    assert rfb.events == [(0xFFE1, True), (ord("A"), True), (ord("A"), False),
                          (ord("!"), True), (ord("!"), False), (0xFFE1, False)]


def test_keysyms() -> None:
    assert keysym(Special("f1")) == 0xFFBE and keysym(Special("f12")) == 0xFFC9
    assert keysym(Special("leftcommand")) == 0xFFE9 and keysym(Special("leftoption")) == 0xFFE7
    assert keysym(Char("é")) == 0xE9 and keysym(Char("€")) == 0x010020AC


def test_qcodes_cover_every_printable_ascii_char() -> None:
    for c in map(chr, range(0x20, 0x7F)):
        codes = qcodes(Char(c))
        assert (codes[0] == "shift") == (c in SHIFTED_CHARS), c
    assert qcodes(Char(":")) == ["shift", "semicolon"]
    assert qcodes(Special("pagedown")) == ["pgdn"]


class FakeQMP:
    def __init__(self) -> None:
        self.sent: list[tuple[float, list[str]]] = []

    def send_key(self, codes: list[str], hold_time_ms: int = 50) -> None:
        self.sent.append((time.monotonic(), codes))

    def key_event(self, qcode: str, down: bool) -> None:
        self.sent.append((time.monotonic(), [f"{qcode}{'+' if down else '-'}"]))


def test_qmp_keyboard_paces_at_least_hold_time() -> None:
    qmp = FakeQMP()
    kb = QMPKeyboard(qmp, hold_ms=40)  # type: ignore[arg-type]
    type_actions(parse("ab<leftCtrlOn>c<leftCtrlOff>"), kb, interval=0)
    times = [t for t, _ in qmp.sent]
    assert [c for _, c in qmp.sent] == [["a"], ["b"], ["ctrl+"], ["c"], ["ctrl-"]]
    assert all(b - a >= 0.049 for a, b in itertools.pairwise(times[:3]))


class FakeConsole:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data


@pytest.mark.parametrize(
    ("cmd", "sent"),
    [
        ("ab<enter>", b"ab\r"),
        ("<esc><up><down><left><right><f1><f12><del><tab><spacebar>",
         b"\x1b\x1b[A\x1b[B\x1b[D\x1b[C\x1bOP\x1b[24~\x1b[3~\t "),
        ("x<bs>", b"x\x7f"),
        ("<leftCtrlOn>c<leftCtrlOff>c", b"\x03c"),
        ("<leftAltOn>x<leftAltOff>", b"\x1bx"),
        ("<leftShiftOn>ab<leftShiftOff>", b"AB"),
    ],
)
def test_serial_keyboard_bytes(cmd: str, sent: bytes) -> None:
    con = FakeConsole()
    type_actions(parse(cmd), SerialKeyboard(con), interval=0)  # type: ignore[arg-type]
    assert con.data == sent
