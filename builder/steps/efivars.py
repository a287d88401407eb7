"""Step efivars — uses: efi_boot/efi_firmware_*; produces: state.efi_code, state.efivars_path
(a private copy of the NVRAM template in the output directory, as Packer does)."""

from __future__ import annotations

import shutil

from builder.errors import BuildError
from builder.qemu.firmware import find_uefi
from builder.qemu.state import QemuState
from builder.steps import Step


class StepPrepareEfivars(Step[QemuState]):
    name = "efivars"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not (c.efi_boot or c.efi_firmware_code or c.efi_firmware_vars):
            return
        code, template = c.efi_firmware_code, c.efi_firmware_vars
        if not code or not template:
            fw = find_uefi(c.machine_type)
            if fw is None:
                raise BuildError(
                    "efi_boot: no UEFI firmware found in QEMU's firmware descriptors "
                    "(install ovmf, or set efi_firmware_code and efi_firmware_vars)"
                )
            code, template = code or fw.code, template or fw.vars_template
            state.ui.say(f"UEFI firmware: {fw.description}")
        state.efi_code = code
        state.efivars_path = state.output_dir / "efivars.fd"
        shutil.copyfile(template, state.efivars_path)
