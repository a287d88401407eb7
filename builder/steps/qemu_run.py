"""Step qemu_run — uses: everything above; produces: state.qemu (the running VM).

Builds the command line with the pure :func:`builder.qemu.argv.build_argv`, starts QEMU
through the subprocess helper (its own session, output to ``qemu.log``), and checks it
did not exit at once. Cleanup ends QEMU (SIGTERM, then SIGKILL) if it still runs.
"""

from __future__ import annotations

import shlex

from builder import secrets
from builder.errors import BuildError
from builder.gotemplate import render
from builder.qemu.argv import RunFacts, build_argv, display_available
from builder.qemu.state import QemuState
from builder.run import Process
from builder.steps import Step


def _iso(state: QemuState) -> str:
    """The installer ISO QEMU attaches: the remastered copy, else the (cached) download."""
    if state.remastered is not None:
        return str(state.remastered.iso)
    return state.iso_remote or str(state.iso_path or "")


class StepRunQemu(Step[QemuState]):
    name = "qemu_run"

    def run(self, state: QemuState) -> None:
        launch(state, installer=True)

    def cleanup(self, state: QemuState) -> None:
        if state.qemu is None:
            return
        qlog = state.run_dir / "qemu.log"
        if state.qemu.poll() is None:
            state.ui.say("Stopping QEMU")
        state.qemu.stop(grace=3.0)
        if state.failed:
            state.ctx.evidence(qlog)
        state.qemu = None


def launch(state: QemuState, *, installer: bool) -> None:
    """Start QEMU into ``state.qemu``. ``installer=False`` is the second boot after a
    direct installer-kernel boot (:mod:`builder.steps.installer_reboot`): no kernel, no
    installer media, boot from the disk."""
    c = state.cfg
    if installer and state.accelerator == "tcg":
        state.ui.warn(
            "QEMU runs with TCG (software emulation): builds are much slower than with KVM"
            if not c.accelerator and not state.accelerator_forced
            else "QEMU runs with TCG (software emulation)"
        )
    facts = RunFacts(
        vm_name=state.vm_name,
        accelerator=state.accelerator,
        disk_paths=[str(p) for p in state.disk_paths],
        iso_path="" if c.disk_image else _iso(state),
        cd_path=str(state.cd_path) if state.cd_path else "",
        floppy_path=str(state.floppy_path) if state.floppy_path else "",
        vnc_display=(state.vnc_lease.port - 5900) if state.vnc_lease else None,
        ssh_host_port=state.ssh_host_port,
        guest_port=c.ssh_port,
        qmp_path=str(state.qmp_path),
        serial_sock=str(state.serial_sock),
        serial_log=str(state.serial_log),
        efivars_path=str(state.efivars_path) if state.efivars_path else "",
        efi_code=state.efi_code,
        vtpm_socket=str(state.vtpm_socket or ""),
        has_display=display_available(),
    )
    if not installer:
        facts.iso_path, facts.boot_disk = "", True
    elif state.kernel_boot is not None:
        kb = state.kernel_boot
        facts.kernel, facts.initrd, facts.append = str(kb.kernel), str(kb.initrd), kb.append
        facts.answers_path = str(kb.volume) if kb.volume else ""
    data = state.template_data()
    argv = build_argv(c, facts, render=lambda s: render(s, data))
    state.qemu_argv = argv
    state.ui.message("Qemu command: " + secrets.mask(shlex.join(argv)))
    for lease in (state.vnc_lease, state.ssh_lease):
        if lease is not None:
            lease.close_socket()  # QEMU binds the port now; the lease (its lock) stays with its step
    state.qemu = Process(argv, log_path=state.run_dir / "qemu.log")
    state.ui.event("qemu_started", pid=state.qemu.pid)
    rc = state.qemu.wait(0.5)
    if rc is not None:
        log = (state.run_dir / "qemu.log").read_text(errors="replace")[-3000:]
        raise BuildError(f"QEMU exited at once with code {rc}:\n{log.strip()}")
