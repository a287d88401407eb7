"""The component registry and the plugin API.

Builders, provisioners, post-processors and data sources are *components*: a class
with a ``Config`` dataclass (see :mod:`builder.config`) and one method. Built-ins are
listed in :data:`BUILTINS`; third-party packages add more through the entry-point groups
``pybuild.builders``, ``pybuild.provisioners``, ``pybuild.post_processors`` and
``pybuild.data_sources`` (entry point name = the type used in templates, value =
``module:Class``).

Plugin API (stable, typed):

- :class:`Builder` — ``run(ctx: BuildContext) -> Artifact | None``
- :class:`Provisioner` — ``provision(ctx: ProvisionContext) -> None``
- :class:`PostProcessor` — ``post_process(ctx: PostProcessContext, artifact) -> PostProcessResult``
- :class:`DataSource` — ``execute(ctx: DataSourceContext) -> dict`` (its ``outputs`` named up front)
- :class:`Artifact` — what a builder or post-processor produces
- ``Component.host_requirements(config)`` — what the component needs on the build host
  (tools, files, kernel, firmware...: :mod:`builder.hostcheck`), checked before a build
- :func:`builder.run.run` — the subprocess helper; ``ctx.ui`` — the build's UI
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from builder.cancel import TOKEN, CancelToken
from builder.config import BaseConfig, did_you_mean
from builder.errors import ConfigError, Diagnostic, Location
from builder.ui import BuildUI

if TYPE_CHECKING:
    from builder.hostcheck import Requirement

KINDS = ("builder", "provisioner", "post-processor", "data-source")
GROUPS = {
    "builder": "pybuild.builders",
    "provisioner": "pybuild.provisioners",
    "post-processor": "pybuild.post_processors",
    "data-source": "pybuild.data_sources",
}

# type name -> "module:Class", imported on first use so start-up stays fast
BUILTINS: dict[str, dict[str, str]] = {
    "builder": {
        "null": "builder.builders.null:NullBuilder",
        "qemu": "builder.builders.qemu:QemuBuilder",
    },
    "provisioner": {
        "shell": "builder.provisioners.shell:ShellProvisioner",
        "file": "builder.provisioners.file:FileProvisioner",
        "shell-local": "builder.provisioners.shell_local:ShellLocalProvisioner",
        "breakpoint": "builder.provisioners.breakpoint:BreakpointProvisioner",
        "guest-sysprep": "builder.provisioners.guest_sysprep:GuestSysprepProvisioner",
        "ansible": "builder.provisioners.ansible.remote:AnsibleProvisioner",
        "ansible-local": "builder.provisioners.ansible.local:AnsibleLocalProvisioner",
        "sleep": "builder.provisioners.sleep:SleepProvisioner",
    },
    "post-processor": {
        "virt-sysprep": "builder.post_processors.virt_sysprep:VirtSysprep",
        "virt-sparsify": "builder.post_processors.virt_sparsify:VirtSparsify",
        "virt-customize": "builder.post_processors.virt_customize:VirtCustomize",
        "qemu-img-convert": "builder.post_processors.qemu_img:QemuImgConvert",
        "checksum": "builder.post_processors.checksum:Checksum",
        "manifest": "builder.post_processors.manifest:Manifest",
        "shell-local": "builder.post_processors.shell_local:ShellLocalPostProcessor",
        "glance": "builder.post_processors.glance:GlanceUpload",
        "verify": "builder.post_processors.verify:VerifyPostProcessor",
        "vagrant": "builder.post_processors.vagrant:Vagrant",
        "compress": "builder.post_processors.compress:Compress",
        "artifice": "builder.post_processors.artifice:Artifice",
    },
    "data-source": {
        "http": "builder.data_sources.http:HttpDataSource",
        "null": "builder.data_sources.null:NullDataSource",
        "host-info": "builder.data_sources.host_info:HostInfoDataSource",
    },
}


# Packer components that only make sense for Windows guests: each gets one clear error
WINDOWS_ONLY: dict[str, tuple[str, ...]] = {
    "provisioner": ("powershell", "windows-restart", "windows-update", "windows-shell"),
    "communicator": ("winrm",),
}
SKIP_HINT = "To build the rest of this template, skip the block with -except=NAME (its name or type)."
WINDOWS_DETAIL = ("Windows guests are not supported yet: pybuild reaches guests over SSH (communicator "
                  f'"ssh" or "none"). {SKIP_HINT}')


def unknown_component(kind: str, name: str, where: Location | None) -> Diagnostic:
    """The one error for a component type pybuild does not have (Windows ones say so)."""
    if name in WINDOWS_ONLY.get(kind, ()):
        return Diagnostic(f'{kind} "{name}" is for Windows guests', WINDOWS_DETAIL, where)
    known = REGISTRY.names(kind)
    hint = f" {SKIP_HINT}" if kind in ("provisioner", "post-processor") else ""
    return Diagnostic(
        f'Unknown {kind} type "{name}"',
        f"{did_you_mean(name, known).strip()} Known {kind}s: {', '.join(known)}.{hint}".strip(),
        where,
    )


# --------------------------------------------------------------------------- artifacts


@dataclass
class Artifact:
    """Files (or a remote object) produced by a builder or post-processor."""

    builder_id: str
    id: str
    files: list[Path] = field(default_factory=list)
    description: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # what Destroy() removes: a directory (builder output) or just the files
    directory: Path | None = None

    def __str__(self) -> str:
        return self.description or f"{self.builder_id}: {self.id}"

    def destroy(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            return
        for f in self.files:
            try:
                f.unlink()
            except FileNotFoundError:
                pass


# --------------------------------------------------------------------------- communicator


class Communicator(Protocol):
    """How provisioners reach a running machine (SSH, or none)."""

    def run(
        self,
        command: str,
        *,
        on_stdout: Callable[[str], None] | None = None,
        on_stderr: Callable[[str], None] | None = None,
        timeout: float | None = None,
    ) -> int: ...

    def upload(self, source: Path | bytes, remote_path: str, mode: int = 0o644) -> None: ...

    def upload_dir(self, local_dir: Path, remote_dir: str) -> None: ...

    def download(self, remote_path: str, local_path: Path) -> None: ...

    def download_dir(self, remote_dir: str, local_dir: Path) -> None: ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------- contexts


@dataclass
class ComponentContext:
    """What every component gets: its build's identity, UI, cancellation and variables."""

    build_name: str  # e.g. "qemu.debian" (with a build-block prefix when named)
    build_type: str  # builder type, e.g. "qemu"
    ui: BuildUI
    template_dir: Path
    variables: Mapping[str, Any] = field(default_factory=dict)
    cancel: CancelToken = TOKEN
    force: bool = False
    debug: bool = False

    def env(self) -> dict[str, str]:
        return {"PACKER_BUILD_NAME": self.source_name, "PACKER_BUILDER_TYPE": self.build_type,
                "PYBUILD_BUILD_NAME": self.build_name}

    @property
    def source_name(self) -> str:
        return self.build_name.rsplit(".", 1)[-1]


