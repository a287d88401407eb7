"""Python hooks: site-specific logic without forking pybuild.

A file of hooks (``pybuild_hooks.py`` beside the template, or ``--hooks FILE``) defines
module-level functions named after lifecycle phases; each receives one
:class:`HookContext`. Phases, in order:

=============== ===============================================================
``pre_build``     before the builder starts (no VM yet)
``post_boot``     after the boot command was typed (VM running, ``ctx.vm`` set)
``pre_provision`` SSH is up (``ctx.communicator`` set), before the provisioners
``post_provision`` after the provisioners succeeded
``pre_shutdown``  before the guest is powered off
``post_build``    the builder finished; ``ctx.artifact`` is its artifact
``post_process``  after each post-processor; ``ctx.artifact`` is what it produced
``on_error``      the build failed (``ctx.error`` is the exception); cleanups still run
=============== ===============================================================

A hook that raises fails the build with its message; cleanups still run.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from builder import secrets
from builder.errors import BuildError, PybuildError
from builder.plugins import Artifact, Communicator
from builder.ui import BuildUI

PHASES = (
    "pre_build",
    "post_boot",
    "pre_provision",
    "post_provision",
    "pre_shutdown",
    "post_build",
    "post_process",
    "on_error",
)
HOOKS_FILE = "pybuild_hooks.py"


@dataclass
class VMHandle:
    """The running VM, for hooks: QMP and the serial console log."""

    qmp: Any  # builder.qemu.qmp.QMPClient
    serial_log: Path
    ssh_host_port: int = 0


class HookLogger:
    """Writes to the build's UI and JSON events."""

    def __init__(self, ui: BuildUI, phase: str):
        self._ui = ui
        self._phase = phase

    def info(self, msg: str) -> None:
        self._ui.message(msg)
        self._ui.event("hook_log", phase=self._phase, level="info", message=msg)

    def warning(self, msg: str) -> None:
        self._ui.warn(msg)
        self._ui.event("hook_log", phase=self._phase, level="warning", message=msg)


@dataclass
class HookContext:
    phase: str
    build_name: str
    build_type: str
    output_dir: Path | None
    log: HookLogger
    vm: VMHandle | None = None
    communicator: Communicator | None = None
    artifact: Artifact | None = None
    post_processor: str = ""
    error: BaseException | None = None
    _variables: Mapping[str, Any] = field(default_factory=dict)
    _sensitive: frozenset[str] = frozenset()

    @property
    def variables(self) -> dict[str, Any]:
        """Template variables; sensitive ones masked as ``<sensitive>``."""
        return {k: (secrets.MASK if k in self._sensitive else v) for k, v in self._variables.items()}

    def sensitive_variable(self, name: str) -> Any:
        """The real value of a sensitive variable (explicit opt-in)."""
        return self._variables[name]

    def run(self, command: str) -> tuple[int, str]:
        """Run a command in the guest; returns (exit status, stdout)."""
        if self.communicator is None:
            raise BuildError(f"hook {self.phase}: no communicator at this phase")
        out: list[str] = []
        rc = self.communicator.run(command, on_stdout=out.append, on_stderr=self.log.info)
        return rc, "\n".join(out)


def load_hooks_module(path: Path) -> ModuleType:
    name = f"pybuild_user_hooks_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PybuildError(f"cannot load hooks from {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as e:
        raise PybuildError(f"error loading hooks file {path}: {type(e).__name__}: {e}") from e
    unknown = [
        n for n in vars(mod) if not n.startswith("_") and callable(getattr(mod, n)) and n.startswith(("pre_", "post_", "on_"))
        and n not in PHASES
    ]
    if unknown:
        raise PybuildError(f"hooks file {path}: unknown phase(s) {unknown}; phases are {', '.join(PHASES)}")
    return mod


def find_hooks_file(template_root: Path, explicit: str | None) -> Path | None:
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise PybuildError(f"hooks file {p} does not exist")
        return p
    p = template_root / HOOKS_FILE
    return p if p.is_file() else None


class BuildHooks:
    """The hooks of one build: implements ``builder.plugins.Hooks``."""

    def __init__(
        self,
        module: ModuleType | None,
        *,
        ui: BuildUI,
        build_name: str,
        build_type: str,
        variables: Mapping[str, Any],
        sensitive: frozenset[str],
    ):
        self.module = module
        self.ui = ui
        self.build_name = build_name
        self.build_type = build_type
        self.variables = variables
        self.sensitive = sensitive
        self.output_dir: Path | None = None

    def call(self, phase: str, **kw: Any) -> None:
        if self.module is None:
            return
        fn: Callable[[HookContext], Any] | None = getattr(self.module, phase, None)
        if fn is None:
            return
        state = kw.pop("state", None)
        vm = None
        comm = kw.pop("communicator", None)
        if state is not None:
            self.output_dir = getattr(state, "output_dir", self.output_dir)
            comm = comm or getattr(state, "comm", None)
            if getattr(state, "qmp", None) is not None:
                vm = VMHandle(state.qmp, state.serial_log, getattr(state, "ssh_host_port", 0))
        ctx = HookContext(
            phase=phase,
            build_name=self.build_name,
            build_type=self.build_type,
            output_dir=kw.pop("output_dir", self.output_dir),
            log=HookLogger(self.ui, phase),
            vm=vm,
            communicator=comm,
            artifact=kw.pop("artifact", None),
            post_processor=kw.pop("post_processor", ""),
            error=kw.pop("error", None),
            _variables=self.variables,
            _sensitive=self.sensitive,
        )
        self.ui.event("hook", phase=phase)
        logging.getLogger("pybuild.hooks").debug("calling hook %s for %s", phase, self.build_name)
        try:
            fn(ctx)
        except PybuildError:
            raise
        except Exception as e:
            raise BuildError(f"hook {phase} failed: {type(e).__name__}: {e}", step=f"hook:{phase}") from e
