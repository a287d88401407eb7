"""Where ``unattended_file`` comes from: pybuild's HTTP server or a local file.

A name that ``http_content`` holds, or that exists under ``http_directory`` (also as
``NAME.j2``, rendered per request), is fetched by the installer over HTTP; otherwise
it must be a local file, which pybuild appends to the installer's initrd
(``boot_method = "kernel"``) or puts on the remastered ISO (``"remaster"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

BOOT_METHODS = ("keys", "kernel", "remaster")


class _Cfg(Protocol):
    unattended_file: str
    http_directory: str
    http_content: dict[str, str]


@dataclass(frozen=True)
class Source:
    how: str  # "http" | "file" | "none"
    path: str = ""  # URL path (leading "/") or local file


def resolve(cfg: _Cfg, base_dir: Path | None = None) -> Source:
    name = cfg.unattended_file.strip()
    if not name:
        return Source("none")
    rel = name.lstrip("/")
    if rel in {k.lstrip("/") for k in cfg.http_content}:
        return Source("http", "/" + rel)
    if cfg.http_directory:
        d = Path(cfg.http_directory)
        if (d / rel).is_file() or (d / (rel + ".j2")).is_file():
            return Source("http", "/" + rel)
    local = Path(name)
    if base_dir is not None and not local.is_absolute():
        local = base_dir / local
    return Source("file", str(local))


def validate(cfg: _Cfg, boot_method: str, *, has_boot_command: bool, disk_image: bool) -> list[str]:
    """Errors for the zero-key options (``field: message``)."""
    errs: list[str] = []
    if boot_method not in ("kernel", "remaster"):
        if cfg.unattended_file:
            errs.append('unattended_file: only used with boot_method = "kernel" or "remaster"')
        return errs
    if has_boot_command:
        errs.append(f'boot_command: must be empty with boot_method = "{boot_method}" (no key is typed)')
    if disk_image:
        errs.append(f'boot_method: "{boot_method}" boots an installer ISO; it cannot be used with disk_image = true')
    src = resolve(cfg)
    if src.how == "file" and not Path(src.path).is_file():
        errs.append(
            f"unattended_file: {cfg.unattended_file!r} is neither served by http_directory/http_content "
            "nor a local file"
        )
    return errs
