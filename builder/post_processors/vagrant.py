"""``vagrant`` post-processor: turns a QEMU artifact into a Vagrant box for the libvirt
provider, with the option names, defaults and checks of Packer's vagrant plugin.

    post-processor "vagrant" {
      output               = "boxes/{{ .BuildName }}_{{ .Provider }}.box"
      compression_level    = 9
      vagrantfile_template = "Vagrantfile.tpl"   # Go template: .BuildName .Provider ...
      include              = ["info.json"]
      keep_input_artifact  = true
    }

The box is a tar archive (gzip-compressed unless ``compression_level = 0``) holding
``metadata.json``, a ``Vagrantfile`` and the disks as ``box_0.img``, ``box_1.img``...
— the multi-disk layout (vagrant-libvirt's box format 2) that Packer's plugin writes
since 2022::

    {"provider": "libvirt", "disks": [{"path": "box_0.img", "format": "qcow2"}],
     "architecture": "amd64"}

The archive is written in one streaming pass from the disks themselves (no copy into a
staging directory; memory stays flat), to a temporary file renamed into place at the
end, so a failed or cancelled run leaves no partial box.

Which provider a box is for comes from the artifact's builder (``transcend.qemu`` and
pybuild's disk post-processors → libvirt); artifacts whose origin says nothing (e.g.
``artifice``) need ``provider_override``. pybuild only makes libvirt boxes: the other
providers Packer knows are recognised and refused with a clear message.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import platform
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from builder.config import BaseConfig, opt
from builder.errors import BuildError
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import DISK_SUFFIXES, image_info, render, replacing, watch_size

BUILDER_ID = "mitchellh.post-processor.vagrant"
DEFAULT_OUTPUT = "packer_{{ .BuildName }}_{{ .Provider }}_{{ .Architecture }}.box"

# builder id → Vagrant provider (Packer's table, plus pybuild's own disk producers)
PROVIDERS_BY_BUILDER: dict[str, str] = {
    "mitchellh.amazonebs": "aws",
    "mitchellh.amazon.instance": "aws",
    "mitchellh.virtualbox": "virtualbox",
    "mitchellh.vmware": "vmware",
    "mitchellh.vmware-esx": "vmware",
    "vmware.desktop": "vmware",
    "pearkes.digitalocean": "digitalocean",
    "packer.googlecompute": "google",
    "hashicorp.scaleway": "scaleway",
    "packer.parallels": "parallels",
    "MSOpenTech.hyperv": "hyperv",
    "transcend.qemu": "libvirt",
    "ustream.lxc": "lxc",
    "Azure.ResourceManagement.VMImage": "azure",
    "packer.post-processor.docker-import": "docker",
    "packer.post-processor.docker-tag": "docker",
    "packer.post-processor.docker-push": "docker",
    "packer.file": "file",
    # pybuild: artifacts that are QEMU disks
    "pybuild.post-processor.qemu-img-convert": "libvirt",
    "pybuild.mmdebstrap": "libvirt",
}
KNOWN_PROVIDERS = tuple(sorted(set(PROVIDERS_BY_BUILDER.values())))
SUPPORTED_PROVIDERS = ("libvirt",)
ARTIFICE_ID = "packer.post-processor.artifice"

# Python's platform.machine() → the names Go (and so Packer) uses for the host
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "i386",
         "i686": "i386", "armv7l": "arm", "armv6l": "arm", "ppc64le": "ppc64le", "s390x": "s390x",
         "riscv64": "riscv64"}

# QEMU accelerator → libvirt domain type written into the box's Vagrantfile
_DRIVER = {"kvm": "kvm", "tcg": "qemu", "none": "qemu", "hvf": "qemu"}

LIBVIRT_VAGRANTFILE = """
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.driver = "{driver}"
  end
