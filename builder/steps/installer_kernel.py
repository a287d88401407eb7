"""Step installer_kernel — uses: boot_method = "kernel", state.iso_path, unattended_file,
installer_append, state.http_port; produces: state.kernel_boot.

Reads the installer ISO (:mod:`builder.installer`), extracts its kernel and initrd into
the private run directory (a local unattended file appended to Debian's initrd, or put
on an ``OEMDRV``/``cidata`` CD for anaconda/subiquity) and composes the kernel command
line; ``qemu_run`` then boots them with ``-kernel/-initrd/-append -no-reboot``, the ISO
(and that CD) attached. Cleanup removes the files.
"""

from __future__ import annotations

from pathlib import Path

from builder import secrets
from builder.errors import BuildError
from builder.gotemplate import render
from builder.installer import unattended
from builder.installer.kernel import prepare
from builder.installer.unattended import Source
from builder.qemu.state import QemuState
from builder.steps import Step


def installer_inputs(state: QemuState) -> tuple[Source, str, str]:
    """Where the unattended file comes from, the guest's URL of pybuild's HTTP server
    (empty when none runs) and the rendered ``installer_append`` — for both zero-key methods."""
    c = state.cfg
    source = unattended.resolve(c, base_dir=Path.cwd())
    http_base = f"http://{state.http_ip}:{state.http_port}" if state.http is not None else ""
    extra = render(c.installer_append, state.template_data()) if c.installer_append else ""
    return source, http_base, extra


class StepInstallerKernel(Step[QemuState]):
    name = "installer_kernel"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if c.boot_method != "kernel":
            return
        if state.iso_path is None:
            raise BuildError('boot_method = "kernel": no installer ISO (iso_url)')
        source, http_base, extra = installer_inputs(state)
        kb = prepare(state.iso_path, state.run_dir, source, http_base=http_base, extra=extra)
        state.kernel_boot = kb
        state.ui.say(f"Booting the {kb.layout.family} installer kernel directly ({kb.layout.kernel}); "
                     "no boot command is typed")
        state.ui.message("Installer command line: " + secrets.mask(kb.append))
        state.ui.event("installer_kernel", family=kb.layout.family, kernel=kb.layout.kernel,
                       initrd=kb.layout.initrd, append=kb.append,
                       volume=kb.volume.name if kb.volume else "")

    def cleanup(self, state: QemuState) -> None:
        kb = state.kernel_boot
        if kb is None:
            return
        for p in (kb.kernel, kb.initrd, kb.volume):
            if p is not None:
                p.unlink(missing_ok=True)
        state.kernel_boot = None
