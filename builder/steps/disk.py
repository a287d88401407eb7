"""Steps create_disk, copy_disk, resize_disk — produce: state.disk_paths.

- ISO install: ``qemu-img create`` the main disk (and ``disk_additional_size`` disks);
- ``disk_image``: copy/convert the source image (or a qcow2 overlay with
  ``use_backing_file``), then resize it to ``disk_size`` unless ``skip_resize_disk``.
  When the final ``convert`` step runs anyway (qcow2, compaction on, no ``convert``
  qemu_img_args), no copy is made: the disk starts as a qcow2 overlay over the source and
  that convert flattens it (same content, no backing file in the output).
"""

from __future__ import annotations

import json
import shutil

from builder import run
from builder.errors import CommandError
from builder.qemu.config import QemuConfig, qemu_img_extra
from builder.qemu.state import QemuState
from builder.steps import Step


class StepCreateDisk(Step[QemuState]):
    name = "create_disk"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        main = state.output_dir / state.vm_name
        paths = [main]
        paths += [state.output_dir / f"{state.vm_name}-{i + 1}" for i in range(len(c.disk_additional_size))]
        sizes = [c.disk_size_qemu(), *c.disk_additional_size]
        for i, (path, size) in enumerate(zip(paths, sizes, strict=True)):
            if i == 0 and c.disk_image and not c.use_backing_file:
                continue  # StepCopyDisk makes it
            argv = ["qemu-img", "create", "-f", c.format]
            if i == 0 and c.use_backing_file:
                assert state.iso_path is not None
                argv += ["-b", str(state.iso_path.resolve()), "-F", "qcow2"]
            # the overlay gets disk_size too (as in Packer), so skip_resize_disk keeps it
            argv += [*qemu_img_extra(c, "create"), str(path), size]
            state.ui.say(f"Creating {'overlay' if i == 0 and c.use_backing_file else 'disk'} {path.name}")
            run.run(argv)
        state.disk_paths = paths


class StepCopyDisk(Step[QemuState]):
    name = "copy_disk"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not c.disk_image or c.use_backing_file:
            return
        assert state.iso_path is not None
        dst = state.disk_paths[0]
        src = state.iso_path
        extra = qemu_img_extra(c, "convert")
        if flatten_later(c):
            info = json.loads(run.run(["qemu-img", "info", "-U", "--output=json", str(src)]).stdout)
            state.ui.say(f"Creating overlay {dst.name} over {src} (the final convert flattens it)")
            run.run(["qemu-img", "create", "-f", "qcow2", "-b", str(src.resolve()), "-F", str(info["format"]),
                     *qemu_img_extra(c, "create"), str(dst)])
            return
        if src.suffix.lstrip(".") == c.format and not extra:
            state.ui.say(f"Copying disk image {src} (same format: plain copy)")
            shutil.copyfile(src, dst)
        else:
            state.ui.say(f"Converting disk image {src} to {c.format}")
            run.run(["qemu-img", "convert", *extra, "-O", c.format, str(src), str(dst)])


def flatten_later(c: QemuConfig) -> bool:
    """Whether a ``disk_image`` build can start from an overlay instead of a copy: the
    final convert (which reads through the backing file) runs and changes nothing else."""
    return c.disk_image and not c.use_backing_file and c.raw_compaction and not qemu_img_extra(c, "convert")


class StepResizeDisk(Step[QemuState]):
    name = "resize_disk"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not c.disk_image or c.skip_resize_disk:
            return
        size = c.disk_size_qemu()
        state.ui.say(f"Resizing disk to {size}")
        argv = ["qemu-img", "resize", "-f", c.format, *qemu_img_extra(c, "resize"), str(state.disk_paths[0]), size]
        res = run.run(argv, check=False)
        if res.returncode != 0:
            if "shrink" in res.stderr.lower():
                state.ui.message(f"Not shrinking: the image is already larger than {size}")
                return
            raise CommandError(argv, res.returncode, res.stderr[-2000:])
