"""The ``ansible`` provisioner: run ``ansible-playbook`` on the pybuild host against the
machine being built.

What it does, in order (Packer's plugin does the same, see the notes for the proxy):

1. writes an inventory (unless ``inventory_file`` is given) from
   ``inventory_file_template`` (default ``{{ .HostAlias }} ansible_host={{ .Host }}
   ansible_user={{ .User }} ansible_port={{ .Port }}``), then one ``[group]`` section per
   ``groups`` entry holding the same host line, and an empty section per ``empty_groups``;
2. writes the build's SSH private key to a 0600 file in a private temporary directory
   (with the build's SSH password, if it has one, in a 0600 extra-vars file passed as
   ``-e @file``): no secret is ever on a command line or in a log;
3. runs ``galaxy_command`` for ``galaxy_file`` (roles into ``roles_path``, collections into
   ``collections_path``);
4. runs ``command`` (default ``ansible-playbook``) with ``-e packer_build_name=…
   -e packer_builder_type=… -e packer_http_addr=…``, ``--ssh-extra-args`` (from
   ``ansible_ssh_extra_args``, default ``-o IdentitiesOnly=yes``), ``extra_arguments``,
   ``-e ansible_ssh_private_key_file=…``, ``-i INVENTORY PLAYBOOK``, with
   ``ansible_env_vars`` plus ``ANSIBLE_HOST_KEY_CHECKING=False`` (the machine's host key
   is new every build) and ``ANSIBLE_SCP_IF_SSH=True`` (unless ``use_sftp``); a variable
   set in ``ansible_env_vars`` wins;
5. removes the key, the inventory (unless ``keep_inventory_file``) and ends the SSH
   connection masters ansible left running (ControlPersist), so no process outlives the
   provisioner.

``use_proxy``: Packer's default puts a local SSH server (an "adapter") between ansible
and its communicator. pybuild has no adapter: ansible always connects directly to the
machine's SSH address (for QEMU, the forwarded port on 127.0.0.1), which is what Packer
does with ``use_proxy = false``. Leaving ``use_proxy`` unset does this silently;
``use_proxy = true`` does it too, with a warning. The adapter-only options
(``local_port``, ``sftp_command``, ``ssh_host_key_file``,
``ssh_authorized_key_file``, ``ansible_proxy_key_type``) are checked and then have no effect. A build that logs in
with a password alone needs ``sshpass`` on the host (ansible uses it for passwords).
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder import hostcheck, secrets
from builder.config import BaseConfig, opt
from builder.errors import BuildError, CommandError
from builder.plugins import ProvisionContext, Provisioner
from builder.provisioners._common import output_callbacks, render_template
from builder.provisioners.ansible._shared import (
    GalaxyKinds,
    check_dir,
    check_file,
    check_key_values,
    galaxy_argvs,
    key_values,
    parse_version,
)
from builder.run import Result, run

INVENTORY_V2 = "{{ .HostAlias }} ansible_host={{ .Host }} ansible_user={{ .User }} ansible_port={{ .Port }}\n"
INVENTORY_V1 = "{{ .HostAlias }} ansible_ssh_host={{ .Host }} ansible_ssh_user={{ .User }} ansible_ssh_port={{ .Port }}\n"
DEFAULT_SSH_EXTRA_ARGS = ["-o IdentitiesOnly=yes"]

Runner = Callable[..., Result]


@lru_cache(maxsize=8)
def _probe_version(command: str) -> tuple[str, int] | str:
    """(version, major) of ``command --version``, or an error message."""
    try:
        res = run([command, "--version"], check=False, timeout=120)
    except CommandError as e:
        return f'Error running "{command} --version": {e}'
    if res.returncode != 0:
        return f'Error running "{command} --version": exit status {res.returncode}'
    found = parse_version(res.stdout)
    if found is None:
        return f"Could not find {command} version in output:\n{res.stdout}"
    return found


@dataclass(kw_only=True)
class AnsibleConfig(BaseConfig):
    playbook_file: str = opt(help="The playbook to run (a file on the pybuild host).", required=True)
    command: str = opt("ansible-playbook", help="The ansible-playbook executable to run.")
    extra_arguments: list[str] = opt([], help="More arguments for ansible-playbook (templates allowed).")
    ansible_env_vars: list[str] = opt([], help='Environment for ansible, "KEY=value" (templates allowed).')
    ansible_ssh_extra_args: list[str] = opt(
        [], help="--ssh-extra-args for ansible (default -o IdentitiesOnly=yes)."
    )
    groups: list[str] = opt([], help="Inventory groups the machine is in.")
    empty_groups: list[str] = opt([], help="Inventory groups written without hosts.")
    host_alias: str = opt("default", help="The machine's name in the inventory.")
    user: str = opt("", help="ansible_user (default: the build's SSH user).")
    use_proxy: bool | None = opt(
        None, help="Packer's SSH adapter; pybuild always connects directly (true warns)."
    )
    local_port: int = opt(0, help="Adapter port (adapter only: no effect in pybuild).")
    sftp_command: str = opt("/usr/lib/sftp-server -e", help="Adapter SFTP server (no effect in pybuild).")
    use_sftp: bool = opt(False, help="Let ansible copy files with SFTP (default: scp).")
    ssh_host_key_file: str = opt("", help="Adapter host key (no effect in pybuild).")
    ssh_authorized_key_file: str = opt("", help="Adapter user key (no effect in pybuild).")
    ansible_proxy_key_type: str = opt("ECDSA", help='Adapter key type, "ECDSA" or "RSA" (no effect).')
    skip_version_check: bool = opt(False, help="Do not run `command --version` at validation.")
    inventory_file: str = opt("", help="Use this inventory instead of writing one.")
    inventory_directory: str = opt("", help="Directory for the written inventory (default: a temporary one).")
    inventory_file_template: str = opt("", help="Go template of the inventory's host line.")
    keep_inventory_file: bool = opt(False, help="Leave the written inventory behind.")
    galaxy_file: str = opt("", help="A requirements file for ansible-galaxy.")
    galaxy_command: str = opt("ansible-galaxy", help="The ansible-galaxy executable.")
    galaxy_force_install: bool = opt(False, help="ansible-galaxy -f (reinstall).")
    galaxy_force_with_deps: bool = opt(False, help="ansible-galaxy --force-with-deps.")
    roles_path: str = opt("", help="Where ansible-galaxy installs roles (-p).")
    collections_path: str = opt("", help="Where ansible-galaxy installs collections (-p).")
    ansible_winrm_use_http: bool = opt(False, help="WinRM only; Windows guests are not supported.")
    _major: int = field(default=2, init=False, repr=False)

    def validate(self) -> list[str]:
        errors = super().validate()
        errors += check_file(self.playbook_file, "playbook_file")
        if self.galaxy_file:
            errors += check_file(self.galaxy_file, "galaxy_file")
        if self.ssh_authorized_key_file:
            errors += check_file(self.ssh_authorized_key_file, "ssh_authorized_key_file")
        if self.ssh_host_key_file:
            errors += check_file(self.ssh_host_key_file, "ssh_host_key_file")
        if self.inventory_file:
            errors += check_file(self.inventory_file, "inventory_file")
        if self.inventory_directory:
            errors += check_dir(self.inventory_directory, "inventory_directory")
        if not 0 <= self.local_port <= 65535:
            errors.append(f"local_port: {self.local_port} must be a valid port")
        if self.ansible_proxy_key_type.upper() not in ("RSA", "ECDSA"):
            errors.append(f"ansible_proxy_key_type: invalid value {self.ansible_proxy_key_type!r}. "
                          "Supported values are ECDSA or RSA.")
        if self.ansible_winrm_use_http:
            errors.append("ansible_winrm_use_http: WinRM (Windows guests) is not supported yet")
        errors += check_key_values(self.ansible_env_vars, "ansible_env_vars")
        if not self.command:
            errors.append("command: must not be empty")
        elif not self.skip_version_check:
            found = _probe_version(self.command)
            if isinstance(found, str):
                errors.append(f"command: {found}")
            else:
                self._major = found[1]
        return errors

    @property
    def host_template(self) -> str:
        if self.inventory_file_template:
            return self.inventory_file_template
        return INVENTORY_V1 if self._major < 2 else INVENTORY_V2


@dataclass(frozen=True)
class Target:
    """How ansible reaches the machine: from the build's SSH connection."""

    host: str
    port: int
    user: str
    private_key: str = ""  # PEM text
    password: str = ""

    @classmethod
    def from_context(cls, ctx: ProvisionContext) -> Target:
        bv = ctx.build_vars
        if str(bv.get("ConnType", "ssh")) != "ssh":
            raise BuildError("the ansible provisioner needs the SSH communicator "
                             f'(communicator = "{bv.get("ConnType")}")')
        host = str(bv.get("Host") or "")
        if not host or not bv.get("Port"):
            raise BuildError("the ansible provisioner: the build has no SSH address to give ansible")
        return cls(host, int(bv["Port"]), str(bv.get("User") or ""), str(bv.get("SSHPrivateKey") or ""),
                   str(bv.get("Password") or ""))


