"""Step convert — compact (and optionally compress) the finished disk with ``qemu-img
convert`` into a new file that replaces the original; retried while QEMU's image lock
lingers (``Failed to get shared "write" lock``)."""

from __future__ import annotations

import os

from builder import run
from builder.errors import CommandError
from builder.qemu.config import qemu_img_extra
from builder.qemu.state import QemuState
from builder.steps import Step

LOCK_ERROR = 'Failed to get shared "write" lock'


class StepConvertDisk(Step[QemuState]):
    name = "convert"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not c.raw_compaction or c.skip_compaction:
            return
        disk = state.disk_paths[0]
        tmp = disk.with_name(disk.name + ".convert")
        argv = ["qemu-img", "convert"]
        if c.disk_compression:
            argv.append("-c")
            if c.disk_compression_type:
                argv += ["-o", f"compression_type={c.disk_compression_type}"]
        argv += [*qemu_img_extra(c, "convert"), "-O", c.format, str(disk), str(tmp)]
        how = f" (compressed, {c.disk_compression_type or 'zlib'})" if c.disk_compression else ""
        state.ui.say(f"Converting hard drive...{how}")
        for attempt in range(10):
            try:
                run.run(argv)
                break
            except CommandError as e:
                if LOCK_ERROR in e.stderr_tail and attempt < 9:
                    state.ctx.cancel.sleep(1.0 + attempt)
                    continue
                tmp.unlink(missing_ok=True)
                raise
        os.replace(tmp, disk)

    def cleanup(self, state: QemuState) -> None:
        for d in state.disk_paths[:1]:
            d.with_name(d.name + ".convert").unlink(missing_ok=True)