@dataclass
class ProvisionContext(ComponentContext):
    communicator: Communicator | None = None
    http_addr: str = ""  # "ip:port" of pybuild's HTTP server as seen by the guest
    output_dir: Path | None = None
    # HCL2 `build.*` values (Host, Port, User, SSHPublicKey, PackerHTTPAddr, ...)
    build_vars: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        e = super().env()
        if self.http_addr:
            e["PACKER_HTTP_ADDR"] = self.http_addr
        return e


@dataclass
class PostProcessContext(ComponentContext):
    pass


@dataclass
class PostProcessResult:
    artifact: Artifact
    keep: bool = False  # keep the input artifact (unless the user said otherwise)
    force_keep: bool = False  # keep the input whatever keep_input_artifact says


class Hooks(Protocol):
    def call(self, phase: str, **kwargs: Any) -> None: ...


@dataclass
class BuildContext(ComponentContext):
    """Given to ``Builder.run``. ``provision`` runs the template's provisioners."""

    source_name_full: str = ""  # "qemu.debian"
    on_error: str = "cleanup"  # cleanup | abort | ask | run-cleanup-provisioner
    # -on-error=ask: (step, error) -> "cleanup" | "abort" | "retry"
    ask: Callable[[str, str], str] | None = None
    provision: Callable[[ProvisionContext], None] | None = None
    hooks: Hooks | None = None
    output_dir_default: str = ""
    # copy a file (serial log, screenshot, provisioner output) into the build's
    # failure-evidence staging area; kept only if the build fails
    save_evidence: Callable[[Path], None] | None = None

    def step_question(self) -> Callable[[str, str], str] | None:
        """For :func:`builder.steps.run_steps`: -on-error=ask's question after a failed step;
        answering "abort" makes this build keep its output, as -on-error=abort does."""
        question = self.ask
        if self.on_error != "ask" or question is None:
            return None

        def ask(step: str, error: str) -> str:
            answer = question(step, error)
            if answer == "abort":
                self.on_error = "abort"
            return answer

        return ask

    @property
    def keeps_output(self) -> bool:
        """-on-error=abort and run-cleanup-provisioner leave a failed build's output for inspection."""
        return self.on_error in ("abort", "run-cleanup-provisioner")

    def evidence(self, path: Path) -> None:
        if self.save_evidence is not None and path.exists():
            try:
                self.save_evidence(path)
            except OSError:
                pass

    def hook(self, phase: str, **kwargs: Any) -> None:
        if self.hooks is not None:
            self.hooks.call(phase, **kwargs)

    def provision_context(self, **kwargs: Any) -> ProvisionContext:
        """A ProvisionContext for this build; ``kwargs`` set the provisioning-only fields
        (communicator, http_addr, output_dir, build_vars)."""
        return ProvisionContext(
            build_name=self.build_name, build_type=self.build_type, ui=self.ui, template_dir=self.template_dir,
            variables=self.variables, cancel=self.cancel, force=self.force, debug=self.debug, **kwargs,
        )


