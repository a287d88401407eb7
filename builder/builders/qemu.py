"""The ``qemu`` builder: Packer's qemu plugin, booting QEMU directly.

The step list below is the whole build; each step lives in its own module under
:mod:`builder.steps` with ``run`` and ``cleanup`` side by side.
"""

from __future__ import annotations

from pathlib import Path

from builder import hostcheck
from builder.plugins import Artifact, BuildContext, Builder
from builder.qemu.config import QemuConfig, resolve_accelerator
from builder.qemu.state import QemuState
from builder.steps import Step, run_steps
from builder.steps.boot_command import StepTypeBootCommand
from builder.steps.connect import StepConnect
from builder.steps.convert import StepConvertDisk
from builder.steps.disk import StepCopyDisk, StepCreateDisk, StepResizeDisk
from builder.steps.download import StepDownload
from builder.steps.efivars import StepPrepareEfivars
from builder.steps.http_server import StepHTTPServer
from builder.steps.installer_kernel import StepInstallerKernel
from builder.steps.installer_reboot import StepInstallerReboot
from builder.steps.installer_remaster import StepInstallerRemaster
from builder.steps.media_images import StepCreateCD, StepCreateFloppy
from builder.steps.output_dir import StepOutputDir
from builder.steps.ports import StepPortForward, StepVNCPort
from builder.steps.provision import StepProvision
from builder.steps.qemu_run import StepRunQemu
from builder.steps.qmp import StepQMP
from builder.steps.run_dir import StepRunDir
from builder.steps.shutdown import StepShutdown
from builder.steps.ssh_keygen import StepSSHKeyGen
from builder.steps.vtpm import StepCreateVTPM
from builder.units import parse_size

BUILDER_ID = "transcend.qemu"


def steps() -> list[Step[QemuState]]:
    """What a qemu build does, in order (cleanups run in reverse)."""
    return [
        StepRunDir(),  # private 0700 temp dir (sockets, keys); sweeps killed runs' leftovers
        StepDownload(),  # iso_url → cache (checksum verified)
        StepOutputDir(),  # output_directory (must not exist unless -force)
        StepCreateVTPM(),  # vtpm: start swtpm (state in the private run directory)
        StepCreateFloppy(),  # floppy_files / floppy_content
        StepCreateCD(),  # cd_files / cd_content (cidata seeds)
        StepCreateDisk(),  # qemu-img create (or overlay)
        StepCopyDisk(),  # disk_image: copy / convert the source image
        StepResizeDisk(),  # disk_image: grow to disk_size
        StepSSHKeyGen(),  # temporary key pair ({{ .SSHPublicKey }})
        StepHTTPServer(),  # http_directory / http_content (+ jinja2 .j2 rendering)
        StepPortForward(),  # host port → guest sshd
        StepVNCPort(),  # VNC display
        StepPrepareEfivars(),  # UEFI NVRAM copy
        StepInstallerKernel(),  # boot_method = "kernel": installer kernel/initrd/command line from the ISO
        StepInstallerRemaster(),  # boot_method = "remaster": a copy of the ISO that boots with no key
        StepRunQemu(),  # start QEMU
        StepQMP(),  # QMP client (powerdown, screenshots)
        StepTypeBootCommand(),  # boot_wait, boot_command over VNC / QMP / serial
        StepInstallerReboot(),  # boot_method = "kernel": the installer powers off, boot again from the disk
        StepConnect(),  # wait for SSH
        StepProvision(),  # provisioners
        StepShutdown(),  # shutdown_command / ACPI, wait for QEMU to exit
        StepConvertDisk(),  # qemu-img convert (compaction, compression)
    ]


SWTPM = hostcheck.Tool("swtpm", apt="swtpm swtpm-tools", dnf="swtpm swtpm-tools", option="vtpm")