def inventory_text(cfg: AnsibleConfig, target: Target, ctx: ProvisionContext, user: str) -> str:
    """The inventory: the host line, each of ``groups`` with it, each of ``empty_groups`` empty."""
    data: dict[str, Any] = dict(ctx.build_vars)
    data.update(HostAlias=cfg.host_alias, Host=target.host, Port=target.port, User=user)
    host = render_template(cfg.host_template, data, ctx)
    parts = [host]
    parts += [f"[{g}]\n{host}" for g in cfg.groups]
    parts += [f"[{g}]\n" for g in cfg.empty_groups]
    return "".join(parts)


def _has_arg(name: str, args: Sequence[str]) -> bool:
    return any(name in a for a in args)


def playbook_argv(
    cfg: AnsibleConfig, ctx: ProvisionContext, *, inventory: str, key_file: str, vars_file: str,
    extra_arguments: Sequence[str],
) -> list[str]:
    """The ansible-playbook command line (pure; files are paths only, never contents)."""
    argv = [cfg.command, "-e", f"packer_build_name={json.dumps(ctx.source_name)}",
            "-e", f"packer_builder_type={ctx.build_type}"]
    http_addr = str(ctx.build_vars.get("PackerHTTPAddr") or "")
    if http_addr:
        argv += ["-e", f"packer_http_addr={http_addr}"]
    if key_file:
        ssh_args = cfg.ansible_ssh_extra_args or DEFAULT_SSH_EXTRA_ARGS
        argv += ["--ssh-extra-args", " ".join(f"'{a}'" for a in ssh_args)]
    argv += list(extra_arguments)
    user_password = _has_arg("ansible_password", extra_arguments)
    if key_file and not user_password:
        argv += ["-e", f"ansible_ssh_private_key_file={key_file}"]
    if vars_file:
        argv += ["-e", f"@{vars_file}"]
    if (user_password or vars_file) and not _has_arg("ansible_host_key_checking", extra_arguments):
        argv += ["-e", "ansible_host_key_checking=False"]
    argv += ["-i", inventory, str(Path(cfg.playbook_file).resolve())]
    return argv


