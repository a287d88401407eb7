"""Keyboard drivers: how parsed boot-command keys reach the machine.

All drivers implement :class:`KeyboardDriver`; the typer (:mod:`.typer`) does the
pacing between calls and the waits.

- :class:`VNCKeyboard` — RFB KeyEvents with X11 keysyms, exactly as Packer sends them
  (Shift_L around upper case and ``~!@#$%^&*()_+{}|:"<>?``).
- :class:`QMPKeyboard` — QMP ``send-key`` with QEMU qcodes (US layout); held keys
  (``<leftCtrlOn>``) use ``input-send-event``. ``send-key`` returns at once and
  releases after ``hold-time``, so the driver never sends the next key before
  hold-time + 10 ms have passed.
- :class:`SerialKeyboard` — bytes on the serial console; special keys as the
  VT100/xterm sequences a terminal would send, Ctrl/Alt toggles applied to characters.
- :class:`RecordingKeyboard` — a fake that records calls, for tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from builder.bootcommand.grammar import SHIFTED_CHARS, SPECIAL_KEYS, Char, Key, Special
from builder.bootcommand.vnc import RFBClient
from builder.cancel import TOKEN, CancelToken
from builder.errors import PybuildError
from builder.qemu.qmp import QMPClient
from builder.qemu.serial import SerialConsole


class KeyboardError(PybuildError):
    pass


@runtime_checkable
class KeyboardDriver(Protocol):
    """What the typer needs from a keyboard."""

    def key_down(self, key: Key) -> None: ...

    def key_up(self, key: Key) -> None: ...

    def press(self, key: Key) -> None: ...

    def type_char(self, c: str) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def _sleep(seconds: float, cancel: CancelToken | None) -> None:
    if seconds <= 0:
        return
    if cancel is not None:
        cancel.sleep(seconds)
    else:
        time.sleep(seconds)


# --------------------------------------------------------------------------- VNC

SHIFT_L = 0xFFE1


def keysym(key: Key) -> int:
    """The X11 keysym Packer's VNC driver sends for a key."""
    if isinstance(key, Special):
        return SPECIAL_KEYS[key.name]
    c = key.char
    if c in "\r\n":
        return 0xFF0D  # Return (a raw newline in a heredoc means Enter)
    if c == "\t":
        return 0xFF09
    if c == "\b":
        return 0xFF08
    cp = ord(c)
    return cp if cp < 0x100 else 0x01000000 | cp


def needs_shift(key: Key) -> bool:
    return isinstance(key, Char) and key.char in SHIFTED_CHARS


