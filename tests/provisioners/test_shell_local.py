"""shell-local provisioner and post-processor: real processes on this host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ctxutil import pp_ctx, provision_ctx

from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.plugins import REGISTRY, Artifact
from builder.post_processors.shell_local import ShellLocalPostProcessor, ShellLocalPPConfig
from builder.provisioners import _local
from builder.provisioners.shell_local import ShellLocalConfig, ShellLocalProvisioner


def local(**raw: Any) -> ShellLocalProvisioner:
    return ShellLocalProvisioner(parse_config(ShellLocalConfig, raw, component='provisioner "shell-local"'))


def test_inline_env_and_output(tmp_path: Path) -> None:
    ctx, cap = provision_ctx(None, tmp_path)
    local(inline=["echo $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE $PACKER_HTTP_ADDR $MINE", "echo e >&2",
                  'test "$(id -u)" = "$(id -u)"'],
          environment_vars=["MINE=it's mine"]).provision(ctx)
    assert cap.lines("stdout") == ["test qemu 10.0.2.2:8080 it's mine"]
    assert cap.lines("stderr") == ["e"]
    assert "==> qemu.test: Running local shell script: <inline>" in cap.text


def test_command_and_scripts(tmp_path: Path) -> None:
    s1 = tmp_path / "one.sh"
    s1.write_text("#!/bin/sh\necho one $V\n")
    s1.chmod(0o755)
    s2 = tmp_path / "two.sh"
    s2.write_text("#!/bin/sh\necho two\n")
    s2.chmod(0o755)
    ctx, cap = provision_ctx(None, tmp_path)
    local(command="echo from command", env={"V": "v"}).provision(ctx)
    local(scripts=[str(s1), str(s2)], env={"V": "v"}).provision(ctx)
    assert cap.lines() == ["from command", "one v", "two"]


def test_execute_command_list_is_rendered(tmp_path: Path) -> None:
    ctx, cap = provision_ctx(None, tmp_path)
    local(inline=["echo body"], env={"Z": "zz"},
          execute_command=["/bin/bash", "-c", "echo vars=[{{.Vars}}]; /bin/sh {{.Script}}"]).provision(ctx)
    assert cap.lines() == ["vars=[PACKER_BUILDER_TYPE=qemu PACKER_BUILD_NAME=test "
                           "PACKER_HTTP_ADDR=10.0.2.2:8080 PYBUILD_BUILD_NAME=qemu.test Z=zz ]", "body"]


def test_valid_exit_codes(tmp_path: Path) -> None:
    ctx, _ = provision_ctx(None, tmp_path)
    with pytest.raises(BuildError, match=r"non-zero exit status: 4\. Allowed exit codes are: \[0\]"):
        local(command="exit 4").provision(ctx)
    local(command="exit 4", valid_exit_codes=[4]).provision(ctx)


def test_only_on_skips_other_systems(tmp_path: Path) -> None:
    ctx, cap = provision_ctx(None, tmp_path)
    local(command="echo should not run", only_on=["windows", "darwin"]).provision(ctx)
    assert "should not run" not in "\n".join(cap.lines())
    assert "Skipping shell-local" in cap.text
    local(command="echo ran", only_on=[_local.HOST_OS]).provision(ctx)
    assert cap.lines() == ["ran"]


def test_missing_interpreter_is_build_error(tmp_path: Path) -> None:
    ctx, _ = provision_ctx(None, tmp_path)
    with pytest.raises(BuildError, match="command not found"):
        local(command="true", execute_command=["/nonexistent/shell", "{{.Script}}"]).provision(ctx)


def test_post_processor_passes_artifact_through(tmp_path: Path) -> None:
    ctx, cap = pp_ctx(tmp_path)
    art = Artifact(builder_id="transcend.qemu", id="x", files=[tmp_path / "disk.qcow2"])
    pp = ShellLocalPostProcessor(parse_config(
        ShellLocalPPConfig, {"inline": ["echo pp $PACKER_BUILD_NAME ${PACKER_HTTP_ADDR:-nohttp}"]},
        component='post-processor "shell-local"'))
    res = pp.post_process(ctx, art)
    assert res.artifact is art and res.keep and res.force_keep
    assert cap.lines(event="post_processor_output") == ["pp test nohttp"]
    with pytest.raises(BuildError, match="exit status: 2"):
        ShellLocalPostProcessor(parse_config(ShellLocalPPConfig, {"command": "exit 2"},
                                             component="pp")).post_process(ctx, art)


def test_registered_in_builtins() -> None:
    assert REGISTRY.get("provisioner", "shell-local") is ShellLocalProvisioner
    assert REGISTRY.get("post-processor", "shell-local") is ShellLocalPostProcessor


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "cannot all be empty"),
        ({"command": "x", "inline": ["y"]}, "Only one of"),
        ({"script": "/nonexistent.sh"}, "Bad script"),
        ({"command": "x", "environment_vars": ["=v"]}, "not in format"),
    ],
)
def test_config_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(ShellLocalConfig, raw, component='provisioner "shell-local"')
    assert message in info.value.render()