# --------------------------------------------------------------------------- components

C = TypeVar("C", bound=BaseConfig)


class Component(Generic[C]):
    """Base of all components. ``Config`` is the component's settings table."""

    Config: ClassVar[type[BaseConfig]] = BaseConfig
    kind: ClassVar[str] = ""
    type_name: str = ""
    # keys the template engine passes that the component does not declare itself
    common_keys: ClassVar[tuple[str, ...]] = ()
    # options whose Go templates ({{ }}) the component renders itself, later, with its
    # runtime data; every other string option is rendered when the component is prepared
    late_templates: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: C):
        self.config: C = config

    def check(self, template_dir: Path) -> list[str]:
        """Checks of the configuration against the template's directory (the files it names
        exist), as ``"option: message"`` like :meth:`BaseConfig.validate`. ``pybuild validate``
        and ``pybuild build`` run them with every other configuration check, before any VM."""
        return []

    @classmethod
    def host_requirements(cls, config: C | None) -> list[Requirement]:
        """What this component needs on the build host with ``config`` (tools, files, a
        kernel for libguestfs...; see :mod:`builder.hostcheck`). ``None``: everything it
        can need whatever the configuration (``pybuild doctor`` without a template)."""
        return []


class Builder(Component[C]):
    kind = "builder"
    builder_id: ClassVar[str] = ""

    def run(self, ctx: BuildContext) -> Artifact | None:
        raise NotImplementedError


class Provisioner(Component[C]):
    kind = "provisioner"

    def provision(self, ctx: ProvisionContext) -> None:
        raise NotImplementedError


class PostProcessor(Component[C]):
    kind = "post-processor"

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        raise NotImplementedError

    def fuse_next(self, nxt: PostProcessor[Any]) -> bool:
        """Offered the post-processor that comes right after this one in the same chain
        (before either runs): take over part of its work so the two share one tool run,
        adjust both, and return True; the default shares nothing."""
        return False


@dataclass
class DataSourceContext:
    """What a data source gets when it runs (before any build starts)."""

    template_dir: Path
    cancel: CancelToken = TOKEN


class DataSource(Component[C]):
    """A ``data "TYPE" "NAME"`` block: runs once when the template loads, its result is
    ``data.TYPE.NAME``. ``outputs`` names every attribute of that result up front, so
    ``validate`` (which does not run data sources) can check references to them."""

    kind = "data-source"
    outputs: ClassVar[tuple[str, ...]] = ()

    def execute(self, ctx: DataSourceContext) -> dict[str, Any]:
        raise NotImplementedError


# --------------------------------------------------------------------------- registry


@dataclass
class ComponentInfo:
    kind: str
    type: str
    target: str  # "module:Class"
    origin: str  # "builtin" or "<distribution> <version>"


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, dict[str, ComponentInfo]] = {k: {} for k in KINDS}
        self._loaded: dict[tuple[str, str], type[Component[Any]]] = {}
        self._scanned = False

    def _scan(self) -> None:
        if self._scanned:
            return
        self._scanned = True
        for kind, table in BUILTINS.items():
            for name, target in table.items():
                self._entries[kind][name] = ComponentInfo(kind, name, target, "builtin")
        for kind, group in GROUPS.items():
            for ep in metadata.entry_points(group=group):
                dist = ep.dist
                origin = f"{dist.name} {dist.version}" if dist else "entry point"
                self._entries[kind][ep.name] = ComponentInfo(kind, ep.name, ep.value, origin)

    def register(self, kind: str, name: str, cls: type[Component[Any]], origin: str = "python") -> None:
        self._scan()
        target = f"{cls.__module__}:{cls.__qualname__}"
        self._entries[kind][name] = ComponentInfo(kind, name, target, origin)
        self._loaded[(kind, name)] = cls

    def names(self, kind: str) -> list[str]:
        self._scan()
        return sorted(self._entries[kind])

    def infos(self) -> Iterator[ComponentInfo]:
        self._scan()
        for kind in KINDS:
            yield from (self._entries[kind][n] for n in sorted(self._entries[kind]))

    def get(self, kind: str, name: str, where: Location | None = None) -> type[Component[Any]]:
        self._scan()
        key = (kind, name)
        if key in self._loaded:
            return self._loaded[key]
        info = self._entries[kind].get(name)
        if info is None:
            raise ConfigError([unknown_component(kind, name, where)])
        mod_name, _, cls_name = info.target.partition(":")
        try:
            obj: Any = importlib.import_module(mod_name)
            for part in cls_name.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as e:
            raise ConfigError(
                [Diagnostic(f'Cannot load {kind} "{name}" from {info.target}', str(e), where)]
            ) from e
        obj.type_name = name
        self._loaded[key] = obj
        return obj  # type: ignore[no-any-return]


REGISTRY = Registry()