class QemuBuilder(Builder[QemuConfig]):
    Config = QemuConfig
    # rendered with the run's data (HTTPIP, HTTPPort, OutputDir...), or served as files
    late_templates = ("boot_command", "boot_steps", "qemuargs", "http_content", "cd_content", "floppy_content")
    builder_id = BUILDER_ID

    @classmethod
    def host_requirements(cls, config: QemuConfig | None) -> list[hostcheck.Requirement]:
        """QEMU for the arch, qemu-img, xorriso (cd_*, remaster), mtools/dosfstools (floppy; mtools: remaster), OVMF
        (efi_boot), KVM (a warning when TCG will be used) and room for the disks."""
        h = hostcheck
        if config is None:
            return [h.qemu_system("qemu-system-x86_64"), h.QEMU_IMG, h.XORRISO, *h.FLOPPY_TOOLS,
                    h.UefiFirmware(), h.Kvm(), SWTPM]
        c = config
        reqs: list[hostcheck.Requirement] = [h.qemu_system(c.qemu_binary), h.QEMU_IMG]
        if c.cd_files or c.cd_content or c.boot_method == "remaster":
            reqs.append(h.XORRISO)
        if c.boot_method == "remaster":  # the EFI boot image's grub.cfg
            reqs.append(h.MTOOLS)
        if c.floppy_files or c.floppy_dirs or c.floppy_content:
            reqs += h.FLOPPY_TOOLS
        if c.efi_boot:
            reqs.append(h.UefiFirmware(machine_type=c.machine_type, code=c.efi_firmware_code,
                                       vars=c.efi_firmware_vars))
        if c.vtpm:
            reqs.append(SWTPM)
        accel, why = resolve_accelerator(c.accelerator)
        if accel == "kvm" or why.startswith("auto"):
            reqs.append(h.Kvm(required=accel == "kvm" and not why.startswith("auto")))
        # Packer's units: a bare disk_size is MiB, a bare disk_additional_size bytes (qemu-img's)
        total = parse_size(c.disk_size_qemu(), default_unit="M")
        total += sum(parse_size(s.strip(), default_unit="B") for s in c.disk_additional_size)
        reqs.append(h.FreeSpace(directory=c.output_directory or ".", size=total))
        return reqs

    def run(self, ctx: BuildContext) -> Artifact | None:
        cfg = self.config
        source = ctx.source_name
        output_dir = Path(cfg.output_directory or f"output-{source}")
        vm_name = cfg.vm_name or f"packer-{source}"
        accel, why = resolve_accelerator(cfg.accelerator)
        state = QemuState(
            cfg=cfg,
            ctx=ctx,
            build_name=ctx.build_name,
            source_name=source,
            vm_name=vm_name,
            output_dir=output_dir,
            accelerator=accel,
            accelerator_forced=why == "PYBUILD_ACCELERATOR",
        )
        ctx.ui.message(f"Accelerator: {accel} ({why})")

        def failed(_: BaseException) -> None:
            state.failed = True

        run_steps(steps(), state, on_event=ctx.ui.event, pause=_pauser(ctx), on_failure=failed,
                  on_error_line=ctx.ui.error, ask=ctx.step_question())
        return _artifact(state)


def _pauser(ctx: BuildContext):  # type: ignore[no-untyped-def]
    if not ctx.debug:
        return None

    def pause(step: str) -> None:
        ctx.ui.say(f"Pausing before step {step}. Press enter to continue.")
        try:
            input()
        except EOFError:
            pass

    return pause


def _artifact(state: QemuState) -> Artifact:
    cfg = state.cfg
    files = []
    for p in sorted(state.output_dir.rglob("*")):
        if not p.is_file() or p.name in ("serial.log", ".pybuild-incomplete"):
            continue
        if p.name == "efivars.fd" and cfg.efi_drop_efivars:
            continue
        files.append(p)
    return Artifact(
        builder_id=BUILDER_ID,
        id="VM",
        files=files,
        directory=state.output_dir,
        description=f"VM files in directory: {state.output_dir}",
        data={
            "diskName": state.vm_name,
            "diskPaths": [str(p) for p in state.disk_paths],
            "diskType": cfg.format,
            "diskSize": cfg.disk_size_qemu(),
            "domainType": state.accelerator,
            "serialLog": str(state.serial_log),
        },
    )
