"""Step download — uses: cfg.iso_url(s)/iso_checksum; produces: state.iso_path
(or state.iso_remote with ``iso_skip_cache``).

ISOs and source disk images are fetched (or checked in place) by :mod:`builder.media`
into the shared, lock-protected download cache. With ``iso_skip_cache`` nothing is
downloaded: the first URL that answers a HEAD request with byte serving
(``Accept-Ranges: bytes``) is given to QEMU, which reads it with its curl block driver.
"""

from __future__ import annotations

import os

from builder import secrets
from builder.errors import UsageError
from builder.media import MediaError, check_byte_serving, fetch
from builder.qemu.state import QemuState
from builder.steps import Step


class StepDownload(Step[QemuState]):
    name = "download"

    def run(self, state: QemuState) -> None:
        if state.cfg.iso_skip_cache:
            state.iso_remote = remote_iso(state.cfg.urls(), state)
            return
        what = "disk image" if state.cfg.disk_image else "ISO"
        state.ui.say(f"Retrieving {what}")
        state.iso_path = fetch(state.cfg, ui=state.ui, attempts=download_attempts())
        state.ui.message(f"Using {what} {state.iso_path}")


def remote_iso(urls: list[str], state: QemuState) -> str:
    """The first URL that QEMU can read directly (HTTP(S) with byte ranges, or a local file)."""
    failures = []
    for url in urls:
        if not url.startswith(("http://", "https://")):
            path = url.removeprefix("file://")
            if os.path.isfile(path):
                return os.path.abspath(path)
            failures.append(f"{url}: not an HTTP(S) URL or an existing file")
            continue
        try:
            check_byte_serving(url)
        except MediaError as e:
            failures.append(str(e))
            continue
        state.ui.say(f"Using {secrets.mask(url)} directly (iso_skip_cache): QEMU reads it over HTTP")
        return url
    raise MediaError("iso_skip_cache: no URL can be read by QEMU directly:\n  " + "\n  ".join(failures))


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
