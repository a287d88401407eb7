"""The ``file`` provisioner: copy files and directories to or from the machine.

Directory rules (Packer's):

- upload ``source = "dir"`` (no trailing slash) to ``destination = "/tmp"``: the directory
  itself is copied, giving ``/tmp/dir/...``;
- upload ``source = "dir/"`` (trailing slash): its *contents* go into ``/tmp``;
- a file uploaded to a ``destination`` ending in ``/`` keeps its name inside that
  directory; otherwise ``destination`` is the file's new path;
- download mirrors upload: a remote ``dir/`` puts its contents into the local
  ``destination``; a remote ``dir`` (no slash) becomes ``destination/dir``; a file
  downloaded to a ``destination`` ending in ``/`` keeps its name there. Local parent
  directories are created.
- ``content`` uploads a string as the file ``destination``.
- ``generated = true``: the local sources are made during the build, so they are
  checked when the provisioner runs, not at validation.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from builder.communicator.none import NoneCommunicator
from builder.config import BaseConfig, opt
from builder.errors import BuildError, CommunicatorError
from builder.plugins import Communicator, ProvisionContext, Provisioner


@dataclass(kw_only=True)
class FileConfig(BaseConfig):
    source: str = opt("", help="A file or directory to copy (local for upload, remote for download).")
    sources: list[str] = opt([], help="Several sources; destination must then end with /.")
    content: str = opt("", help="Text to upload as the file destination.")
    destination: str = opt(help="Where to copy to (remote for upload, local for download).", required=True)
    direction: str = opt("upload", choices=("upload", "download"), help='"upload" or "download".')
    generated: bool = opt(False, help="Sources are created during the build: check them at run time.")

    def all_sources(self) -> list[str]:
        """``sources`` then ``source``: Packer accepts both and appends ``source``."""
        return list(self.sources) + ([self.source] if self.source else [])

    def validate(self) -> list[str]:
        errors = super().validate()
        if not (self.all_sources() or self.content):
            errors.append("source: one of source, sources or content must be specified")
        elif self.all_sources() and self.content:
            errors.append("content: source(s) conflicts with content")
        if self.content and self.direction == "download":
            errors.append('content: cannot be used with direction = "download"')
        if not self.destination:
            errors.append("destination: Destination must be specified.")
        if len(self.all_sources()) > 1 and not self.destination.endswith("/"):
            errors.append("destination: must be a directory (end with /) when several sources are given")
        if self.direction == "upload" and not self.generated:
            for src in self.all_sources():
                if not os.path.exists(src):
                    errors.append(f"source: Bad source '{src}': file or directory not found")
        return errors


class FileProvisioner(Provisioner[FileConfig]):
    Config = FileConfig

    def provision(self, ctx: ProvisionContext) -> None:
        c = self.config
        comm = ctx.communicator
        if comm is None or isinstance(comm, NoneCommunicator):
            raise BuildError('the file provisioner needs a communicator (communicator = "none" is set)')
        try:
            if c.content:
                ctx.ui.say(f"Uploading content to {c.destination}")
                comm.upload(c.content.encode(), c.destination, 0o644)
                return
            for src in c.all_sources():
                if c.direction == "download":
                    self._download(ctx, comm, src, c.destination)
                else:
                    self._upload(ctx, comm, src, c.destination)
        except CommunicatorError as e:
            raise BuildError(f"file provisioner: {e}") from None

    @staticmethod
    def _upload(ctx: ProvisionContext, comm: Communicator, src: str, dst: str) -> None:
        local = Path(src)
        if not local.exists():
            raise BuildError(f"file provisioner: source not found: {src}")
        if local.is_dir():
            target = dst if src.endswith("/") else posixpath.join(dst, local.name)
            ctx.ui.say(f"Uploading {src} => {target}")
            comm.upload_dir(local, target)
            return
        target = posixpath.join(dst, local.name) if dst.endswith("/") else dst
        ctx.ui.say(f"Uploading {src} => {target}")
        comm.upload(local, target, local.stat().st_mode & 0o7777)

    @staticmethod
    def _download(ctx: ProvisionContext, comm: Communicator, src: str, dst: str) -> None:
        probe = getattr(comm, "is_dir", None)
        if src.endswith("/"):
            ctx.ui.say(f"Downloading {src} => {dst}")
            comm.download_dir(src, Path(dst))
            return
        if callable(probe) and probe(src):
            target = Path(dst, posixpath.basename(src))
            ctx.ui.say(f"Downloading {src} => {target}")
            comm.download_dir(src, target)
            return
        target = Path(dst, posixpath.basename(src)) if dst.endswith("/") else Path(dst)
        target.parent.mkdir(parents=True, exist_ok=True)
        ctx.ui.say(f"Downloading {src} => {target}")
        comm.download(src, target)


__all__ = ["FileConfig", "FileProvisioner"]