def ansible_env(cfg: AnsibleConfig, rendered_env_vars: Sequence[str], control_dir: str) -> dict[str, str]:
    """The environment ansible runs with (added to pybuild's own)."""
    env = key_values(rendered_env_vars)
    env.setdefault("ANSIBLE_HOST_KEY_CHECKING", "False")
    if not cfg.use_sftp:
        env.setdefault("ANSIBLE_SCP_IF_SSH", "True")
    # connection masters in a directory of ours, so they can be ended afterwards
    env.setdefault("ANSIBLE_SSH_CONTROL_PATH_DIR", control_dir)
    return env


class AnsibleProvisioner(Provisioner[AnsibleConfig]):
    Config = AnsibleConfig

    @classmethod
    def host_requirements(cls, config: AnsibleConfig | None) -> list[hostcheck.Requirement]:
        """ansible-playbook (or ``command``) on the build host."""
        command = config.command if config is not None else "ansible-playbook"
        return [hostcheck.Tool(command, apt="ansible-core", dnf="ansible-core")]

    runner: Runner = staticmethod(run)  # the subprocess boundary (a recording fake in tests)

    def provision(self, ctx: ProvisionContext) -> None:
        c = self.config
        ctx.ui.say("Provisioning with Ansible...")
        if c.use_proxy:
            ctx.ui.warn("use_proxy = true: pybuild has no SSH adapter; ansible connects directly "
                        "to the machine's SSH port (as with use_proxy = false)")
        target = Target.from_context(ctx)
        user = c.user or target.user
        extra = [render_template(a, {}, ctx) for a in c.extra_arguments]
        for arg in extra:  # Packer's rule: a KEY=value whose key names a password or secret is masked
            key, eq, value = arg.partition("=")
            if eq and value and ("password" in key.lower() or "secret" in key.lower()):
                secrets.add(value)
        env_vars = [render_template(a, {}, ctx) for a in c.ansible_env_vars]
        with tempfile.TemporaryDirectory(prefix="pybuild-ansible-") as tmp:
            key_file = vars_file = ""
            if target.private_key:
                key_file = _write_private(Path(tmp, "key"), target.private_key)
            if target.password and not _has_arg("ansible_password", extra):
                secrets.add(target.password)
                vars_file = _write_private(Path(tmp, "connection.json"),
                                           json.dumps({"ansible_password": target.password}))
            inventory, written = c.inventory_file, False
            if not inventory:
                inventory = self._write_inventory(inventory_text(c, target, ctx, user), tmp)
                written = True
            control_dir = Path(tmp, "cp")
            control_dir.mkdir(mode=0o700)
            env = ansible_env(c, env_vars, str(control_dir))
            try:
                if c.galaxy_file:
                    self._galaxy(ctx, env)
                argv = playbook_argv(c, ctx, inventory=inventory, key_file=key_file, vars_file=vars_file,
                                     extra_arguments=extra)
                ctx.ui.say(f"Executing Ansible: {secrets.mask(shlex.join(argv))}")
                self._run(ctx, argv, env, "Ansible")
            finally:
                self._end_masters(control_dir)
                if written and c.keep_inventory_file:
                    ctx.ui.say(f"Keeping the inventory file {inventory}")
                elif written and c.inventory_directory:
                    Path(inventory).unlink(missing_ok=True)

    # ------------------------------------------------------------------ pieces

    def _write_inventory(self, text: str, tmp: str) -> str:
        c = self.config
        # kept or user-placed inventories live outside the temporary directory
        where = c.inventory_directory or (None if not c.keep_inventory_file else tempfile.gettempdir())
        fd, path = tempfile.mkstemp(prefix="packer-provisioner-ansible", dir=where or tmp)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        return path

    def _galaxy(self, ctx: ProvisionContext, env: Mapping[str, str]) -> None:
        c = self.config
        kinds = GalaxyKinds.of(c.galaxy_file)
        for args in galaxy_argvs(c.galaxy_file, kinds, force=c.galaxy_force_install,
                                 force_with_deps=c.galaxy_force_with_deps, roles_path=c.roles_path,
                                 collections_path=c.collections_path):
            ctx.ui.say("Executing Ansible Galaxy")
            self._run(ctx, [c.galaxy_command, *args], env, "Ansible Galaxy")

    def _run(self, ctx: ProvisionContext, argv: list[str], env: Mapping[str, str], what: str) -> None:
        on_out, on_err = output_callbacks(ctx.ui)
        try:
            res = self.runner(argv, env=env, check=False, on_stdout=on_out, on_stderr=on_err, cancel=ctx.cancel)
        except CommandError as e:
            raise BuildError(f"Error executing {what}: {e}") from None
        if res.returncode != 0:
            raise BuildError(f"Error executing {what}: Non-zero exit status: {res.returncode}")

    def _end_masters(self, control_dir: Path) -> None:
        """Stop the SSH connection masters ansible leaves behind (ControlPersist)."""
        for sock in sorted(control_dir.glob("*")):
            try:
                self.runner(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "pybuild-ansible"],
                            check=False, timeout=30)
            except CommandError:
                pass


def _write_private(path: Path, text: str) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
    return str(path)


__all__ = ["AnsibleConfig", "AnsibleProvisioner", "Target", "ansible_env", "inventory_text", "playbook_argv"]
