"""Pieces shared by the shell, shell-local provisioners and the shell-local post-processor:
environment variables the Packer way, ``execute_command`` rendering, inline scripts,
live output to the UI.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from builder.errors import BuildError
from builder.gotemplate import GoTemplateError, render
from builder.plugins import ComponentContext
from builder.ui import BuildUI

DEFAULT_ENV_VAR_FORMAT = "%s='%s' "
ENV_FILE_VAR_FORMAT = "export %s='%s'\n"


def check_env_vars(environment_vars: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Validation errors for ``environment_vars`` (``KEY=value``) and ``env`` keys."""
    errors = []
    for item in environment_vars:
        key, eq, _ = item.partition("=")
        if not eq or not key.strip():
            errors.append(f"environment_vars: Environment variable not in format 'key=value': {item}")
    for key in env:
        if not key.strip() or "=" in key:
            errors.append(f"env: invalid environment variable name {key!r}")
    return errors


def check_scripts(paths: Sequence[str]) -> list[str]:
    """Validation errors for ``script``/``scripts``: like Packer, a path only has to exist
    (packer-maas's default ``scripts = ["/dev/null"]`` is a valid, empty script)."""
    return [f"Bad script '{p}': file not found" for p in paths if not os.path.exists(p)]


def collect_env(
    base: Mapping[str, str], environment_vars: Sequence[str], env: Mapping[str, str]
) -> dict[str, str]:
    """PACKER_* first, then ``environment_vars``, then ``env`` (later wins); sorted by name."""
    merged: dict[str, str] = {}
    merged.update(base)
    for item in environment_vars:
        key, _, value = item.partition("=")
        merged[key.strip()] = value
    merged.update(env)
    return {k: merged[k] for k in sorted(merged)}


def shell_quote_single(value: str) -> str:
    """The inside of a single-quoted shell word: ``'`` becomes ``'"'"'``."""
    return value.replace("'", "'\"'\"'")


def format_env(pairs: Mapping[str, str], fmt: str = DEFAULT_ENV_VAR_FORMAT) -> str:
    """Flatten variables with a Go ``%s`` format taking (name, quoted value)."""
    return "".join(sprintf_ss(fmt, k, shell_quote_single(v)) for k, v in pairs.items())


def sprintf_ss(fmt: str, *args: str) -> str:
    """Go's Sprintf for the ``%s`` and ``%%`` verbs only (what env_var_format uses)."""
    out: list[str] = []
    it = iter(args)
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            verb = fmt[i + 1]
            if verb == "%":
                out.append("%")
                i += 2
                continue
            if verb in "sv":
                out.append(next(it, "%!s(MISSING)"))
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


def render_template(text: str, data: Mapping[str, Any], ctx: ComponentContext | None = None) -> str:
    """Render a Packer Go template (``execute_command``) with ``data`` (``.Path``, ``.Vars``...).

    ``{{ build `Host` }}`` and friends see the provision context's build variables;
    ``{{ user `x` }}`` sees the template's variables. A broken template is a BuildError.
    """
    full: dict[str, Any] = dict(getattr(ctx, "build_vars", None) or {})
    full.update(data)
    try:
        return render(
            text,
            full,
            user_vars=dict(ctx.variables) if ctx else {},
            build_name=ctx.source_name if ctx else "",
            build_type=ctx.build_type if ctx else "",
            template_dir=str(ctx.template_dir) if ctx else "",
        )
    except GoTemplateError as e:
        raise BuildError(f"cannot render {text!r}: {e}") from None


DEFAULT_INLINE_SHEBANG = "/bin/sh -e"


def inline_script(lines: Sequence[str], shebang: str) -> str:
    """An inline script as Packer writes it: shebang line, the commands, final newline.

    ``shebang`` is the ``inline_shebang`` option as the template gives it (``""``: unset).
    Unset, commands that start with their own ``#!`` line are the whole script (Packer >=
    1.13: a script from ``templatefile`` runs with its interpreter); otherwise the default
    ``/bin/sh -e``. A set ``inline_shebang`` always comes first."""
    body = "".join(f"{line}\n" for line in lines)
    if not shebang and body.startswith("#!"):
        return body
    return f"#!{shebang or DEFAULT_INLINE_SHEBANG}\n" + body


def random_script_name() -> str:
    return f"script_{random.randint(0, 9999)}.sh"


def output_callbacks(
    ui: BuildUI, event: str = "provisioner_output"
) -> tuple[Callable[[str], None], Callable[[str], None]]:
    """(on_stdout, on_stderr): each line goes to ``ui.message`` and out as a JSON event."""

    def out(line: str) -> None:
        ui.message(line)
        ui.event(event, line=line, stream="stdout")

    def err(line: str) -> None:
        ui.message(line)
        ui.event(event, line=line, stream="stderr")

    return out, err


def exit_code_error(status: int, valid: Sequence[int]) -> str:
    return f"Script exited with non-zero exit status: {status}. Allowed exit codes are: {list(valid)}"


__all__ = [
    "DEFAULT_ENV_VAR_FORMAT",
    "ENV_FILE_VAR_FORMAT",
    "check_env_vars",
    "collect_env",
    "exit_code_error",
    "format_env",
    "inline_script",
    "output_callbacks",
    "random_script_name",
    "render_template",
    "shell_quote_single",
    "sprintf_ss",
]
