"""Step installer_remaster — uses: boot_method = "remaster", state.iso_path, unattended_file,
installer_append, state.http_port; produces: state.remastered.

Writes a copy of the installer ISO into the private run directory with the unattended
file inside and every boot path (isolinux/syslinux, GRUB, the EFI boot image's GRUB)
booting the unattended install with no key (:mod:`builder.installer.remaster`);
``qemu_run`` attaches the copy instead of the original. Cleanup removes the copy.
"""

from __future__ import annotations

import shutil

from builder import secrets
from builder.errors import BuildError
from builder.installer.remaster import remaster
from builder.qemu.state import QemuState
from builder.steps import Step
from builder.steps.installer_kernel import installer_inputs


class StepInstallerRemaster(Step[QemuState]):
    name = "installer_remaster"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if c.boot_method != "remaster":
            return
        if state.iso_path is None:
            raise BuildError('boot_method = "remaster": no local installer ISO (iso_url; not with iso_skip_cache)')
        source, http_base, extra = installer_inputs(state)
        state.ui.say(f"Remastering {state.iso_path.name}: unattended file and boot menus that need no key")
        rm = remaster(state.iso_path, state.run_dir / "remaster", source, http_base=http_base, extra=extra)
        state.remastered = rm
        state.ui.message("Edited: " + ", ".join(rm.edited))
        state.ui.message("Installer command line: " + secrets.mask(rm.append))
        state.ui.event("installer_remaster", family=rm.layout.family, iso=str(rm.iso), edited=list(rm.edited),
                       append=rm.append)

    def cleanup(self, state: QemuState) -> None:
        rm = state.remastered
        if rm is None:
            return
        shutil.rmtree(rm.work, ignore_errors=True)
        state.remastered = None