# what a US keyboard types with Shift held, for characters typed while <leftShiftOn>
US_SHIFTED = dict(zip("abcdefghijklmnopqrstuvwxyz`1234567890-=[]\\;',./",
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ~!@#$%^&*()_+{}|:\"<>?", strict=True))
_SHIFT_KEYS = frozenset({"leftshift", "rightshift"})


class VNCKeyboard:
    """Keys over RFB. ``hold`` is slept between the events of one press (key down →
    key up, and around Shift); with ``hold`` equal to the typer's interval the timing
    is Packer's (a sleep after every key event).

    While a Shift key is held (``<leftShiftOn>``), characters are sent as their shifted
    keysym (``a`` → ``A``): QEMU honours the keysym's case over the Shift state."""

    def __init__(self, client: RFBClient, *, hold: float = 0.0, cancel: CancelToken | None = TOKEN):
        self.client = client
        self.hold = hold
        self.cancel = cancel
        self._held_shift: set[str] = set()

    def _event(self, sym: int, down: bool, pause: bool = True) -> None:
        self.client.key_event(sym, down)
        if pause:
            _sleep(self.hold, self.cancel)

    def _resolve(self, key: Key) -> tuple[int, bool]:
        """keysym and whether to wrap it in Shift_L."""
        if isinstance(key, Char) and self._held_shift:
            return keysym(Char(US_SHIFTED.get(key.char, key.char))), False
        return keysym(key), needs_shift(key)

    def key_down(self, key: Key) -> None:
        sym, shifted = self._resolve(key)
        if isinstance(key, Special) and key.name in _SHIFT_KEYS:
            self._held_shift.add(key.name)
        if shifted:
            self._event(SHIFT_L, True)
        self._event(sym, True, pause=False)

    def key_up(self, key: Key) -> None:
        if isinstance(key, Special) and key.name in _SHIFT_KEYS:
            self._held_shift.discard(key.name)
        sym, shifted = self._resolve(key)
        self._event(sym, False, pause=shifted)
        if shifted:
            self._event(SHIFT_L, False, pause=False)

    def press(self, key: Key) -> None:
        sym, shifted = self._resolve(key)
        if shifted:
            self._event(SHIFT_L, True)
        self._event(sym, True)
        self._event(sym, False, pause=shifted)
        if shifted:
            self._event(SHIFT_L, False, pause=False)

    def type_char(self, c: str) -> None:
        self.press(Char(c))

    def flush(self) -> None:
        pass  # every event is written at once

    def close(self) -> None:
        self.client.close()


# --------------------------------------------------------------------------- QMP

_QCODE_PLAIN = {
    **{c: c for c in "abcdefghijklmnopqrstuvwxyz0123456789"},
    " ": "spc",
    "-": "minus",
    "=": "equal",
    "[": "bracket_left",
    "]": "bracket_right",
    "\\": "backslash",
    ";": "semicolon",
    "'": "apostrophe",
    "`": "grave_accent",
    ",": "comma",
    ".": "dot",
    "/": "slash",
    "\n": "ret",
    "\r": "ret",
    "\t": "tab",
    "\b": "backspace",
}
_QCODE_SHIFTED = {
    **{c.upper(): c for c in "abcdefghijklmnopqrstuvwxyz"},
    "!": "1",
    "@": "2",
    "#": "3",
    "$": "4",
    "%": "5",
    "^": "6",
    "&": "7",
    "*": "8",
    "(": "9",
    ")": "0",
    "_": "minus",
    "+": "equal",
    "{": "bracket_left",
    "}": "bracket_right",
    "|": "backslash",
    ":": "semicolon",
    '"': "apostrophe",
    "~": "grave_accent",
    "<": "comma",
    ">": "dot",
    "?": "slash",
}
QCODE_SPECIAL = {
    "bs": "backspace",
    "del": "delete",
    "enter": "ret",
    "return": "ret",
    "esc": "esc",
    **{f"f{i}": f"f{i}" for i in range(1, 13)},
    "tab": "tab",
    "up": "up",
    "down": "down",
    "left": "left",
    "right": "right",
    "spacebar": "spc",
    "insert": "insert",
    "home": "home",
    "end": "end",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "menu": "menu",
    "leftalt": "alt",
    "rightalt": "alt_r",
    "leftctrl": "ctrl",
    "rightctrl": "ctrl_r",
    "leftshift": "shift",
    "rightshift": "shift_r",
    "leftsuper": "meta_l",
    "rightsuper": "meta_r",
    # Packer sends Alt_L/Alt_R for the "command" keys and Meta_L/Meta_R for "option"
    "leftcommand": "alt",
    "rightcommand": "alt_r",
    "leftoption": "meta_l",
    "rightoption": "meta_r",
}


def qcodes(key: Key) -> list[str]:
    """QEMU qcodes pressed together for a key (US layout), e.g. ``":"`` → shift+semicolon."""
    if isinstance(key, Special):
        return [QCODE_SPECIAL[key.name]]
    c = key.char
    if c in _QCODE_PLAIN:
        return [_QCODE_PLAIN[c]]
    if c in _QCODE_SHIFTED:
        return ["shift", _QCODE_SHIFTED[c]]
    raise KeyboardError(
        f"character {c!r} cannot be typed with QMP send-key on a US keyboard (use boot_keyboard = \"vnc\")"
    )


class QMPKeyboard:
    """Keys via QMP. ``hold_ms`` is send-key's hold-time."""

    def __init__(self, qmp: QMPClient, *, hold_ms: int = 20, cancel: CancelToken | None = TOKEN):
        self.qmp = qmp
        self.hold_ms = hold_ms
        self.cancel = cancel
        self._busy_until = 0.0

    def _pace(self) -> None:
        _sleep(self._busy_until - time.monotonic(), self.cancel)

    def press(self, key: Key) -> None:
        codes = qcodes(key)
        self._pace()
        self.qmp.send_key(codes, self.hold_ms)
        self._busy_until = time.monotonic() + self.hold_ms / 1000 + 0.010

    def key_down(self, key: Key) -> None:
        self._pace()
        codes = qcodes(key)
        for q in codes:
            self.qmp.key_event(q, True)

    def key_up(self, key: Key) -> None:
        self._pace()
        for q in reversed(qcodes(key)):
            self.qmp.key_event(q, False)

    def type_char(self, c: str) -> None:
        self.press(Char(c))

    def flush(self) -> None:
        self._pace()

    def close(self) -> None:
        self.flush()


# --------------------------------------------------------------------------- serial

SERIAL_SPECIAL: dict[str, bytes] = {
    "enter": b"\r",
    "return": b"\r",
    "esc": b"\x1b",
    "tab": b"\t",
    "spacebar": b" ",
    "bs": b"\x7f",
    "del": b"\x1b[3~",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "insert": b"\x1b[2~",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "f1": b"\x1bOP",
    "f2": b"\x1bOQ",
    "f3": b"\x1bOR",
    "f4": b"\x1bOS",
    "f5": b"\x1b[15~",
    "f6": b"\x1b[17~",
    "f7": b"\x1b[18~",
    "f8": b"\x1b[19~",
    "f9": b"\x1b[20~",
    "f10": b"\x1b[21~",
    "f11": b"\x1b[23~",
    "f12": b"\x1b[24~",
    "menu": b"",
}


class SerialKeyboard:
    """Keys as terminal input on the serial console. ``backspace`` is what ``<bs>``
    sends (DEL, 0x7f, like most terminals; some boot loaders want ``b"\\b"``)."""

    def __init__(self, console: SerialConsole, *, backspace: bytes = b"\x7f"):
        self.console = console
        self.backspace = backspace
        self._held: set[str] = set()

    def _bytes(self, key: Key) -> bytes:
        if isinstance(key, Special):
            if key.name == "bs":
                data = self.backspace
            elif key.name in SERIAL_SPECIAL:
                data = SERIAL_SPECIAL[key.name]
            else:
                return b""  # modifiers only change state
        else:
            c = key.char
            if c == "\n":
                c = "\r"
            if self._held & {"leftshift", "rightshift"} and c.isalpha():
                c = c.upper()
            if self._held & {"leftctrl", "rightctrl"} and (c.isalpha() or c in "@[\\]^_ "):
                c = chr(0 if c == " " else ord(c.upper()) & 0x1F)
            data = c.encode("utf-8")
        if self._held & {"leftalt", "rightalt", "leftcommand", "rightcommand", "leftoption", "rightoption"}:
            data = b"\x1b" + data
        return data

    def press(self, key: Key) -> None:
        data = self._bytes(key)
        if data:
            self.console.write(data)

    def key_down(self, key: Key) -> None:
        if isinstance(key, Special) and key.name in SPECIAL_KEYS and key.name not in SERIAL_SPECIAL:
            self._held.add(key.name)
        else:
            self.press(key)  # a terminal has no "hold": the key is sent once

    def key_up(self, key: Key) -> None:
        if isinstance(key, Special):
            self._held.discard(key.name)

    def type_char(self, c: str) -> None:
        self.press(Char(c))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # the console belongs to the caller


# --------------------------------------------------------------------------- fake


@dataclass
class RecordingKeyboard:
    """A fake driver: records ``(call, key)`` tuples and the text it would produce."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False

    def _name(self, key: Key) -> str:
        return key.char if isinstance(key, Char) else f"<{key.name}>"

    def key_down(self, key: Key) -> None:
        self.calls.append(("down", self._name(key)))

    def key_up(self, key: Key) -> None:
        self.calls.append(("up", self._name(key)))

    def press(self, key: Key) -> None:
        self.calls.append(("press", self._name(key)))

    def type_char(self, c: str) -> None:
        self.press(Char(c))

    def flush(self) -> None:
        self.calls.append(("flush", ""))

    def close(self) -> None:
        self.closed = True

    def text(self) -> str:
        """What an ordinary line editor would hold: chars, ``<bs>`` removes one."""
        out: list[str] = []
        for call, name in self.calls:
            if call != "press":
                continue
            if name == "<bs>":
                if out:
                    out.pop()
            elif name in ("<spacebar>",):
                out.append(" ")
            elif name in ("<enter>", "<return>"):
                out.append("\n")
            elif len(name) == 1:
                out.append(name)
        return "".join(out)


__all__ = [
    "KeyboardDriver",
    "KeyboardError",
    "QMPKeyboard",
    "RecordingKeyboard",
    "SerialKeyboard",
    "VNCKeyboard",
    "keysym",
    "needs_shift",
    "qcodes",
]
