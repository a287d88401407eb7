"""Packer's boot_command grammar, table-driven."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.bootcommand.grammar import (
    SPECIAL_KEYS,
    Char,
    KeyDown,
    KeyUp,
    Press,
    Special,
    Wait,
    parse,
    total_wait,
    unparse,
)
from builder.errors import ConfigError, Location


def chars(s: str) -> list[Press]:
    return [Press(Char(c)) for c in s]


# every special key Packer documents, in the spelling of its docs
DOCUMENTED = [
    "bs", "del", "enter", "return", "esc", "tab", *(f"f{i}" for i in range(1, 13)),
    "up", "down", "left", "right", "spacebar", "insert", "home", "end", "pageUp", "pageDown",
    "menu", "leftAlt", "rightAlt", "leftCtrl", "rightCtrl", "leftShift", "rightShift",
    "leftSuper", "rightSuper", "leftCommand", "rightCommand", "leftOption", "rightOption",
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_special_key(name: str) -> None:
    assert parse(f"<{name}>") == [Press(Special(name.lower()))]
    assert parse(f"<{name.upper()}>") == [Press(Special(name.lower()))]  # case-insensitive
    assert parse(f"<{name}On>") == [KeyDown(Special(name.lower()))]
    assert parse(f"<{name}off>") == [KeyUp(Special(name.lower()))]
    assert parse(f"<{name}OFF>") == [KeyUp(Special(name.lower()))]


def test_documented_list_is_the_key_table() -> None:
    assert {n.lower() for n in DOCUMENTED} == set(SPECIAL_KEYS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<wait>", [Wait(1.0)]),
        ("<wait5>", [Wait(5.0)]),
        ("<wait10>", [Wait(10.0)]),
        ("<wait0>", [Wait(0.0)]),
        ("<wait1m30s>", [Wait(90.0)]),
        ("<wait300ms>", [Wait(0.3)]),
        ("<wait1.5s>", [Wait(1.5)]),
        ("<wait1h>", [Wait(3600.0)]),
        ("<wait2m>", [Wait(120.0)]),
        ("<wait10m>", [Wait(600.0)]),
        ("<wait1m20s>", [Wait(80.0)]),
        ("<wait500us>", [Wait(0.0005)]),
        # not a wait: typed literally (PEG: Integer "0" then ">" expected)
        ("<wait05>", chars("<wait05>")),
        ("<wait-5>", chars("<wait-5>")),
        ("<wait5x>", chars("<wait5x>")),
        ("<wait5sx>", chars("<wait5sx>")),
        ("<Wait5>", chars("<Wait5>")),  # "wait" is case-sensitive
        ("<wait", chars("<wait")),
    ],
)
def test_waits(text: str, expected: list) -> None:
    got = parse(text)
    assert got == expected
    for g, e in zip(got, expected, strict=True):
        if isinstance(e, Wait):
            assert isinstance(g, Wait) and g.seconds == pytest.approx(e.seconds)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<aOn>", [KeyDown(Char("a"))]),
        ("<aoff>", [KeyUp(Char("a"))]),
        ("<AON>", [KeyDown(Char("A"))]),
        ("<<On>", [KeyDown(Char("<"))]),
        ("<leftCtrlOn>c<leftCtrlOff>", [KeyDown(Special("leftctrl")), Press(Char("c")),
                                        KeyUp(Special("leftctrl"))]),
        ("<leftShiftOn><f10><leftShiftOff>", [KeyDown(Special("leftshift")), Press(Special("f10")),
                                             KeyUp(Special("leftshift"))]),
        ("<f1On>", [KeyDown(Special("f1"))]),
        ("<fOn>", [KeyDown(Char("f"))]),
        # <waitXX> cannot be toggled
        ("<waitOn>", chars("<waitOn>")),
    ],
)
def test_toggles(text: str, expected: list) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["<foo>", "<>", "<", ">", "<enter", "<enterx>", "<leftfoo>", "<f13>", "<ent er>", "< enter>",
     "<spacebarOnOff>", "{{ .HTTPIP }}", "<{{ .Name }}>"],
)
def test_anything_else_is_typed_literally(text: str) -> None:
    assert parse(text) == chars(text)


def test_mixed_installer_command() -> None:
    cmd = "<esc><wait>auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg<enter>"
    got = parse(cmd)
    assert got[0] == Press(Special("esc"))
    assert got[1] == Wait(1.0)
    assert got[-1] == Press(Special("enter"))
    assert "".join(str(a.key) for a in got[2:-1] if isinstance(a, Press)) == (
        "auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg"
    )
    assert unparse(got) == cmd
    assert total_wait(got) == 1.0


def test_positions_point_into_the_source() -> None:
    got = parse("ab<enter><wait5>c")
    assert [a.pos for a in got] == [0, 1, 2, 9, 16]


def test_special_key_prefix_is_longest_match() -> None:
    assert parse("<f10><f1><end><enter><left><leftAlt>") == [
        Press(Special(n)) for n in ("f10", "f1", "end", "enter", "left", "leftalt")
    ]


@pytest.mark.parametrize(
    ("text", "col", "message"),
    [
        ("<wait-1s>", 1, "Expecting a positive wait value. Got -1s"),
        ("abc<wait-5m>", 4, "positive wait"),
        ("ok<enter><wait-0.5s>", 10, "positive wait"),
        ("<wait99999999h>", 1, "out of range"),
    ],
)
def test_errors_point_at_the_column(text: str, col: int, message: str) -> None:
    with pytest.raises(ConfigError) as ei:
        parse(text)
    [d] = ei.value.diagnostics
    assert message in d.summary
    assert d.summary.startswith("Error parsing boot_command:")
    assert f"at column {col} of the boot command" in d.detail
    assert d.location is None


def test_error_location_adds_the_column_to_the_attribute() -> None:
    where = Location("t.pkr.hcl", 12, 5)
    with pytest.raises(ConfigError) as ei:
        parse("abc<wait-5s>", where)
    assert ei.value.diagnostics[0].location == Location("t.pkr.hcl", 12, 8)
    # a multi-line (heredoc) command: the line moves, the column restarts
    with pytest.raises(ConfigError) as ei:
        parse("first\n  <wait-5s>", where)
    assert ei.value.diagnostics[0].location == Location("t.pkr.hcl", 13, 3)
    assert "t.pkr.hcl:13:3" in str(ei.value.diagnostics[0].location)


@given(st.text(alphabet=st.characters(blacklist_characters="<"), max_size=60))
def test_text_without_angle_brackets_is_typed_verbatim(text: str) -> None:
    assert parse(text) == chars(text)


_TOKENS = st.one_of(
    st.sampled_from(["<enter>", "<esc>", "<wait>", "<wait5>", "<wait1m30s>", "<leftCtrlOn>",
                     "<leftCtrlOff>", "<aOn>", "<f12>", "<foo>", "<", ">", "<wait", "{{ .Name }}"]),
    st.text(alphabet="abcXYZ:/ =<>", max_size=5),
)


@given(st.lists(_TOKENS, max_size=12))
def test_parse_never_fails_without_negative_waits(tokens: list[str]) -> None:
    text = "".join(tokens)
    actions = parse(text)
    # every source character is accounted for by exactly one action's span
    assert all(0 <= a.pos < max(1, len(text)) for a in actions)
    assert [a.pos for a in actions] == sorted({a.pos for a in actions})
    # unparse gives text that parses to the same actions
    assert parse(unparse(actions)) == actions
