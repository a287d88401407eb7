"""Checks and small pieces shared by the ``ansible`` and ``ansible-local`` provisioners."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_ROLES_RE = re.compile(rb"^roles:", re.MULTILINE)
_COLLECTIONS_RE = re.compile(rb"^collections:", re.MULTILINE)
_VERSION_RE = re.compile(r"\w (\d+\.\d+[.\d]*)")


def check_file(path: str, option: str) -> list[str]:
    """Errors for an option that must name an existing regular file."""
    if not path:
        return [f"{option} must be specified."]
    if not os.path.exists(path):
        return [f"{option}: {path} is invalid: no such file"]
    if os.path.isdir(path):
        return [f"{option}: {path} must point to a file"]
    return []


def check_dir(path: str, option: str) -> list[str]:
    """Errors for an option that must name an existing directory."""
    if not os.path.exists(path):
        return [f"{option}: {path} is invalid: no such directory"]
    if not os.path.isdir(path):
        return [f"{option}: {path} must point to a directory"]
    return []


def check_key_values(items: Sequence[str], option: str) -> list[str]:
    """Errors for a list of ``KEY=value`` strings."""
    return [f"{option}: {item!r} is not in the form KEY=value"
            for item in items if not item.partition("=")[0].strip() or "=" not in item]


def key_values(items: Sequence[str]) -> dict[str, str]:
    """``["A=1", "B=x=y"]`` → ``{"A": "1", "B": "x=y"}`` (later wins)."""
    out: dict[str, str] = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key.strip()] = value
    return out


@dataclass(frozen=True)
class GalaxyKinds:
    """What a galaxy requirements file installs: Packer looks for top-level keys."""

    roles: bool
    collections: bool

    @classmethod
    def of(cls, path: str | Path) -> GalaxyKinds:
        data = Path(path).read_bytes()
        return cls(bool(_ROLES_RE.search(data)), bool(_COLLECTIONS_RE.search(data)))

    @property
    def install_roles(self) -> bool:
        # a file with neither key is an old-style list of roles
        return self.roles or not self.collections


def galaxy_argvs(
    requirements: str, kinds: GalaxyKinds, *, force: bool = False, force_with_deps: bool = False,
    roles_path: str = "", collections_path: str = "",
) -> list[list[str]]:
    """The ``ansible-galaxy`` argument lists (without the command) for a requirements file."""
    out = []
    if kinds.install_roles:
        args = ["install", "-r", requirements]
        args += ["-f"] if force else []
        args += ["--force-with-deps"] if force_with_deps else []
        args += ["-p", roles_path] if roles_path else []
        out.append(args)
    if kinds.collections:
        args = ["collection", "install", "-r", requirements]
        args += ["-f"] if force else []
        args += ["--force-with-deps"] if force_with_deps else []
        args += ["-p", collections_path] if collections_path else []
        out.append(args)
    return out


def parse_version(output: str) -> tuple[str, int] | None:
    """(version, major) from ``ansible-playbook --version`` output (``... [core 2.17.1]``)."""
    m = _VERSION_RE.search(output)
    if m is None:
        return None
    return m.group(1), int(m.group(1).split(".")[0])


__all__ = ["GalaxyKinds", "check_dir", "check_file", "check_key_values", "galaxy_argvs", "key_values",
           "parse_version"]
