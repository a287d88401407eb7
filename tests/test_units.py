"""One parser per notion, with a table each: sizes, Go durations, cty numbers. Every user of a
notion (the template engine, the configs, the boot command, the CLI, the mmdebstrap plugin)
goes through the one function, so the tables below hold for all of them."""

from __future__ import annotations

import datetime as dt
import math
import textwrap

import pytest

from builder import cli
from builder.bootcommand.grammar import Wait, parse
from builder.config import parse_duration
from builder.errors import TemplateError
from builder.qemu.config import QemuConfig
from builder.template import functions as F
from builder.template.loader import load
from builder.template.numbers import format_number, parse_number
from builder.units import normalize_size, parse_go_duration, parse_size
from tests.tools import require_module

MiB, GiB = 1 << 20, 1 << 30

SIZES = [  # text, bytes with default_unit="M", bytes with default_unit="B"
    ("4096", 4096 * MiB, 4096),
    ("2G", 2 * GiB, 2 * GiB),
    ("2g", 2 * GiB, 2 * GiB),
    ("2048M", 2 * GiB, 2 * GiB),
    ("4GiB", 4 * GiB, 4 * GiB),
    ("4GB", 4 * GiB, 4 * GiB),
    ("1t", 1 << 40, 1 << 40),
    ("512K", 512 << 10, 512 << 10),
    ("10b", 10, 10),
    ("1P", 1 << 50, 1 << 50),
    ("1E", 1 << 60, 1 << 60),
    ("0", 0, 0),
]
BAD_SIZES = ["", "lots", "G", "2.5G", "-1G", "+1G", "2 G", " 2G", "2G ", "2Q", "1iB", "0x10"]


@pytest.mark.parametrize(("text", "mib_default", "byte_default"), SIZES)
def test_size_table(text: str, mib_default: int, byte_default: int) -> None:
    assert parse_size(text, default_unit="M") == mib_default
    assert parse_size(text, default_unit="B") == byte_default


@pytest.mark.parametrize("text", BAD_SIZES)
def test_size_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid size"):
        parse_size(text, default_unit="M")


@pytest.mark.parametrize(("text", "qemu"), [("4096", "4096M"), ("10g", "10G"), ("4GiB", "4G"), ("10b", "10B")])
def test_normalize_size_is_what_qemu_img_reads(text: str, qemu: str) -> None:
    assert normalize_size(text, default_unit="M") == qemu


def test_every_disk_size_means_mib_when_bare(tmp_path) -> None:
    """The qemu builder, `pybuild verify` and the mmdebstrap plugin read "4096" alike."""
    from builder.post_processors.verify import VerifyConfig

    assert QemuConfig(iso_url="x", disk_size="4096").disk_size_qemu() == "4096M"
    assert VerifyConfig(disk_size="4096").disk_bytes() == 4096 * MiB
    mmdebstrap = require_module("pybuild_mmdebstrap.config", hint="pip install -e plugins/pybuild-mmdebstrap")
    assert mmdebstrap.parse_size("4096") == 4096 * MiB


def test_disk_additional_size_keeps_qemu_img_bytes() -> None:
    cfg = QemuConfig(iso_url="x", disk_additional_size=["4096", "1G", "lots"])
    errs = cfg.validate()
    assert [e for e in errs if "disk_additional_size" in e] == [
        'disk_additional_size: invalid size "lots" (examples: "10G", "4096M", "20480" = 20480 bytes)'
    ]


