"""Step output_dir — produces: the output directory (and the failure evidence on failure).

Packer's rule: the directory must not exist unless ``-force``. On failure the directory
is removed unless ``-on-error=abort``; the serial log and screenshots are first handed to
the failure-evidence collector.
"""

from __future__ import annotations

import shutil

from builder.errors import BuildError
from builder.qemu.state import QemuState
from builder.steps import Step


class StepOutputDir(Step[QemuState]):
    name = "output_dir"

    def run(self, state: QemuState) -> None:
        out = state.output_dir
        if out.exists():
            if not state.ctx.force:
                raise BuildError(
                    f"Output directory '{out}' already exists. It must not exist (use -force to replace it)."
                )
            state.ui.say(f"Deleting previous output directory {out}")
            shutil.rmtree(out)
        out.mkdir(parents=True)
        state.output_dir_created = True
        state.serial_log.touch(mode=0o600)

    def cleanup(self, state: QemuState) -> None:
        if not state.output_dir_created:
            return
        if state.failed:
            state.ctx.evidence(state.serial_log)
            if state.ctx.on_error == "abort":
                state.ui.say(f"Keeping output directory {state.output_dir} (-on-error=abort)")
                return
            shutil.rmtree(state.output_dir, ignore_errors=True)
            state.ui.say(f"Deleted output directory {state.output_dir}")
