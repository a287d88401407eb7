"""Running commands on the pybuild host: shared by the ``shell-local`` provisioner and the
``shell-local`` post-processor.

Each script (``command`` and ``inline`` are written to a temporary script with
``inline_shebang``) is run as ``execute_command``, a list rendered element by element
with ``.Vars`` (the flattened environment) and ``.Script`` (the script path), through
:func:`builder.run.run`. The variables are also set in the process environment, so an
``execute_command`` without ``{{.Vars}}`` still sees them.
"""

from __future__ import annotations

import platform
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from builder import secrets
from builder.config import BaseConfig, opt
from builder.errors import BuildError, CommandError
from builder.plugins import ComponentContext
from builder.provisioners._common import (
    DEFAULT_ENV_VAR_FORMAT,
    check_env_vars,
    check_scripts,
    collect_env,
    exit_code_error,
    format_env,
    inline_script,
    output_callbacks,
    render_template,
)
from builder.run import run

DEFAULT_EXECUTE_COMMAND = ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
HOST_OS = platform.system().lower()  # "linux", "darwin", "windows": Go's GOOS names


@dataclass(kw_only=True)
class LocalShellConfig(BaseConfig):
    command: str = opt("", help="One command line to run on the host.")
    inline: list[str] = opt([], help="Commands run as one script (with inline_shebang).")
    script: str = opt("", help="A script on the host to run.")
    scripts: list[str] = opt([], help="Scripts on the host to run, in order.")
    env: dict[str, str] = opt({}, help="Variables for the scripts, as a map.")
    environment_vars: list[str] = opt([], help='Variables for the scripts, "KEY=value".')
    env_var_format: str = opt(DEFAULT_ENV_VAR_FORMAT, help="Go format for one variable.")
    execute_command: list[str] = opt(
        DEFAULT_EXECUTE_COMMAND, help="argv that runs a script (.Vars, .Script are available)."
    )
    inline_shebang: str = opt("/bin/sh -e", help="Interpreter line for command/inline.")
    only_on: list[str] = opt([], help='Run only on these host systems ("linux", "darwin", "windows").')
    use_linux_pathing: bool = opt(False, help="Windows hosts only; accepted and ignored.")
    valid_exit_codes: list[int] = opt([0], help="Exit codes that count as success.")

    def validate(self) -> list[str]:
        errors = super().validate()
        given = sum(1 for x in (self.command, self.inline, self.script, self.scripts) if x)
        if given == 0:
            errors.append("Command, Inline, Script and Scripts options cannot all be empty.")
        elif given > 1:
            errors.append("Only one of command, inline, script or scripts can be specified.")
        errors.extend(check_scripts(self.script_paths()))
        if not self.execute_command:
            errors.append("execute_command: must not be empty")
        errors.extend(check_env_vars(self.environment_vars, self.env))
        return errors

    def script_paths(self) -> list[str]:
        return [self.script] if self.script else list(self.scripts)

    def inline_lines(self) -> list[str]:
        return [self.command] if self.command else list(self.inline)


def _flat_vars(pairs: Mapping[str, str], fmt: str) -> str:
    """``{{.Vars}}`` for a local command line. The variables are in the child's
    environment anyway, so a variable holding a secret is left out of the command line
    (with the default shell format it is written as a reference to itself,
    ``KEY="${KEY}"``): the secret never appears in ``ps`` output."""
    out = []
    for k, v in pairs.items():
        if secrets.mask(v) == v:
            out.append(format_env({k: v}, fmt))
        elif fmt == DEFAULT_ENV_VAR_FORMAT:
            out.append(f'{k}="${{{k}}}" ')
    return "".join(out)


def run_local(
    cfg: LocalShellConfig,
    ctx: ComponentContext,
    *,
    base_env: Mapping[str, str],
    event: str = "provisioner_output",
    kind: str = "shell-local",
) -> bool:
    """Run the configured scripts on the host; False when skipped by ``only_on``."""
    if cfg.only_on and HOST_OS not in [o.lower() for o in cfg.only_on]:
        ctx.ui.say(f"Skipping {kind}: only_on = {cfg.only_on} does not include this host ({HOST_OS}).")
        return False
    pairs = collect_env(base_env, cfg.environment_vars, cfg.env)
    flat = _flat_vars(pairs, cfg.env_var_format)
    on_out, on_err = output_callbacks(ctx.ui, event)
    with tempfile.TemporaryDirectory(prefix="pybuild-shell-local-") as tmp:
        scripts: list[tuple[str, str]] = []  # (path to run, what to show)
        lines = cfg.inline_lines()
        if lines:
            inline_path = Path(tmp, "script.sh")
            inline_path.write_text(inline_script(lines, cfg.inline_shebang))
            inline_path.chmod(0o700)
            scripts.append((str(inline_path), "<inline>"))
        scripts.extend((p, p) for p in cfg.script_paths())
        for path, shown in scripts:
            ctx.cancel.check()
            ctx.ui.say(f"Running local shell script: {shown}")
            data = {"Vars": flat, "Script": path, "Command": path}
            argv = [render_template(part, data, ctx) for part in cfg.execute_command]
            try:
                res = run(argv, env=pairs, check=False, on_stdout=on_out, on_stderr=on_err,
                          cancel=ctx.cancel)
            except CommandError as e:  # not startable (exit 127)
                raise BuildError(f"{kind}: {e}") from None
            if res.returncode not in cfg.valid_exit_codes:
                raise BuildError(f"{kind}: {exit_code_error(res.returncode, cfg.valid_exit_codes)}")
    return True


__all__ = ["DEFAULT_EXECUTE_COMMAND", "LocalShellConfig", "run_local"]
