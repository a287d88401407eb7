"""Find UEFI firmware from QEMU's firmware descriptors (docs/interop/firmware.json).

Packer hard-codes /usr/share/OVMF/OVMF_CODE.fd, which distributions keep moving;
pybuild reads the descriptors QEMU itself ships and prefers firmware without
Secure Boot (unless asked) that runs the requested machine type.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

DESCRIPTOR_DIRS = ("/etc/qemu/firmware", "/usr/share/qemu/firmware")


@dataclass(frozen=True)
class Firmware:
    code: str
    vars_template: str
    description: str
    secure_boot: bool


def _machine_key(machine_type: str) -> str:
    if machine_type.startswith("q35") or machine_type.startswith("pc-q35"):
        return "pc-q35-9.9"
    return "pc-i440fx-9.9"


def find_uefi(
    machine_type: str = "pc", arch: str = "x86_64", secure_boot: bool = False, dirs: tuple[str, ...] = DESCRIPTOR_DIRS
) -> Firmware | None:
    seen: dict[str, Path] = {}
    for d in dirs:
        p = Path(d)
        if p.is_dir():
            for f in sorted(p.glob("*.json")):
                seen.setdefault(f.name, f)  # /etc overrides /usr/share by file name
    machine = _machine_key(machine_type)
    candidates: list[tuple[int, Firmware]] = []
    for name in sorted(seen):
        try:
            desc = json.loads(seen[name].read_text())
        except (OSError, ValueError):
            continue
        if "uefi" not in desc.get("interface-types", []):
            continue
        mapping = desc.get("mapping", {})
        if mapping.get("device") != "flash":
            continue
        code = mapping.get("executable", {})
        nvram = mapping.get("nvram-template", {})
        if code.get("format", "raw") != "raw" or not Path(code.get("filename", "")).exists():
            continue
        ok = any(
            t.get("architecture") == arch and any(fnmatch.fnmatch(machine, m) for m in t.get("machines", []))
            for t in desc.get("targets", [])
        )
        if not ok:
            continue
        feats = set(desc.get("features", []))
        sb = "secure-boot" in feats
        if sb != secure_boot:
            continue
        if "requires-smm" in feats and not machine_type.startswith(("q35", "pc-q35")):
            continue
        fw = Firmware(code["filename"], nvram.get("filename", ""), desc.get("description", name), sb)
        candidates.append((len(candidates), fw))
    return candidates[0][1] if candidates else None
