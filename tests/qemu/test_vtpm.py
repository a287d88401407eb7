"""vtpm = true: the QEMU arguments (pure, table-tested), the config checks, and the
vtpm step starting and stopping a real swtpm. The guest using the TPM, and no swtpm
left after success, failure or Ctrl-C of a real pybuild run, are in
tests/e2e/test_vtpm_vagrant.py."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from builder.errors import BuildError, ConfigError
from builder.plugins import BuildContext
from builder.qemu.argv import build_argv
from builder.qemu.state import QemuState
from builder.steps.vtpm import StepCreateVTPM, swtpm_argv
from builder.ui import UI
from tests.qemu.test_argv import cfg, pairs
from tests.qemu.test_argv import facts as argv_facts
from tests.tools import require_tool


def facts(**kw):
    return argv_facts(**{"vtpm_socket": "/run/vtpm/vtpm.sock", **kw})


def swtpm_or_skip() -> None:
    require_tool("swtpm", hint="apt-get install swtpm swtpm-tools")


# --------------------------------------------------------------------------- argv


@pytest.mark.parametrize(
    ("options", "chardev", "tpmdev", "device"),
    [
        ({}, None, None, None),
        ({"vtpm": True}, "socket,id=vtpm,path=/run/vtpm/vtpm.sock", "emulator,id=tpm0,chardev=vtpm",
         "tpm-tis,tpmdev=tpm0"),
        ({"vtpm": True, "tpm_device_type": "tpm-crb"}, "socket,id=vtpm,path=/run/vtpm/vtpm.sock",
         "emulator,id=tpm0,chardev=vtpm", "tpm-crb,tpmdev=tpm0"),
        ({"vtpm": True, "use_tpm1": True}, "socket,id=vtpm,path=/run/vtpm/vtpm.sock",
         "emulator,id=tpm0,chardev=vtpm", "tpm-tis,tpmdev=tpm0"),
        ({"vtpm": False, "tpm_device_type": "tpm-crb"}, None, None, None),
    ],
)
def test_tpm_arguments(options, chardev, tpmdev, device):
    argv = build_argv(cfg(**options), facts())
    tpm_chardevs = [c for c in pairs(argv, "-chardev") if "id=vtpm" in c]
    assert tpm_chardevs == ([chardev] if chardev else [])
    assert pairs(argv, "-tpmdev") == ([tpmdev] if tpmdev else [])
    tpm_devices = [d for d in pairs(argv, "-device") if "tpmdev=" in d]
    assert tpm_devices == ([device] if device else [])
    # the serial console's chardev stays
    assert any("id=pybuild-serial0" in c for c in pairs(argv, "-chardev"))


def test_tpm_device_comes_after_the_nic_and_a_user_device_list_drops_it_as_in_packer():
    argv = build_argv(cfg(vtpm=True), facts())
    assert pairs(argv, "-device") == ["virtio-net,netdev=user.0", "tpm-tis,tpmdev=tpm0"]
    argv = build_argv(cfg(vtpm=True, qemuargs=[["-device", "virtio-rng-pci"]]), facts())
    assert pairs(argv, "-device") == ["virtio-rng-pci", "virtio-net,netdev=user.0"]


# --------------------------------------------------------------------------- config


def test_tpm_defaults_and_choices():
    c = cfg()
    assert (c.vtpm, c.use_tpm1, c.tpm_device_type) == (False, False, "tpm-tis")
    for dev in ("tpm-crb", "tpm-tis-device", "tpm-spapr"):
        assert cfg(vtpm=True, tpm_device_type=dev).tpm_device_type == dev
    with pytest.raises(ConfigError, match="tpm_device_type"):
        cfg(vtpm=True, tpm_device_type="tpm-foo")
    with pytest.raises(ConfigError, match=r"tpm-crb device is TPM 2\.0 only"):
        cfg(vtpm=True, use_tpm1=True, tpm_device_type="tpm-crb")
    assert cfg(vtpm=True, use_tpm1=True).use_tpm1


def test_swtpm_is_a_host_requirement_of_vtpm_only(monkeypatch, tmp_path):
    """One check of swtpm: the host check (not the configuration, which holds with or without it)."""
    from builder.builders.qemu import SWTPM, QemuBuilder

    monkeypatch.setenv("PATH", str(tmp_path))
    assert cfg(vtpm=True).vtpm is True  # the configuration does not look at the host
    assert SWTPM in QemuBuilder.host_requirements(cfg(vtpm=True))
    assert SWTPM not in QemuBuilder.host_requirements(cfg(vtpm=False))
    assert SWTPM.option == "vtpm" and SWTPM.fix.startswith("apt-get install swtpm swtpm-tools")


def test_pybuild_validate_reports_missing_swtpm_at_the_vtpm_option(tmp_path):
    tpl = tmp_path / "t.pkr.hcl"
    tpl.write_text('source "qemu" "t" {\n  iso_url = "x.qcow2"\n  iso_checksum = "none"\n  disk_image = true\n'
                   '  communicator = "none"\n  vtpm = true\n}\nbuild { sources = ["source.qemu.t"] }\n')
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env.pop("PYBUILD_HOSTCHECK", None)
    res = subprocess.run([sys.executable, "-m", "builder.cli", "validate", str(tpl)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = [line for line in (res.stdout + res.stderr).splitlines() if "swtpm (" in line]
    # one line for swtpm (the host check's), naming the option's place and the packages
    assert len(lines) == 1, res.stdout + res.stderr
    assert f"needed by qemu.t (vtpm at {tpl}:6:3)" in lines[0] and "apt-get install swtpm swtpm-tools" in lines[0]


# --------------------------------------------------------------------------- the step, with a real swtpm


def test_swtpm_argv_like_packer_plus_terminate():
    assert swtpm_argv("/usr/bin/swtpm", "/r/vtpm", "/r/vtpm/vtpm.sock") == [
        "/usr/bin/swtpm", "socket", "--tpmstate", "dir=/r/vtpm", "--ctrl", "type=unixio,path=/r/vtpm/vtpm.sock",
        "--terminate", "--tpm2"]
    assert "--tpm2" not in swtpm_argv("swtpm", "d", "s", tpm1=True)


def _state(run_dir: Path, **options) -> QemuState:
    ctx = BuildContext(build_name="qemu.t", build_type="qemu", ui=UI(out=io.StringIO()).for_build("qemu.t"),
                       template_dir=run_dir)
    return QemuState(cfg=cfg(**options), ctx=ctx, build_name="qemu.t", source_name="t", vm_name="packer-t",
                     output_dir=run_dir / "out", private_dir=run_dir)


def test_step_starts_and_stops_a_real_swtpm(tmp_path):
    swtpm_or_skip()
    run_dir = Path(tempfile.mkdtemp(prefix="pybuild-", dir=tmp_path))
    state = _state(run_dir, vtpm=True)
    step = StepCreateVTPM()
    try:
        step.run(state)
        assert state.swtpm is not None and state.swtpm.poll() is None
        assert state.vtpm_socket == run_dir / "vtpm" / "vtpm.sock" and state.vtpm_socket.is_socket()
        pid = state.swtpm.pid
        assert b"--tpm2" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    finally:
        step.cleanup(state)
    assert state.swtpm is None and state.vtpm_socket is None
    assert not Path(f"/proc/{pid}").exists()  # stopped and reaped
    assert not (run_dir / "vtpm").exists()
    step.cleanup(state)  # idempotent


def test_step_without_vtpm_does_nothing(tmp_path):
    state = _state(tmp_path, vtpm=False)
    StepCreateVTPM().run(state)
    assert state.swtpm is None and not (tmp_path / "vtpm").exists()


def test_step_reports_a_swtpm_that_dies(tmp_path, monkeypatch):
    swtpm_or_skip()
    state = _state(tmp_path, vtpm=True)
    fake = tmp_path / "bin" / "swtpm"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'swtpm: broken state' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    step = StepCreateVTPM()
    with pytest.raises(BuildError, match=r"swtpm exited at once with code 3:\nswtpm: broken state"):
        step.run(state)
    step.cleanup(state)
    assert not (tmp_path / "vtpm").exists()


def test_next_run_ends_the_swtpm_of_a_killed_run(tmp_path):
    """pybuild killed (SIGKILL) before its QEMU connected: the next run's sweep ends the swtpm."""
    swtpm_or_skip()
    from builder.leftovers import sweep_run_dirs
    from builder.run import Process

    dead = tmp_path / "pybuild-dead"
    (dead / "vtpm").mkdir(parents=True)
    proc = Process(swtpm_argv(shutil.which("swtpm") or "swtpm", str(dead / "vtpm"), str(dead / "vtpm" / "s.sock")))
    try:
        child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                               text=True, check=True)
        (dead / "pid").write_text(child.stdout.strip())  # a pid that has exited
        assert proc.wait(0.5) is None  # swtpm is up and waiting for a QEMU
        assert sweep_run_dirs(tmp=str(tmp_path)) == [dead]
        assert proc.wait(5) is not None
    finally:
        proc.stop(grace=1)
