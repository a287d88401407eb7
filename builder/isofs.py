"""Extra CD and floppy images: ``cd_files``/``cd_content``/``cd_label`` and ``floppy_*``.

The classic use is a cloud-init NoCloud seed (``cd_label = "cidata"`` with
``user-data`` and ``meta-data``) or a kickstart on ``OEMDRV``.

Placement follows Packer: a file goes to the image root under its base name; a
directory ``dir`` keeps its tree under ``dir/`` (``dir/`` with a trailing slash puts
its contents at the root); globs are expanded; symlinks are followed. ``*_content``
entries (path → text) are written last and win over files at the same path.

Images are made with ``xorriso -as mkisofs -J -r`` and ``mkfs.fat`` + ``mcopy``
(Debian packages ``xorriso``, ``dosfstools``, ``mtools``), through
:func:`builder.run.run`, and are left mode 0600: seeds often hold passwords.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.config import BaseConfig, opt
from builder.errors import BuildError
from builder.run import run

FLOPPY_KB = 1440
DEFAULT_FLOPPY_LABEL = "packer"
_GLOB_CHARS = set("*?[")


@dataclass(kw_only=True)
class CDConfig(BaseConfig):
    """Packer's extra-CD options (a mixin)."""

    cd_files: list[str] = opt(
        [],
        help="Files, directories or globs put on an extra CD "
        "(files at its root, directories keep their tree).",
    )
    cd_content: dict[str, str] = opt(
        {}, help="Path → content written onto the extra CD (wins over cd_files)."
    )
    cd_label: str = opt("", help='Volume label of the extra CD, e.g. "cidata" for a cloud-init seed.')

    def validate(self) -> list[str]:
        errs = super().validate()
        errs += _check_content("cd_content", self.cd_content)
        errs += _check_paths("cd_files", self.cd_files)
        if len(self.cd_label) > 32:
            errs.append(f"cd_label: at most 32 characters, got {len(self.cd_label)}")
        return errs


@dataclass(kw_only=True)
class FloppyConfig(BaseConfig):
    """Packer's floppy options (a mixin)."""

    floppy_files: list[str] = opt([], help="Files or globs put at the root of a 1.44 MB floppy.")
    floppy_dirs: list[str] = opt(
        [], help="Directories copied recursively onto the floppy, keeping their tree."
    )
    floppy_content: dict[str, str] = opt({}, help="Path → content written onto the floppy (wins over files).")
    floppy_label: str = opt("", help='Volume label of the floppy (default "packer"), e.g. "OEMDRV".')

    def validate(self) -> list[str]:
        errs = super().validate()
        errs += _check_content("floppy_content", self.floppy_content)
        errs += _check_paths("floppy_files", self.floppy_files)
        errs += _check_paths("floppy_dirs", self.floppy_dirs)
        if len(self.floppy_label) > 11:
            errs.append(f"floppy_label: a FAT label has at most 11 characters, got {len(self.floppy_label)}")
        return errs


def _check_content(field: str, content: Mapping[str, str]) -> list[str]:
    errs = []
    for key in content:
        try:
            _clean_rel(key)
        except BuildError as e:
            errs.append(f"{field}: {e}")
    return errs


def _check_paths(field: str, patterns: list[str]) -> list[str]:
    """Files and globs that name nothing (relative to the working directory, as at build
    time): an error at validate, not after the ISO download."""
    errs = []
    for pattern in patterns:
        try:
            _expand(pattern, Path.cwd())
        except BuildError as e:
            errs.append(f"{field}: {e}")
    return errs


def _clean_rel(path: str) -> PurePosixPath:
    """A content key as a relative path inside the image; no ``..``, no NUL."""
    if "\x00" in path:
        raise BuildError(f"invalid path {path!r}: NUL character")
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        raise BuildError(f"invalid path {path!r}: empty")
    if ".." in parts:
        raise BuildError(f"invalid path {path!r}: '..' is not allowed")
    return PurePosixPath(*parts)


def _expand(pattern: str, base_dir: Path) -> list[str]:
    full = pattern if os.path.isabs(pattern) else str(base_dir / pattern)
    if _GLOB_CHARS & set(pattern):
        matches = sorted(glob.glob(full, recursive=True))
        if not matches:
            raise BuildError(f"no files match {pattern!r}")
        return matches
    if not os.path.exists(full):
        raise BuildError(f"file not found: {pattern}")
    return [full]


