"""Type parsed boot-command actions through a keyboard driver.

Pacing: the typer sleeps ``interval`` after every driver call (a press, a key down,
a key up); ``<wait…>`` flushes the driver and sleeps. Every sleep is interruptible
through the cancel token.

Closed-loop echo verification (``verify_echo=True`` with a serial console): boot
loaders configured for a serial console (isolinux ``serial 0``, GRUB
``terminal_output serial``) echo what is typed. Before the Enter that ends a line,
the typer reads the echo of that line from the serial log; when it differs from what
was typed (a lost, repeated or wrong key), it sends backspaces down to the common
prefix, types the rest again and checks again, up to ``verify_attempts`` times, and
only then presses Enter. Lines that contain keys other than characters, space and
backspace (arrows, toggles, function keys) are not verified.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from builder import secrets
from builder.bootcommand.drivers import KeyboardDriver
from builder.bootcommand.grammar import Action, Char, Key, KeyDown, KeyUp, Press, Special, Wait
from builder.cancel import TOKEN, CancelToken
from builder.errors import BuildError
from builder.qemu.serial import SerialConsole

EventCallback = Callable[..., None]

_ENTER = frozenset({"enter", "return"})


class BootCommandError(BuildError):
    def __init__(self, message: str):
        super().__init__(message, step="type boot command")


@dataclass
class TypeResult:
    """What happened while typing: keys sent, lines verified, corrections made."""

    keys: int = 0
    verified_lines: int = 0
    retypes: int = 0
    duration: float = 0.0
    lines: list[str] = field(default_factory=list)


_ESC_RE = re.compile(r"\x1b(?:\[([0-9;?]*)[ -/]*([@-~])|O[@-~]|[@-Z\\-_])")


def _terminal_row(text: str) -> str:
    """The content of the cursor's row after a terminal has processed ``text``.

    Enough of a VT100 for line editors echoing on a serial port: printing overwrites
    at the cursor; CR, BS, TAB; CSI G (column), C/D (right/left), K (erase in line),
    H (position); other sequences are ignored; LF starts a new, empty row."""
    row: list[str] = []
    col = 0
    for m in re.finditer(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O[@-~]|[@-Z\\-_])?|[^\x1b]+", text):
        chunk = m.group(0)
        if chunk.startswith("\x1b"):
            em = _ESC_RE.match(chunk)
            if em is None or em.group(2) is None:
                continue
            params, final = em.group(1) or "", em.group(2)
            nums = [int(x) if x.isdigit() else 0 for x in params.lstrip("?").split(";")]
            n = nums[0] if nums and nums[0] else 1
            if final == "G":
                col = n - 1
            elif final == "C":
                col += n
            elif final == "D":
                col = max(0, col - n)
            elif final in "Hf":
                col = (nums[1] - 1) if len(nums) > 1 and nums[1] else 0
                row = []
            elif final == "K":
                mode = nums[0] if nums else 0
                if mode == 0:
                    del row[col:]
                elif mode == 1:
                    row[: col + 1] = [" "] * min(len(row), col + 1)
                else:
                    row = []
            continue
        for c in chunk:
            if c == "\n":
                row, col = [], 0
            elif c == "\r":
                col = 0
            elif c == "\b":
                col = max(0, col - 1)
            elif c == "\t":
                col = (col // 8 + 1) * 8
            elif c >= " " and c != "\x7f":
                if col > len(row):
                    row.extend(" " * (col - len(row)))
                if col == len(row):
                    row.append(c)
                else:
                    row[col] = c
                col += 1
    return "".join(row)


def echoed_line(text: str, before: str = "") -> str:
    """What was typed on the current line according to its echo: ``before`` is the
    console output up to the moment typing started (it holds the prompt, e.g.
    ``boot: ``), ``text`` the output since. Boot loaders redraw the whole line
    (isolinux: ``ESC[1G`` + prompt + line + ``ESC[K``), so the echo is replayed
    through a tiny terminal and the prompt is cut off again."""
    nl = before.rfind("\n")
    before = before[nl + 1 :]
    prompt = _terminal_row(before).rstrip()
    row = _terminal_row(before + text)
    if prompt and row.startswith(prompt):
        row = row[len(prompt) :]
        if before.endswith(" ") and row.startswith(" "):
            row = row[len(before) - len(before.rstrip(" ")) :]
    return row.rstrip(" ")


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


class _Typer:
    def __init__(
        self,
        driver: KeyboardDriver,
        *,
        interval: float,
        cancel: CancelToken | None,
        serial: SerialConsole | None,
        verify_echo: bool,
        verify_attempts: int,
        echo_timeout: float,
        echo_settle: float,
        on_event: EventCallback | None,
    ):
        self.driver = driver
        self.interval = interval
        self.cancel = cancel
        self.serial = serial
        self.verify = verify_echo and serial is not None
        self.attempts = verify_attempts
        self.echo_timeout = echo_timeout
        self.echo_settle = echo_settle
        self.on_event = on_event
        self.result = TypeResult()
        self.pending = ""  # typed characters not yet reported in an event
        # the current line, for verification: None when it cannot be verified
        self.line: list[str] | None = []
        self.line_mark: int | None = None

    # ---------------------------------------------------------------- helpers

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            if self.cancel is not None:
                self.cancel.check()
            return
        if self.cancel is not None:
            self.cancel.sleep(seconds)
        else:
            time.sleep(seconds)

    def emit(self, event: str, **fields: Any) -> None:
        if self.on_event is None:
            return
        masked = {k: secrets.mask(v) if isinstance(v, str) else v for k, v in fields.items()}
        self.on_event(event, **masked)

    def report_text(self) -> None:
        if self.pending:
            self.emit("boot_command_text", text=self.pending)
            self.pending = ""

    def key(self, call: str, key: Key) -> None:
        getattr(self.driver, call)(key)
        self.result.keys += 1
        self.sleep(self.interval)

    def start_line(self) -> None:
        self.line = []
        self.line_mark = None

    # ---------------------------------------------------------------- actions

    def run(self, actions: Sequence[Action]) -> TypeResult:
        start = time.monotonic()
        for a in actions:
            if self.cancel is not None:
                self.cancel.check()
            if isinstance(a, Wait):
                self.report_text()
                self.driver.flush()
                self.emit("boot_command_wait", seconds=a.seconds)
                self.sleep(a.seconds)
            elif isinstance(a, Press):
                self.press(a.key)
            else:
                self.toggle(a)
        self.report_text()
        self.driver.flush()
        self.result.duration = time.monotonic() - start
        return self.result

    def press(self, key: Key) -> None:
        if isinstance(key, Char) and key.char in "\r\n":
            key = Special("enter")
        if isinstance(key, Special) and key.name in _ENTER:
            self.report_text()
            if self.verify and self.line:
                self.verify_line("".join(self.line))
            self.key("press", key)
            self.emit("boot_command_key", key=key.name)
            self.start_line()
            return
        text = key.char if isinstance(key, Char) else (" " if key.name == "spacebar" else None)
        if text is not None or (isinstance(key, Special) and key.name == "bs"):
            if self.line is not None and self.line_mark is None and self.serial is not None:
                self.line_mark = self.serial.mark()
            if text is not None:
                self.pending += text
                if self.line is not None:
                    self.line.append(text)
            elif self.line:
                self.line.pop()
            else:
                self.line = None  # erases text typed before: the echo cannot be compared
            self.key("press", key)
            if text is None:
                self.report_text()
                self.emit("boot_command_key", key="bs")
            return
        # any other special key
        assert isinstance(key, Special)
        self.report_text()
        if self.line is not None and not self.line:
            self.line_mark = None  # e.g. <esc> before the line starts: keep verifying
        else:
            self.line = None
        self.key("press", key)
        self.emit("boot_command_key", key=key.name)

    def toggle(self, a: KeyDown | KeyUp) -> None:
        self.report_text()
        self.line = None
        call = "key_down" if isinstance(a, KeyDown) else "key_up"
        self.key(call, a.key)
        name = a.key.char if isinstance(a.key, Char) else a.key.name
        self.emit("boot_command_key", key=name, action="down" if call == "key_down" else "up")

    # ---------------------------------------------------------------- verification

    def read_echo(self, expected: str) -> str:
        """The echoed line once it equals ``expected`` or stops changing."""
        assert self.serial is not None and self.line_mark is not None
        start = max(0, self.line_mark - 4096)
        before = self.serial.read_bytes_since(start)[: self.line_mark - start]
        before_text = before.decode("utf-8", "replace")
        expected = expected.rstrip(" ")
        deadline = time.monotonic() + self.echo_timeout
        last, changed = None, time.monotonic()
        while True:
            line = echoed_line(self.serial.read_since(self.line_mark), before_text)
            now = time.monotonic()
            if line == expected:
                return line
            if line != last:
                last, changed = line, now
            elif line and now - changed >= self.echo_settle:
                return line
            if now >= deadline:
                return line
            self.sleep(0.05)

    def verify_line(self, expected: str) -> None:
        self.driver.flush()
        for attempt in range(self.attempts + 1):
            echoed = self.read_echo(expected)
            if echoed == expected.rstrip(" "):
                self.result.verified_lines += 1
                self.result.lines.append(secrets.mask(expected))
                self.emit("boot_command_verified", line=expected, attempts=attempt)
                return
            if not echoed and attempt == 0:
                raise BootCommandError(
                    f"boot_verify_echo: no echo of the typed line on the serial console within "
                    f"{self.echo_timeout:.0f}s. The boot loader must echo to the serial port "
                    "(isolinux: `serial 0 115200`; GRUB: `terminal_output serial console`)."
                )
            if attempt == self.attempts:
                break
            common = _common_prefix(echoed, expected)
            self.emit(
                "boot_command_retype", attempt=attempt + 1, expected=expected, echoed=echoed
            )
            self.result.retypes += 1
            for _ in range(len(echoed) - len(common)):
                self.key("press", Special("bs"))
            for c in expected[len(common) :]:
                self.key("press", Special("spacebar") if c == " " else Char(c))
            self.driver.flush()
        raise BootCommandError(
            secrets.mask(
                f"boot_verify_echo: the serial echo still differs after {self.attempts} "
                f"correction(s):\n  typed:  {expected!r}\n  echoed: {echoed!r}"
            )
        )


def type_actions(
    actions: Sequence[Action],
    driver: KeyboardDriver,
    *,
    interval: float,
    cancel: CancelToken | None = TOKEN,
    serial: SerialConsole | None = None,
    verify_echo: bool = False,
    verify_attempts: int = 3,
    echo_timeout: float = 10.0,
    echo_settle: float = 1.0,
    on_event: EventCallback | None = None,
) -> TypeResult:
    """Type ``actions``; see the module docstring. ``on_event(name, **fields)`` gets
    ``boot_command_text``/``_key``/``_wait``/``_verified``/``_retype`` events with
    secrets masked (``BuildUI.event`` fits)."""
    typer = _Typer(
        driver,
        interval=interval,
        cancel=cancel,
        serial=serial,
        verify_echo=verify_echo,
        verify_attempts=verify_attempts,
        echo_timeout=echo_timeout,
        echo_settle=echo_settle,
        on_event=on_event,
    )
    return typer.run(actions)


__all__ = ["BootCommandError", "TypeResult", "echoed_line", "type_actions"]
