"""Step vtpm — uses: vtpm, use_tpm1, the build's private run directory; produces:
state.swtpm (the running ``swtpm`` emulator) and state.vtpm_socket (its control socket,
which qemu_run hands to QEMU as ``-chardev socket -tpmdev emulator -device tpm-tis``).

As in Packer's qemu plugin, the TPM state lives in a temporary directory (here
``<run dir>/vtpm``, private to the build), not in the output directory, and goes away
with the build. ``--terminate`` makes swtpm exit when QEMU closes the connection, so
even a killed pybuild leaves no emulator behind once its QEMU is gone; cleanup stops it
in every case (success, failure, Ctrl-C).
"""

from __future__ import annotations

import shutil
import time

from builder import run as runmod
from builder.errors import BuildError
from builder.qemu.state import QemuState
from builder.run import Process
from builder.steps import Step

SWTPM_PACKAGES = "swtpm swtpm-tools"


def swtpm_argv(swtpm: str, state_dir: str, socket: str, tpm1: bool = False) -> list[str]:
    argv = [swtpm, "socket", "--tpmstate", f"dir={state_dir}", "--ctrl", f"type=unixio,path={socket}",
            "--terminate"]
    return argv if tpm1 else [*argv, "--tpm2"]


class StepCreateVTPM(Step[QemuState]):
    name = "vtpm"
    start_timeout = 10.0

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not c.vtpm:
            return
        swtpm = runmod.which("swtpm")
        if swtpm is None:
            raise BuildError(f"vtpm: swtpm not found on PATH (install the {SWTPM_PACKAGES} packages)")
        tpm_dir = state.run_dir / "vtpm"
        tpm_dir.mkdir(mode=0o700)
        sock = tpm_dir / "vtpm.sock"
        log = tpm_dir / "swtpm.log"
        state.ui.say(f"Starting the software TPM (TPM {'1.2' if c.use_tpm1 else '2.0'}, {c.tpm_device_type})")
        state.swtpm = Process(swtpm_argv(swtpm, str(tpm_dir), str(sock), c.use_tpm1), log_path=log)
        deadline = time.monotonic() + self.start_timeout
        while not sock.exists():
            rc = state.swtpm.wait(0.05)
            if rc is not None:
                raise BuildError(f"swtpm exited at once with code {rc}:\n{log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise BuildError(f"swtpm did not create {sock} within {self.start_timeout:.0f}s")
        state.vtpm_socket = sock

    def cleanup(self, state: QemuState) -> None:
        if state.swtpm is not None:
            state.swtpm.stop(grace=2.0)
            state.swtpm = None
            log = state.run_dir / "vtpm" / "swtpm.log"
            if state.failed:
                state.ctx.evidence(log)
        state.vtpm_socket = None
        shutil.rmtree(state.run_dir / "vtpm", ignore_errors=True)
