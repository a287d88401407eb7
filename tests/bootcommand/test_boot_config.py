"""BootConfig: Packer's boot options, pybuild's extensions, validation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from builder.bootcommand.config import BootConfig
from builder.bootcommand.grammar import Press, Special, Wait
from builder.config import parse_config
from builder.errors import ConfigError, Location


@dataclass(kw_only=True)
class FakeBuilderConfig(BootConfig):
    """How a builder mixes BootConfig into its own settings."""


def make(**raw: object) -> BootConfig:
    return parse_config(FakeBuilderConfig, raw, component='source "qemu" "x"')


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(None, 10.0), ("0", 10.0), ("0s", 10.0), ("3s", 3.0), ("1m", 60.0), ("-1s", 0.0), ("500ms", 0.5)],
)
def test_boot_wait_packer_semantics(raw: str | None, seconds: float) -> None:
    cfg = make(boot_wait=raw) if raw is not None else make()
    assert cfg.boot_wait_seconds() == seconds


def test_boot_command_elements_are_joined_without_separator() -> None:
    cfg = make(boot_command=["<esc><wait>", "auto ", "url=x", "<enter>"])
    assert cfg.flat_boot_command() == "<esc><wait>auto url=x<enter>"
    [(actions, desc)] = cfg.parsed_steps()
    assert actions[0] == Press(Special("esc")) and actions[1] == Wait(1.0) and desc == ""


def test_boot_steps() -> None:
    cfg = make(boot_steps=[["<esc>", "leave the menu"], ["auto<enter>"]])
    assert cfg.steps() == [("<esc>", "leave the menu"), ("auto<enter>", "")]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"boot_command": ["a"], "boot_steps": [["b"]]}, "cannot both be set"),
        ({"boot_command": ["a"], "disable_vnc": True}, "A boot command cannot be used when vnc is disabled."),
        ({"boot_steps": [["a"]], "disable_vnc": True}, "vnc is disabled"),
        ({"boot_command": ["ok<wait-5s>"]}, "Expecting a positive wait value"),
        ({"boot_steps": [["x", "y", "z"]]}, "must be [command] or [command, description]"),
        ({"boot_key_interval": "-1s"}, "must not be negative"),
        ({"boot_command": ["café"], "boot_keyboard": "qmp"}, "cannot be typed with QMP send-key"),
    ],
)
def test_validation_errors(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as ei:
        make(**raw)
    assert any(message in d.summary for d in ei.value.diagnostics), ei.value.render()


def test_negative_wait_error_points_at_the_attribute() -> None:
    where = Location("t.pkr.hcl", 7, 3)
    with pytest.raises(ConfigError) as ei:
        parse_config(
            FakeBuilderConfig, {"boot_command": ["<wait-1s>"]}, component="qemu",
            attr_locations={"boot_command": where},
        )
    [d] = ei.value.diagnostics
    assert d.location == where
    assert "column 1" in d.summary


def test_disable_vnc_is_fine_with_other_keyboards() -> None:
    for kb in ("qmp", "serial"):
        assert make(boot_command=["a<enter>"], disable_vnc=True, boot_keyboard=kb).boot_keyboard == kb


def test_unknown_keyboard_is_rejected() -> None:
    with pytest.raises(ConfigError, match="boot_keyboard"):
        make(boot_keyboard="usb")


def test_go_templates_validate_raw() -> None:
    # validation happens before {{ .HTTPIP }} is known: the raw text must parse
    cfg = make(boot_command=["<esc>auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/p.cfg<wait{{ .X }}><enter>"])
    assert cfg.validate() == []


@pytest.mark.parametrize(
    ("cfg", "env", "keyboard", "expected"),
    [
        ({}, {}, "vnc", 0.1),
        ({}, {"PACKER_KEY_INTERVAL": "10ms"}, "vnc", 0.01),
        ({}, {"PACKER_KEY_INTERVAL": "10ms", "PYBUILD_KEY_INTERVAL": "20ms"}, "vnc", 0.02),
        ({"boot_key_interval": "5ms"}, {"PYBUILD_KEY_INTERVAL": "20ms"}, "vnc", 0.005),
        ({"boot_key_interval": "5ms"}, {}, "qmp", 0.03),  # hold-time 20 ms + 10 ms
        ({"boot_key_interval": "200ms"}, {}, "qmp", 0.2),
        ({}, {"PACKER_KEY_INTERVAL": "0"}, "serial", 0.0),
    ],
)
def test_key_interval_resolution(cfg: dict, env: dict, keyboard: str, expected: float) -> None:
    c = make(boot_keyboard=keyboard, **cfg)
    assert c.key_interval(env) == pytest.approx(expected)


def test_bad_key_interval_env_is_a_validation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKER_KEY_INTERVAL", "fast")
    with pytest.raises(ConfigError, match="PACKER_KEY_INTERVAL"):
        make()


def test_options_table_has_help_for_every_field() -> None:
    opts = {o.name: o for o in BootConfig.options()}
    assert {"boot_command", "boot_steps", "boot_wait", "boot_key_interval", "boot_keygroup_interval",
            "disable_vnc", "boot_keyboard", "boot_wait_for", "boot_wait_for_timeout",
            "boot_verify_echo"} <= set(opts)
    assert all(o.help for o in opts.values())
    assert opts["boot_keyboard"].choices == ("vnc", "qmp", "serial")
    assert opts["boot_wait"].type == "duration"
