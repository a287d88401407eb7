"""The installer_kernel step (run/cleanup) and the boot_command step with boot_method = "kernel"."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from builder.config import parse_config
from builder.plugins import BuildContext
from builder.qemu.config import QemuConfig
from builder.qemu.state import QemuState
from builder.steps import boot_command
from builder.steps.boot_command import StepTypeBootCommand
from builder.steps.installer_kernel import StepInstallerKernel
from builder.ui import UI
from tests.installer.test_installer_unit import LAYOUTS, make_iso


def _state(tmp: Path, **options: object) -> QemuState:
    base = {"iso_url": "x.iso", "iso_checksum": "none", "communicator": "none", "headless": True}
    base.update(options)
    ctx = BuildContext(build_name="qemu.t", build_type="qemu", ui=UI(out=io.StringIO()).for_build("qemu.t"),
                       template_dir=tmp)
    return QemuState(cfg=parse_config(QemuConfig, base, component='source "qemu.t"'), ctx=ctx,
                     build_name="qemu.t", source_name="t", vm_name="packer-t", output_dir=tmp / "out",
                     private_dir=tmp)


def test_step_prepares_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    label, files = LAYOUTS["rhel"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ks.cfg").write_text("text\n")
    state = _state(tmp_path, boot_method="kernel", unattended_file="ks.cfg", installer_append="ip={{ .HTTPIP }}")
    state.iso_path = make_iso(tmp_path / "r.iso", label, files)
    step = StepInstallerKernel()
    step.run(state)
    kb = state.kernel_boot
    assert kb is not None and kb.kernel.exists() and kb.initrd.exists() and kb.volume is not None
    assert kb.append.startswith(r"inst.stage2=hd:LABEL=CentOS\x207\x20x86_64 inst.ks=hd:LABEL=OEMDRV:/ks.cfg "
                                "ip=10.0.2.2 ")
    step.cleanup(state)
    assert state.kernel_boot is None and not kb.kernel.exists() and not kb.initrd.exists()
    assert not kb.volume.exists()
    step.cleanup(state)  # idempotent


def test_keys_method_leaves_the_step_idle(tmp_path: Path) -> None:
    state = _state(tmp_path, boot_command=["<enter>"])
    state.iso_path = tmp_path / "not-read.iso"
    StepInstallerKernel().run(state)
    assert state.kernel_boot is None


def test_boot_command_step_opens_no_keyboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_keyboard(*a: object, **k: object) -> None:
        raise AssertionError("a keyboard was opened")

    monkeypatch.setattr(boot_command, "open_keyboard", no_keyboard)
    state = _state(tmp_path, boot_method="kernel")
    step = StepTypeBootCommand()
    try:
        step.run(state)
    finally:
        step.cleanup(state)


def test_installer_reboot_is_idle_without_a_kernel_boot_or_a_communicator(tmp_path: Path) -> None:
    """Nothing to wait for: keys boot (no kernel_boot), or communicator none (the shutdown
    step takes the installer's power-off as the end). A started QEMU would be touched."""
    from builder.steps.installer_reboot import StepInstallerReboot

    class Untouchable:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"QEMU touched: {name}")

    for options, with_kernel in (({"communicator": "ssh", "ssh_username": "root"}, False), ({}, True)):
        label, files = LAYOUTS["rhel"]
        state = _state(tmp_path, boot_method="kernel", **options)
        state.iso_path = make_iso(tmp_path / "r.iso", label, files)
        kernel = StepInstallerKernel()
        if with_kernel:
            kernel.run(state)
        state.qemu = Untouchable()  # type: ignore[assignment]
        StepInstallerReboot().run(state)
        state.qemu = None
        kernel.cleanup(state)
