"""Helpers shared by the post-processors: the artifact's main disk, its format,
Go-template rendering of names, progress for long tool runs, atomic replacement."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from builder import run as runmod
from builder.errors import BuildError, CommandError
from builder.hostcheck import guestfs_failure
from builder.plugins import Artifact, ComponentContext

DISK_SUFFIXES = (".qcow2", ".qcow", ".img", ".raw", ".vmdk", ".vdi", ".vhd", ".vhdx", ".qed")
FORMATS = ("qcow2", "raw", "vmdk", "vdi", "vhdx", "vpc", "qed")


def image_info(path: Path) -> dict[str, Any]:
    """``qemu-img info --output=json`` (``-U``: readable even while QEMU holds the lock)."""
    res = runmod.run(["qemu-img", "info", "-U", "--output=json", str(path)])
    info: dict[str, Any] = json.loads(res.stdout)
    return info


def find_disk(artifact: Artifact) -> tuple[Path, str]:
    """The artifact's main disk and its format: ``data["diskPaths"][0]``, else the first
    file with a disk extension, else the first without any extension, else the only
    file; the format comes from ``qemu-img info``."""
    path: Path | None = None
    disk_paths = artifact.data.get("diskPaths") or []
    if disk_paths:
        path = Path(disk_paths[0])
    else:
        files = [Path(f) for f in artifact.files]
        # a disk extension; else no extension at all (Packer's default vm_name "packer-NAME")
        candidates = [f for f in files if f.suffix.lower() in DISK_SUFFIXES]
        candidates = candidates or [f for f in files if not f.suffix] or files[:1] * (len(files) == 1)
        path = candidates[0] if candidates else None
    if path is None:
        names = ", ".join(str(f) for f in artifact.files) or "no files"
        raise BuildError(f"artifact {artifact} has no disk image (files: {names})")
    if not path.is_file():
        raise BuildError(f"disk image {path} of artifact {artifact} does not exist")
    return path, str(image_info(path)["format"])


def with_disk(artifact: Artifact, old: Path, new: Path, fmt: str) -> Artifact:
    """A copy of ``artifact`` whose main disk ``old`` is now ``new`` in format ``fmt``."""
    files = [new if Path(f) == old else Path(f) for f in artifact.files]
    if new not in files:
        files.insert(0, new)
    data = dict(artifact.data)
    paths = [str(new) if p == str(old) else p for p in data.get("diskPaths") or [str(old)]]
    data["diskPaths"] = paths
    data["diskType"] = fmt
    return Artifact(builder_id=artifact.builder_id, id=artifact.id, files=files,
                    description=artifact.description, data=data, directory=artifact.directory)


# --------------------------------------------------------------------------- Go templates


def render(text: str, ctx: ComponentContext, data: Mapping[str, Any] | None = None) -> str:
    """Render a Go-template string (``{{ .BuildName }}``, ``{{ timestamp }}``...) with
    ``BuildName``/``BuilderType`` plus ``data`` as fields; errors become BuildError."""
    if "{{" not in text:
        return text
    from builder.gotemplate import GoTemplateError
    from builder.gotemplate import render as go_render

    values: dict[str, Any] = {"BuildName": ctx.source_name, "BuilderType": ctx.build_type}
    values.update(data or {})
    try:
        return go_render(text, values, user_vars=dict(ctx.variables), build_name=ctx.source_name,
                         build_type=ctx.build_type, template_dir=str(ctx.template_dir))
    except GoTemplateError as e:
        raise BuildError(f"cannot render {text!r}: {e}") from None


# --------------------------------------------------------------------------- progress


@contextlib.contextmanager
def watch_size(path: Path, total: int, say: Callable[[str], None], label: str,
               every: float = 10.0) -> Iterator[None]:
    """Report how much of ``path`` a tool has written so far, every ``every`` seconds."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                done = path.stat().st_size
            except OSError:
                continue
            pct = f" ({100 * done / total:.0f}% of input)" if total else ""
            say(f"{label}: {done / 2**20:.0f} MiB written{pct}")

    t = threading.Thread(target=loop, daemon=True, name=f"watch-{path.name}")
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(2)


def tool_lines(ctx: ComponentContext) -> Callable[[str], None]:
    """A run() line callback showing a tool's output as build messages (blank lines dropped)."""

    def cb(line: str) -> None:
        line = line.rstrip("\r")
        if "\r" in line:  # progress bars redraw with CR: show the last state only
            line = line.rsplit("\r", 1)[-1]
        if line.strip():
            ctx.ui.message(line)

    return cb


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it atomically replaces
    ``target``, on any failure it is removed and ``target`` is untouched."""
    tmp = target.with_name(f".{target.name}.pybuild-tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def qemu_img_convert(
    ctx: ComponentContext,
    src: Path,
    src_format: str,
    dst: Path,
    fmt: str,
    *,
    compress: bool = False,
    compression_type: str = "",
    extra_args: list[str] | None = None,
) -> None:
    """``qemu-img convert`` with progress messages; ``-c`` only for formats that have it."""
    argv = ["qemu-img", "convert", "-f", src_format, "-O", fmt]
    if compress:
        argv.append("-c")
        if compression_type and fmt == "qcow2":
            argv += ["-o", f"compression_type={compression_type}"]
    argv += list(extra_args or [])
    argv += [str(src), str(dst)]
    size = src.stat().st_size
    with watch_size(dst, size, ctx.ui.message, f"qemu-img convert {dst.name}"):
        runmod.run(argv, on_stderr=tool_lines(ctx), cancel=ctx.cancel)


def run_guestfs(ctx: ComponentContext, argv: list[str], tmp_dir: str, timeout: float) -> None:
    """Run a libguestfs tool (virt-sysprep, virt-sparsify, virt-customize): its progress
    (stdout) is shown, its stderr goes to the build log only, and a failure becomes ONE
    line (what failed, the likely cause, the fix, where the full output is) instead of
    libguestfs' boilerplate."""
    err_log = logging.getLogger("pybuild.guestfs")

    def to_log(line: str) -> None:  # the build name routes the line to this build's log
        err_log.info("%s (%s): %s", argv[0], ctx.build_name, line)

    try:
        runmod.run(argv, env=guestfs_env(tmp_dir), on_stdout=tool_lines(ctx), on_stderr=to_log,
                   timeout=timeout, cancel=ctx.cancel)
    except CommandError as e:
        if e.returncode == 127:
            raise
        if e.returncode == -1:  # run()'s timeout
            raise BuildError(f"{argv[0]} {e.hint} (its output is in the build log; raise timeout = ...)") from None
        raise BuildError(guestfs_failure(argv[0], e.stderr_tail, e.returncode,
                                         log_hint="build.log in the failure evidence directory below")
                         ) from None


def guestfs_env(tmp_dir: str = "") -> dict[str, str]:
    env = runmod.libguestfs_env()
    if tmp_dir:
        env["TMPDIR"] = tmp_dir
        env["LIBGUESTFS_TMPDIR"] = tmp_dir
    return env
