"""Step run_dir — produces: state.run_dir, the build's private 0700 temporary directory
(sockets, keys, seed ISOs, qemu.log).

It first sweeps the run directories that killed pybuild runs left behind, then makes its
own with a ``pid`` file (so the next run can tell it from a live one); cleanup removes it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from builder.leftovers import sweep_run_dirs, write_pid
from builder.qemu.state import QemuState
from builder.steps import Step


class StepRunDir(Step[QemuState]):
    name = "run_dir"

    def run(self, state: QemuState) -> None:
        sweep_run_dirs(state.ui)
        d = Path(tempfile.mkdtemp(prefix="pybuild-"))
        os.chmod(d, 0o700)
        state.private_dir = d
        write_pid(d)

    def cleanup(self, state: QemuState) -> None:
        d, state.private_dir = state.private_dir, None
        if d is not None and d.exists():
            shutil.rmtree(d)  # a failure is reported by run_steps (one line, an event), not hidden
