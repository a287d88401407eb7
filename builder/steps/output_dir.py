"""Step output_dir — produces: the output directory and its lock, state.output_lock (and the
failure evidence on failure).

Packer's rule: the directory must not exist unless ``-force``. On failure the directory
is removed unless ``-on-error=abort``; the serial log and screenshots are first handed to
the failure-evidence collector.
"""

from __future__ import annotations

import shutil

from builder.errors import BuildError
from builder.leftovers import INCOMPLETE, OutputLock, check_free_space, left_by_killed_run
from builder.qemu.state import QemuState
from builder.steps import Step


class StepOutputDir(Step[QemuState]):
    name = "output_dir"

    def run(self, state: QemuState) -> None:
        out = state.output_dir
        lock = OutputLock(out)
        lock.acquire()
        state.output_lock = lock
        if out.exists() and left_by_killed_run(out):
            state.ui.say(f"Removing {out}: left incomplete by a killed pybuild run")
            shutil.rmtree(out)
        if out.exists():
            if not state.ctx.force:
                raise BuildError(
                    f"Output directory '{out}' already exists. It must not exist (use -force to replace it)."
                )
            state.ui.say(f"Deleting previous output directory {out}")
            shutil.rmtree(out)
        check_free_space(out.parent, _space_needed(state), "the build's disk")
        out.mkdir(parents=True)
        state.output_dir_created = True
        (out / INCOMPLETE).touch()
        state.serial_log.touch(mode=0o600)

    def cleanup(self, state: QemuState) -> None:
        lock, state.output_lock = state.output_lock, None
        try:
            self._cleanup(state)
        finally:
            if lock is not None:
                lock.release()

    def _cleanup(self, state: QemuState) -> None:
        if not state.output_dir_created:
            return
        if not state.failed:
            (state.output_dir / INCOMPLETE).unlink(missing_ok=True)
            return
        if state.failed:
            state.ctx.evidence(state.serial_log)
            if state.ctx.keeps_output:
                (state.output_dir / INCOMPLETE).unlink(missing_ok=True)  # kept on purpose
                state.ui.say(f"Keeping output directory {state.output_dir} (-on-error={state.ctx.on_error})")
                return
            if state.output_dir.exists():
                shutil.rmtree(state.output_dir)  # a failure is reported by run_steps, not hidden
            state.ui.say(f"Deleted output directory {state.output_dir}")


def _space_needed(state: QemuState) -> int:
    """The source image (copied, then converted once more) plus room for the install."""
    src = state.iso_path.stat().st_size if state.iso_path and state.cfg.disk_image else 0
    return 2 * src + 512 * 2**20
