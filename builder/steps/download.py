"""Step download — uses: cfg.iso_url(s)/iso_checksum; produces: state.iso_path.

ISOs and source disk images are fetched (or checked in place) by :mod:`builder.media`
into the shared, lock-protected download cache.
"""

from __future__ import annotations

import os

from builder.errors import UsageError
from builder.media import fetch
from builder.qemu.state import QemuState
from builder.steps import Step


class StepDownload(Step[QemuState]):
    name = "download"

    def run(self, state: QemuState) -> None:
        what = "disk image" if state.cfg.disk_image else "ISO"
        state.ui.say(f"Retrieving {what}")
        state.iso_path = fetch(state.cfg, ui=state.ui, attempts=download_attempts())
        state.ui.message(f"Using {what} {state.iso_path}")


def download_attempts() -> int:
    """``PYBUILD_DOWNLOAD_ATTEMPTS`` (default 3): tries per URL for transient HTTP errors,
    with exponential backoff (1 s, 2 s, 4 s... at most 30 s) between them."""
    raw = os.environ.get("PYBUILD_DOWNLOAD_ATTEMPTS", "").strip()
    if not raw:
        return 3
    try:
        n = int(raw)
    except ValueError:
        raise UsageError(f"PYBUILD_DOWNLOAD_ATTEMPTS must be a whole number, not {raw!r}") from None
    return max(1, n)
