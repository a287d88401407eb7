"""Step download — uses: cfg.iso_url(s)/iso_checksum; produces: state.iso_path.

ISOs and source disk images are fetched (or checked in place) by :mod:`builder.media`
into the shared, lock-protected download cache.
"""

from __future__ import annotations

from builder.media import fetch
from builder.qemu.state import QemuState
from builder.steps import Step


class StepDownload(Step[QemuState]):
    name = "download"

    def run(self, state: QemuState) -> None:
        what = "disk image" if state.cfg.disk_image else "ISO"
        state.ui.say(f"Retrieving {what}")
        state.iso_path = fetch(state.cfg, ui=state.ui)
        state.ui.message(f"Using {what} {state.iso_path}")