end
"""

BOX_VAGRANTFILE = """
# Written by the vagrant post-processor (pybuild) for the {provider} provider
{provider_part}
# From the template's vagrantfile_template (empty when there is none)
{custom_part}
"""


def host_architecture() -> str:
    machine = platform.machine()
    return _ARCH.get(machine.lower(), machine.lower())


@dataclass(kw_only=True)
class VagrantConfig(BaseConfig):
    output: str = opt(DEFAULT_OUTPUT, help="box file (Go template: .BuildName, .Provider, .ArtifactId, "
                                           ".Architecture)")
    compression_level: int = opt(6, help="gzip level 1-9 (-1: default 6; 0: an uncompressed tar)")
    include: list[str] = opt([], help="extra files put at the top of the box")
    vagrantfile_template: str = opt("", help="Vagrantfile added to the box's (Go template)")
    vagrantfile_template_generated: bool = opt(False, help="vagrantfile_template is made during the build: "
                                                           "do not check that it exists now")
    provider_override: str = opt("", help="provider of the box when the artifact does not say (libvirt)")
    architecture: str = opt("", help="box architecture in metadata.json (default: the host's, e.g. amd64)")

    def __post_init__(self) -> None:
        if not self.architecture:
            self.architecture = host_architecture()
        if self.compression_level == -1:
            self.compression_level = 6

    def validate(self) -> list[str]:
        errs = []
        if not -1 <= self.compression_level <= 9:
            errs.append(f"compression_level: {self.compression_level} is not a gzip level "
                        "(an integer from -1 to 9)")
        if self.vagrantfile_template and not self.vagrantfile_template_generated \
                and not Path(self.vagrantfile_template).is_file():
            errs.append(f"vagrantfile_template: {self.vagrantfile_template} does not exist "
                        "(set vagrantfile_template_generated = true if the build makes it)")
        if self.provider_override:
            if self.provider_override not in KNOWN_PROVIDERS:
                errs.append(f"provider_override: {self.provider_override!r} is not a provider "
                            f"(one of {', '.join(KNOWN_PROVIDERS)})")
            elif self.provider_override not in SUPPORTED_PROVIDERS:
                errs.append(f"provider_override: pybuild makes libvirt boxes only (QEMU disks), "
                            f"not {self.provider_override!r}")
        return errs


@dataclass
class BoxDisk:
    source: Path
    name: str  # box_N.img
    format: str


class Vagrant(PostProcessor[VagrantConfig]):
    Config = VagrantConfig

    # ------------------------------------------------------------------ what goes in the box

    def provider(self, artifact: Artifact) -> str:
        """The provider the box is for (provider_override, else from the artifact's builder)."""
        if self.config.provider_override:
            return self.config.provider_override
        name = PROVIDERS_BY_BUILDER.get(artifact.builder_id)
        if name is None:
            why = ("artifacts of the artifice post-processor say nothing about their provider"
                   if artifact.builder_id == ARTIFICE_ID else "pybuild cannot tell which provider it is for")
            raise BuildError(f"vagrant: cannot make a box of a {artifact.builder_id!r} artifact: {why}; "
                             'set provider_override = "libvirt" for QEMU disk images')
        if name not in SUPPORTED_PROVIDERS:
            raise BuildError(f"vagrant: {artifact.builder_id!r} artifacts make {name} boxes; "
                             "pybuild makes libvirt boxes only (QEMU disks)")
        return name

    def disks(self, artifact: Artifact) -> list[BoxDisk]:
        """The artifact's disks, in order, named ``box_N.img`` with their real format."""
        data = artifact.data
        files = [Path(f) for f in artifact.files]
        if data.get("diskPaths"):
            paths = [Path(p) for p in data["diskPaths"]]
        elif data.get("diskName"):  # Packer's rule: the files named after vm_name (vm_name, vm_name-1...)
            paths = [f for f in files if f.name.startswith(str(data["diskName"]))]
        else:  # no builder state (artifice): the files that look like disk images
            paths = [f for f in files if f.suffix.lower() in DISK_SUFFIXES or not f.suffix]
        if not paths:
            names = ", ".join(str(f) for f in files) or "no files"
            raise BuildError(f"vagrant: artifact {artifact} has no disk image (files: {names})")
        out = []
        for i, p in enumerate(paths):
            if not p.is_file():
                raise BuildError(f"vagrant: disk image {p} of artifact {artifact} does not exist")
            out.append(BoxDisk(p, f"box_{i}.img", str(image_info(p)["format"])))
        return out

    def driver(self, artifact: Artifact) -> str:
        accel = str(artifact.data.get("domainType") or "kvm")
        if accel not in _DRIVER:
            raise BuildError(f"vagrant: unknown libvirt domain type {accel!r} (accelerator kvm, tcg, hvf or none)")
        return _DRIVER[accel]

    def template_data(self, ctx: PostProcessContext, artifact: Artifact, provider: str) -> dict[str, Any]:
        data = {k: v for k, v in artifact.data.items() if isinstance(v, (str, int, float))}
        data.update(ArtifactId=artifact.id, BuildName=ctx.source_name, Provider=provider,
                    Architecture=self.config.architecture)
        return data

    def metadata(self, provider: str, disks: list[BoxDisk]) -> dict[str, Any]:
        return {"provider": provider,
                "disks": [{"path": d.name, "format": d.format} for d in disks],
                "architecture": self.config.architecture}

    def vagrantfile(self, ctx: PostProcessContext, provider: str, driver: str, data: dict[str, Any]) -> str:
        custom = ""
        if self.config.vagrantfile_template:
            tpl = Path(self.config.vagrantfile_template)
            ctx.ui.message(f"Using custom Vagrantfile: {tpl}")
            try:
                custom = render(tpl.read_text(encoding="utf-8"), ctx, data)
            except OSError as e:
                raise BuildError(f"vagrant: cannot read vagrantfile_template {tpl}: {e.strerror}") from None
        return BOX_VAGRANTFILE.format(provider=provider, provider_part=LIBVIRT_VAGRANTFILE.format(driver=driver),
                                      custom_part=custom)

    def includes(self) -> list[Path]:
        out = []
        for inc in self.config.include:
            p = Path(inc)
            if not p.exists():
                raise BuildError(f"vagrant: include file {p} does not exist")
            if not p.is_file():
                raise BuildError(f"vagrant: include {p} is not a file")
            out.append(p)
        return out

    # ------------------------------------------------------------------ the run

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        cfg = self.config
        provider = self.provider(artifact)
        ctx.ui.say(f"Creating Vagrant box for '{provider}' provider")
        disks = self.disks(artifact)
        data = self.template_data(ctx, artifact, provider)
        out = Path(render(cfg.output, ctx, data))
        meta = json.dumps(self.metadata(provider, disks)).encode() + b"\n"
        vagrantfile = self.vagrantfile(ctx, provider, self.driver(artifact), data).encode()

        # name in the box → bytes or a file; an include may replace metadata.json (as in
        # Packer), the Vagrantfile and the disks are always the generated ones
        members: dict[str, bytes | Path] = {"metadata.json": meta}
        generated = {"Vagrantfile", *(d.name for d in disks)}
        for inc in self.includes():
            if inc.name in generated:
                ctx.ui.message(f"Include {inc} is ignored: the box's {inc.name} is generated")
                continue
            ctx.ui.message(f"Copying from include: {inc}")
            members[inc.name] = inc
        members["Vagrantfile"] = vagrantfile
        for d in disks:
            ctx.ui.message(f"Copying from artifact: {d.source}")
            members[d.name] = d.source

        out.parent.mkdir(parents=True, exist_ok=True)
        total = sum(m.stat().st_size for m in members.values() if isinstance(m, Path))
        level = cfg.compression_level
        ctx.ui.message(f"Writing {out} ({'gzip level ' + str(level) if level else 'uncompressed tar'})")
        with replacing(out) as tmp, watch_size(tmp, total, ctx.ui.message, f"vagrant {out.name}"):
            write_box(tmp, members, level, ctx)
        result = Artifact(builder_id=BUILDER_ID, id=provider, files=[out],
                          description=f"'{provider}' provider box: {out}")
        # Packer: the libvirt box does not need its input, so keep_input_artifact decides
        return PostProcessResult(result, keep=False, force_keep=False)


@contextlib.contextmanager
def _box_stream(path: Path, level: int) -> Iterator[IO[bytes]]:
    with open(path, "wb") as raw:
        if level == 0:
            yield raw
            return
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0) as gz:
            yield gz  # type: ignore[misc]


def write_box(path: Path, members: dict[str, bytes | Path], level: int, ctx: PostProcessContext) -> None:
    """Stream ``members`` (name → bytes or file) into a tar at ``path``, gzip at ``level``
    (0: plain tar). Reads and writes in chunks: memory stays flat for any disk size."""
    now = int(time.time())
    with _box_stream(path, level) as stream, \
            tarfile.open(fileobj=stream, mode="w|", format=tarfile.GNU_FORMAT) as tar:
        for name, src in members.items():
            ctx.cancel.check()
            if isinstance(src, bytes):
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(src), 0o644, now
                tar.addfile(info, io.BytesIO(src))
                continue
            ctx.ui.message(f"Compressing: {name}")
            info = tar.gettarinfo(str(src), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(src, "rb") as f:
                tar.addfile(info, cast(IO[bytes], _Cancellable(f, ctx)))


class _Cancellable:
    """A file reader that checks the build's cancel token between chunks (so Ctrl-C stops
    a long compression within a second)."""

    def __init__(self, f: IO[bytes], ctx: PostProcessContext):
        self._f = f
        self._ctx = ctx

    def read(self, size: int = -1) -> bytes:
        self._ctx.cancel.check()
        return self._f.read(size)