S = 1_000_000_000
DURATIONS = [  # Go's time.ParseDuration
    ("0", 0),
    ("+0", 0),
    ("-0", 0),
    ("5s", 5 * S),
    ("+5s", 5 * S),
    ("-5s", -5 * S),
    ("1h30m", 5400 * S),
    ("1h30m0.5s", 5400 * S + S // 2),
    ("300ms", 300_000_000),
    ("2us", 2000),
    ("2µs", 2000),  # U+00B5 micro sign
    ("2μs", 2000),  # U+03BC Greek mu
    ("7ns", 7),
    (".5s", S // 2),
    ("5.s", 5 * S),
    ("1.0000000001s", S),  # Go truncates below the nanosecond
    ("2562047h47m16.854775807s", (1 << 63) - 1),
    ("-2562047h47m16.854775808s", -(1 << 63)),
]
BAD_DURATIONS = [
    ("", 'time: invalid duration ""'),
    (" 5s", 'time: invalid duration " 5s"'),
    ("5s ", 'time: unknown unit "s " in duration "5s "'),
    ("5", 'time: missing unit in duration "5"'),
    ("1d", 'time: unknown unit "d" in duration "1d"'),
    ("1h-2m", 'time: unknown unit "h-" in duration "1h-2m"'),
    (".s", 'time: invalid duration ".s"'),
    ("-", 'time: invalid duration "-"'),
    ("--5s", 'time: invalid duration "--5s"'),
    ("2562047h47m16.854775808s", 'time: invalid duration "2562047h47m16.854775808s" (out of range)'),
]


@pytest.mark.parametrize(("text", "ns"), DURATIONS)
def test_go_duration_table(text: str, ns: int) -> None:
    assert parse_go_duration(text) == ns
    # the users of the one parser agree with it
    assert parse_duration(text) == pytest.approx(ns / 1e9)
    micro = abs(ns) // 1000
    assert F.go_duration(text) == dt.timedelta(microseconds=-micro if ns < 0 else micro)


@pytest.mark.parametrize(("text", "message"), BAD_DURATIONS)
def test_go_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_go_duration(text)
    assert str(e.value) == message
    with pytest.raises(ValueError, match="time: "):
        parse_duration(text)
    with pytest.raises(F.FunctionError, match="time: "):
        F.go_duration(text)


def test_boot_command_waits_use_the_one_parser() -> None:
    (w,) = [a for a in parse("<wait1m30.5s>") if isinstance(a, Wait)]
    assert w.seconds == pytest.approx(90.5)


NUMBERS = [  # cty's ParseNumberVal (big.ParseFloat, base 10)
    ("5", 5), ("+5", 5), ("-5", -5), ("5.", 5), (".5", 0.5), ("5.50", 5.5), ("1e3", 1000), ("1E-1", 0.1),
    ("12345678901234567890123", 12345678901234567890123), ("inf", math.inf), ("Inf", math.inf),
    ("+Inf", math.inf), ("-inf", -math.inf),
]
BAD_NUMBERS = [" 5", "5 ", "", "five", "1_000", "0x10", "NaN", "infinity", "+-5", "1e", "."]


@pytest.mark.parametrize(("text", "value"), NUMBERS)
def test_number_table(text: str, value: int | float) -> None:
    n = parse_number(text)
    assert n == value and type(n) is type(value)
    assert F.to_number(text) == value  # tonumber() is the same conversion


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)
    with pytest.raises(F.FunctionError):
        F.to_number(text)


@pytest.mark.parametrize(("value", "text"), [(3, "3"), (3.0, "3"), (0.1, "0.1"), (1e20, "100000000000000000000"),
                                             (math.inf, "+Inf"), (-math.inf, "-Inf")])
def test_number_format(value: float, text: str) -> None:
    assert format_number(value) == text


def _number_variable(tmp_path, value: str):
    t = tmp_path / "t.pkr.hcl"
    t.write_text(textwrap.dedent("""
        variable "n" { type = number }
        source "null" "a" { communicator = "none" }
        build { sources = ["source.null.a"] }
    """))
    return load(str(t), vars={"n": value}).variable_values()["n"]


def test_a_number_variable_converts_as_tonumber_does(tmp_path) -> None:
    assert _number_variable(tmp_path, "5") == 5
    with pytest.raises(TemplateError):
        _number_variable(tmp_path, " 5")  # tonumber(" 5") fails in HCL too
    with pytest.raises(F.FunctionError):
        F.to_number(" 5")


def test_cli_verify_reads_a_bare_disk_size_as_mib(monkeypatch) -> None:
    seen = {}

    def fake_verify(image, opts, ui):
        seen["disk"] = opts.disk_size
        raise SystemExit(0)

    monkeypatch.setattr("builder.verify.verify_image", fake_verify)
    monkeypatch.setattr("builder.cancel.install_signal_handlers", lambda: None)
    with pytest.raises(SystemExit):
        cli.main(["verify", "--disk-size", "4096", "/nonexistent.qcow2"])
    assert seen == {"disk": 4096 * MiB}