def _copy_file(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)  # follows symlinks


def _stage(
    stage: Path,
    *,
    files: Sequence[str],
    dirs: Sequence[str],
    content: Mapping[str, str],
    base_dir: Path,
) -> None:
    """Lay out the image tree in ``stage`` (see the module docstring for the rules)."""
    for pattern in files:
        for match in _expand(pattern, base_dir):
            src = Path(match)
            if src.is_dir():
                _copy_tree(src, stage if match.endswith("/") or pattern.endswith("/") else stage / src.name)
            else:
                _copy_file(src, stage / src.name)
    for d in dirs:
        for match in _expand(d, base_dir):
            src = Path(match)
            if not src.is_dir():
                raise BuildError(f"not a directory: {d}")
            _copy_tree(src, stage if d.endswith("/") else stage / src.name)
    for key, text in content.items():
        dest = stage / _clean_rel(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_dir():
            shutil.rmtree(dest)
        dest.write_text(text, encoding="utf-8")


def _copy_tree(src: Path, dest: Path) -> None:
    # symlinks=False copies what links point at, as Packer does
    shutil.copytree(src, dest, symlinks=False, dirs_exist_ok=True, copy_function=shutil.copyfile)


def _private(out: Path) -> None:
    os.chmod(out, stat.S_IRUSR | stat.S_IWUSR)


@contextmanager
def _staged_image(
    out: Path,
    kind: str,
    *,
    files: Sequence[str],
    dirs: Sequence[str],
    content: Mapping[str, str] | None,
    base_dir: Path | None,
) -> Iterator[Path]:
    """Stage the image's tree in a private directory beside ``out`` and yield it; the block
    writes ``out`` from it. ``out`` ends private (0600), or is removed if the block fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{kind}-", dir=out.parent) as tmp:
        stage = Path(tmp) / "root"
        stage.mkdir(mode=0o700)
        _stage(stage, files=files, dirs=dirs, content=content or {}, base_dir=base_dir or Path.cwd())
        out.unlink(missing_ok=True)  # a fresh file (mkfs.fat -C refuses an existing one)
        try:
            yield stage
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    _private(out)


def make_iso(
    out: Path,
    *,
    files: Sequence[str] = (),
    content: Mapping[str, str] | None = None,
    label: str = "",
    base_dir: Path | None = None,
) -> Path:
    """Make an ISO 9660 image (Joliet + Rock Ridge) at ``out``; returns ``out``."""
    out = Path(out)
    with _staged_image(out, "cd", files=files, dirs=(), content=content, base_dir=base_dir) as stage:
        argv = ["xorriso", "-as", "mkisofs", "-quiet", "-o", str(out), "-J", "-joliet-long", "-r"]
        if label:
            argv += ["-V", label]
        argv.append(str(stage))
        # create the output private before xorriso writes into it
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        run(argv, hint="install xorriso (apt-get install xorriso)")
    return out


def make_floppy(
    out: Path,
    *,
    files: Sequence[str] = (),
    dirs: Sequence[str] = (),
    content: Mapping[str, str] | None = None,
    label: str = "",
    base_dir: Path | None = None,
) -> Path:
    """Make a 1.44 MB FAT12 floppy image at ``out``; returns ``out``."""
    out = Path(out)
    with _staged_image(out, "floppy", files=files, dirs=dirs, content=content, base_dir=base_dir) as stage:
        fat_label = (label or DEFAULT_FLOPPY_LABEL).upper()
        run(
            ["mkfs.fat", "-C", "-F", "12", "-n", fat_label, str(out), str(FLOPPY_KB)],
            hint="install dosfstools (apt-get install dosfstools)",
        )
        _private(out)  # before any file lands on it
        entries = sorted(stage.iterdir())
        if entries:
            run(
                ["mcopy", "-s", "-o", "-i", str(out), *[str(e) for e in entries], "::/"],
                env={"MTOOLS_SKIP_CHECK": "1"},
                hint="install mtools (apt-get install mtools); a floppy holds at most 1.44 MB",
            )
    return out


__all__ = ["CDConfig", "FloppyConfig", "make_floppy", "make_iso"]
