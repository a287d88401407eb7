"""The ``shell`` provisioner: upload scripts to the machine and run them over the communicator.

For each script (``inline`` is written to one script with ``inline_shebang``):
upload to ``remote_path`` (mode 0755), run ``execute_command`` rendered with
``.Path``, ``.Vars`` (the flattened environment) and ``.EnvVarFile``, stream the output,
check the exit status against ``valid_exit_codes``, remove the script unless
``skip_clean``. Uploading and starting are retried for ``start_retry_timeout`` (the
machine may be rebooting after an earlier ``expect_disconnect`` script).
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.communicator.none import NoneCommunicator
from builder.config import BaseConfig, Duration, opt
from builder.errors import BuildError, CommunicatorError
from builder.plugins import Communicator, ProvisionContext, Provisioner
from builder.provisioners._common import (
    DEFAULT_ENV_VAR_FORMAT,
    ENV_FILE_VAR_FORMAT,
    check_env_vars,
    check_scripts,
    collect_env,
    exit_code_error,
    format_env,
    inline_script,
    output_callbacks,
    random_script_name,
    render_template,
)

DEFAULT_EXECUTE_COMMAND = "chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}"
ENV_FILE_EXECUTE_COMMAND = "chmod +x {{ .Path }}; . {{ .EnvVarFile }} && {{ .Path }}"
# the exit status Packer reports for a dropped connection; listing it in valid_exit_codes
# has the same effect as expect_disconnect
DISCONNECTED_STATUS = 2300218


@dataclass(kw_only=True)
class ShellConfig(BaseConfig):
    inline: list[str] = opt([], help="Commands run as one script (with inline_shebang).")
    script: str = opt("", help="A local script to upload and run.")
    scripts: list[str] = opt([], help="Local scripts to upload and run, in order.")
    inline_shebang: str = opt("", help='Interpreter line for inline commands (unset: "/bin/sh -e", or the '
                              "commands' own #! line when they start with one).")
    environment_vars: list[str] = opt([], help='Variables for the scripts, "KEY=value".')
    env: dict[str, str] = opt({}, help="Variables for the scripts, as a map.")
    env_var_format: str = opt("", help="Go format for one variable (default \"%s='%s' \").")
    use_env_var_file: bool = opt(False, help="Pass variables in an uploaded file (.EnvVarFile).")
    execute_command: str = opt(
        "", help=f"Command that runs a script (default {DEFAULT_EXECUTE_COMMAND!r})."
    )
    remote_folder: str = opt("/tmp", help="Directory on the machine for uploaded scripts.")
    remote_file: str = opt("", help="File name of uploaded scripts (default script_<n>.sh).")
    remote_path: str = opt("", help="Full remote path; overrides remote_folder/remote_file.")
    skip_clean: bool = opt(False, help="Leave the uploaded script on the machine.")
    expect_disconnect: bool = opt(False, help="A dropped connection (reboot) is not an error.")
    valid_exit_codes: list[int] = opt([0], help="Exit codes that count as success.")
    start_retry_timeout: Duration = opt(Duration(300), help="Keep retrying upload/start this long.")
    pause_after: Duration = opt(Duration(0), help="Wait this long after the scripts ran.")
    binary: bool = opt(False, help="Upload scripts as they are (no CRLF to LF conversion).")
    _default_file: str = field(default="", init=False, repr=False)

    def validate(self) -> list[str]:
        errors = super().validate()
        given = sum(1 for x in (self.inline, self.script, self.scripts) if x)
        if given == 0:
            errors.append("Either a script file or inline script must be specified "
                          "(inline, script or scripts).")
        elif given > 1:
            errors.append("Only one of inline, script, or scripts can be specified.")
        errors.extend(check_scripts(self.script_paths()))
        errors.extend(check_env_vars(self.environment_vars, self.env))
        if self.start_retry_timeout < 0:
            errors.append("start_retry_timeout: must not be negative")
        if self.pause_after < 0:
            errors.append("pause_after: must not be negative")
        return errors

    def script_paths(self) -> list[str]:
        return [self.script] if self.script else list(self.scripts)

    @property
    def effective_remote_path(self) -> str:
        if self.remote_path:
            return self.remote_path
        name = self.remote_file or self._default_file
        return f"{self.remote_folder.rstrip('/') or ''}/{name}"

    def __post_init__(self) -> None:
        self._default_file = random_script_name()
        if not self.start_retry_timeout:  # Packer: 0 is "not set", the default is 5m
            self.start_retry_timeout = Duration(300)

    @property
    def effective_env_var_format(self) -> str:
        if self.env_var_format:
            return self.env_var_format
        return ENV_FILE_VAR_FORMAT if self.use_env_var_file else DEFAULT_ENV_VAR_FORMAT

    @property
    def effective_execute_command(self) -> str:
        if self.execute_command:
            return self.execute_command
        return ENV_FILE_EXECUTE_COMMAND if self.use_env_var_file else DEFAULT_EXECUTE_COMMAND


class ShellProvisioner(Provisioner[ShellConfig]):
    Config = ShellConfig
    late_templates = ("execute_command",)  # .Path, .Vars, .EnvVarFile

    def provision(self, ctx: ProvisionContext) -> None:
        c = self.config
        comm = ctx.communicator
        if comm is None or isinstance(comm, NoneCommunicator):
            raise BuildError("the shell provisioner needs a communicator (communicator = \"none\" is set)")
        pairs = collect_env(ctx.env(), c.environment_vars, c.env)
        flat = format_env(pairs, c.effective_env_var_format)
        remote = c.effective_remote_path
        env_file = ""
        if c.use_env_var_file:
            env_file = f"{c.remote_folder.rstrip('/')}/varfile_{os.getpid()}_{id(self) % 10000}.sh"
            self._retry(ctx, lambda: comm.upload(flat.encode(), env_file, 0o644), "upload the variables file")
        try:
            if c.inline:
                ctx.ui.say("Provisioning with shell script: <inline>")
                body = inline_script(c.inline, c.inline_shebang).encode()
                self._run_one(ctx, comm, body, remote, flat, env_file)
            for path in c.script_paths():
                ctx.ui.say(f"Provisioning with shell script: {path}")
                try:
                    body = Path(path).read_bytes()
                except OSError as e:
                    raise BuildError(f"cannot read script {path}: {e.strerror}") from None
                self._run_one(ctx, comm, body, remote, flat, env_file)
        except BaseException:
            if env_file and not c.skip_clean:
                try:
                    self._cleanup(ctx, comm, env_file)
                except BuildError as e:  # the first error is the one to report
                    ctx.ui.warn(str(e))
            raise
        if env_file and not c.skip_clean:
            self._cleanup(ctx, comm, env_file)
        if c.pause_after > 0:
            ctx.ui.say(f"Pausing {float(c.pause_after):g}s after this provisioner...")
            ctx.cancel.sleep(float(c.pause_after))

    # ------------------------------------------------------------------ steps

    def _run_one(
        self, ctx: ProvisionContext, comm: Communicator, body: bytes, remote: str, flat: str, env_file: str
    ) -> None:
        from builder.communicator.ssh import DisconnectedError

        c = self.config
        if not c.binary:
            body = body.replace(b"\r\n", b"\n")
        data: dict[str, Any] = {"Path": remote, "Vars": flat, "EnvVarFile": env_file}
        command = render_template(c.effective_execute_command, data, ctx)
        on_out, on_err = output_callbacks(ctx.ui)
        self._retry(ctx, lambda: comm.upload(body, remote, 0o755), f"upload the script to {remote}")
        status_box: list[int] = []

        def start() -> None:
            status_box.append(comm.run(command, on_stdout=on_out, on_stderr=on_err))

        try:
            self._retry(ctx, start, "start the script", retry_disconnects=False)
            status = status_box[0]
        except DisconnectedError as e:
            if c.expect_disconnect or DISCONNECTED_STATUS in c.valid_exit_codes:
                ctx.ui.say("Connection lost while the script ran; expected (expect_disconnect).")
                return  # the machine is rebooting: no cleanup possible now
            raise BuildError(
                f"Script disconnected unexpectedly ({e}). If you expected your script to disconnect, "
                'i.e. from a restart, add "expect_disconnect = true" or "valid_exit_codes = '
                f'[0, {DISCONNECTED_STATUS}]" to the shell provisioner.'
            ) from None
        if status not in c.valid_exit_codes:
            raise BuildError(exit_code_error(status, c.valid_exit_codes))
        if not c.skip_clean:
            self._cleanup(ctx, comm, remote)

    def _cleanup(self, ctx: ProvisionContext, comm: Communicator, remote: str) -> None:
        try:
            status = comm.run(f"rm -f {shlex.quote(remote)}")
        except CommunicatorError as e:
            if self.config.expect_disconnect:
                ctx.ui.warn(f"could not remove {remote}: {e}")
                return
            raise BuildError(f"Error removing temporary script at {remote}: {e}") from None
        if status != 0:
            raise BuildError(f"Error removing temporary script at {remote}: rm exited with {status}")

    def _retry(self, ctx: ProvisionContext, fn: Any, what: str, retry_disconnects: bool = True) -> None:
        """Call ``fn`` until it works or ``start_retry_timeout`` has passed."""
        from builder.communicator.ssh import DisconnectedError

        deadline = time.monotonic() + float(self.config.start_retry_timeout)
        delay = 1.0
        while True:
            try:
                fn()
                return
            except DisconnectedError:
                if not retry_disconnects:
                    raise
                err: CommunicatorError = CommunicatorError("connection lost")
            except CommunicatorError as e:
                err = e
            if time.monotonic() + delay > deadline:
                raise BuildError(f"could not {what}: {err}") from None
            ctx.ui.say(f"Retrying in {delay:g}s: could not {what}: {err}")
            ctx.cancel.sleep(delay)
            delay = min(delay * 2, 10.0)


__all__ = ["DEFAULT_EXECUTE_COMMAND", "ShellConfig", "ShellProvisioner"]
