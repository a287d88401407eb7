"""Fixtures for boot-command tests: a real QEMU (TCG) booting the installer ISO to
isolinux's ``boot:`` prompt, with VNC, QMP and a logged serial console."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bc_vm import Vm, start_vm


@pytest.fixture
def vm_factory() -> Iterator[Callable[..., Vm]]:
    vms: list[Vm] = []

    def make(*args: object, **kwargs: object) -> Vm:
        vm = start_vm(*args, **kwargs)  # type: ignore[arg-type]
        vms.append(vm)
        return vm

    try:
        yield make
    finally:
        for vm in vms:
            vm.stop()
            shutil.rmtree(vm.dir, ignore_errors=True)


@pytest.fixture
def prompt_vm(vm_factory: Callable[..., Vm], di_iso_prompt: Path) -> Vm:
    """QEMU at isolinux's ``boot:`` prompt (serial console connected)."""
    vm = vm_factory(di_iso_prompt)
    vm.serial.wait_for("boot:", timeout=60, offset=0)
    vm.serial.connect(timeout=10)
    return vm
