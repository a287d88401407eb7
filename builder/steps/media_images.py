"""Steps cd and floppy — uses: cd_files/cd_content/cd_label, floppy_*; produces: state.cd_path,
state.floppy_path (files in the private run directory, mode 0600: seeds may hold passwords)."""

from __future__ import annotations

from builder.isofs import make_floppy, make_iso
from builder.qemu.state import QemuState
from builder.steps import Step


class StepCreateFloppy(Step[QemuState]):
    name = "floppy"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not (c.floppy_files or c.floppy_dirs or c.floppy_content):
            return
        state.ui.say("Creating floppy disk...")
        state.floppy_path = make_floppy(
            state.run_dir / "floppy.img",
            files=c.floppy_files,
            dirs=c.floppy_dirs,
            content=c.floppy_content,
            label=c.floppy_label,
        )

    def cleanup(self, state: QemuState) -> None:
        if state.floppy_path:
            state.floppy_path.unlink(missing_ok=True)


class StepCreateCD(Step[QemuState]):
    name = "cd"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not (c.cd_files or c.cd_content):
            return
        state.ui.say(f"Creating CD disk{' ' + repr(c.cd_label) if c.cd_label else ''}...")
        state.cd_path = make_iso(state.run_dir / "cd.iso", files=c.cd_files, content=c.cd_content, label=c.cd_label)

    def cleanup(self, state: QemuState) -> None:
        if state.cd_path:
            state.cd_path.unlink(missing_ok=True)
