"""qemu builder option semantics read against packer-plugin-qemu (issue 15, item 11)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from builder import cli, run, secrets
from builder.communicator.config import CommConfig
from builder.communicator.keys import generate_keypair
from builder.config import parse_config
from builder.errors import ConfigError
from builder.httpserver import HTTPConfig
from builder.plugins import BuildContext
from builder.provisioners.file import FileConfig
from builder.provisioners.shell import ShellConfig
from builder.qemu.argv import RunFacts, build_argv
from builder.qemu.config import QemuConfig, smp_arg
from builder.qemu.state import QemuState
from builder.steps.disk import StepCreateDisk
from builder.steps.ssh_keygen import StepSSHKeyGen
from builder.ui import UI


def _cfg(**kw: Any) -> QemuConfig:
    base: dict[str, Any] = {"iso_url": "/dev/null", "iso_checksum": "none", "ssh_username": "root"}
    base.update(kw)
    return parse_config(QemuConfig, base, component="qemu")


def _state(cfg: QemuConfig, tmp_path: Path) -> QemuState:
    ctx = BuildContext(build_name="qemu.t", build_type="qemu", ui=UI(io.StringIO()).for_build("qemu.t"),
                       template_dir=tmp_path)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return QemuState(cfg=cfg, ctx=ctx, build_name="qemu.t", source_name="t", vm_name="disk.qcow2",
                     output_dir=out, private_dir=tmp_path)


def _facts() -> RunFacts:
    return RunFacts(vm_name="vm", accelerator="tcg", disk_paths=["/d.qcow2"], qmp_path="/run/qmp.sock",
                    serial_sock="/run/serial.sock", serial_log="/out/serial.log")


def test_user_qmp_keeps_pybuilds_qmp_socket() -> None:
    argv = build_argv(_cfg(qemuargs=[["-qmp", "tcp:127.0.0.1:4444,server,nowait"]]), _facts())
    qmps = [argv[i + 1] for i, a in enumerate(argv) if a == "-qmp"]
    assert qmps == ["tcp:127.0.0.1:4444,server,nowait", "unix:/run/qmp.sock,server=on,wait=off"]


def test_vnc_use_password_generates_a_password() -> None:
    cfg = _cfg(vnc_use_password=True)
    assert len(cfg.vnc_password) == 8 and cfg.vnc_password.isalnum()
    assert secrets.mask(f"pw {cfg.vnc_password}") == f"pw {secrets.MASK}"
    assert _cfg(vnc_use_password=True, vnc_password="given").vnc_password == "given"
    assert _cfg().vnc_password == ""


def test_zero_ports_mean_the_defaults() -> None:
    cfg = _cfg(http_port_min=0, http_port_max=0, vnc_port_min=0, vnc_port_max=0, host_port_min=0, host_port_max=0)
    assert (cfg.http_port_min, cfg.http_port_max) == (8000, 9000)
    assert (cfg.vnc_port_min, cfg.vnc_port_max) == (5900, 6000)
    assert (cfg.host_port_min, cfg.host_port_max) == (2222, 4444)
    assert parse_config(HTTPConfig, {"http_port_min": 0}, component="h").http_port_min == 8000


def test_zero_handshake_attempts_mean_the_defaults() -> None:
    cfg = parse_config(CommConfig, {"ssh_username": "u", "ssh_handshake_attempts": 0}, component="c")
    assert cfg.effective_handshake_attempts == 10
    assert cfg.effective_ssh_timeout == 300.0
    only_attempts = parse_config(CommConfig, {"ssh_username": "u", "ssh_handshake_attempts": 5}, component="c")
    assert only_attempts.effective_ssh_timeout == 0.0  # unchanged: no time limit then


@pytest.mark.parametrize(
    ("kw", "smp"),
    [
        ({"cpus": 8, "sockets": 1, "cores": 2, "threads": 1}, "2,sockets=1,cores=2,threads=1"),
        ({"cpus": 2, "sockets": 2, "cores": 2}, "2,sockets=2,cores=2"),
        ({"sockets": 2, "cores": 2}, "4,sockets=2,cores=2"),
        ({"cpus": 4}, "4"),
        ({}, "1"),
    ],
)
def test_cpus_capped_by_the_topology(kw: dict[str, int], smp: str) -> None:
    assert smp_arg(_cfg(**kw)) == smp


def test_backing_file_overlay_has_disk_size(tmp_path: Path) -> None:
    base = tmp_path / "base.qcow2"
    run.run(["qemu-img", "create", "-f", "qcow2", str(base), "16M"])
    cfg = _cfg(iso_url=str(base), disk_image=True, use_backing_file=True, skip_resize_disk=True, disk_size="64M")
    state = _state(cfg, tmp_path)
    state.iso_path = base
    StepCreateDisk().run(state)
    info = json.loads(run.run(["qemu-img", "info", "--output=json", str(state.disk_paths[0])]).stdout)
    assert info["virtual-size"] == 64 * 2**20
    assert info["backing-filename"] == str(base)


def test_ssh_key_options_are_known(tmp_path: Path) -> None:
    pair = generate_keypair("ed25519")
    cfg = _cfg(ssh_private_key=pair.private_pem, temporary_key_pair_name="packer_x")
    state = _state(cfg, tmp_path)
    StepSSHKeyGen().run(state)
    assert state.keypair is not None
    assert state.keypair.private_pem == pair.private_pem
    assert state.keypair.public_openssh.split()[:2] == pair.public_openssh.split()[:2]
    named = _state(_cfg(temporary_key_pair_name="packer_x"), tmp_path)
    StepSSHKeyGen().run(named)
    assert named.keypair is not None and named.keypair.public_openssh.endswith(" packer_x")
    with pytest.raises(ConfigError, match="ssh_private_key: cannot parse"):
        _cfg(ssh_private_key="not a key")


def test_file_provisioner_accepts_source_and_sources(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("a")
    b.write_text("b")
    cfg = parse_config(FileConfig, {"source": str(a), "sources": [str(b)], "destination": "/tmp/"},
                       component="file")
    assert cfg.all_sources() == [str(b), str(a)]  # Packer appends source to sources


def test_shell_start_retry_timeout_zero_is_the_default(tmp_path: Path) -> None:
    s = tmp_path / "s.sh"
    s.write_text("true\n")
    assert float(parse_config(ShellConfig, {"script": str(s), "start_retry_timeout": "0s"},
                              component="shell").start_retry_timeout) == 300.0
    assert float(parse_config(ShellConfig, {"script": str(s)}, component="shell").start_retry_timeout) == 300.0


TIMEOUT = """
source "null" "n" {}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    timeout     = "1s"
    max_retries = 1
    inline      = ["echo start >> %(log)s", "sleep 4", "echo end >> %(log)s"]
  }
}
"""


def test_timed_out_attempt_is_stopped_before_the_retry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBUILD_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYBUILD_FAILURE_DIR", str(tmp_path / "fail"))
    log = tmp_path / "attempts.log"
    tpl = tmp_path / "t.pkr.hcl"
    tpl.write_text(TIMEOUT % {"log": log})
    assert cli.main(["build", str(tpl)]) == 1
    time.sleep(4.5)  # longer than the script: an attempt left running would write "end"
    assert log.read_text() == "start\nstart\n"
