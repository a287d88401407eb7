"""The ``ansible-local`` provisioner: upload playbooks to the machine and run
``ansible-playbook`` there, against itself (``-c local``). Ansible must be installed on
the machine (a shell provisioner before this one usually does it).

Layout of ``staging_directory`` (default ``/tmp/packer-provisioner-ansible-local/<id>``),
Packer's:

- the contents of ``playbook_dir`` (when given), else an empty directory;
- ``playbook_file`` under its base name, or each of ``playbook_files`` (one outside
  ``playbook_dir`` goes to ``STAGING/<its absolute path>``);
- the inventory: ``inventory_file``, or one written by pybuild: ``127.0.0.1``, or one
  ``[group]`` section holding ``127.0.0.1`` per ``inventory_groups`` entry;
- ``galaxy_file``, ``group_vars/``, ``host_vars/``, ``roles/<name>/`` per ``role_paths``
  entry, ``collections/<name>/`` per ``collection_paths`` entry, ``playbooks/<name>/`` per
  ``playbook_paths`` entry.

Then, in the staging directory: ``galaxy_command`` for the galaxy file (roles into
``galaxy_roles_path``, collections into ``galaxy_collections_path``) and, per playbook,
``COMMAND PLAYBOOK --extra-vars "packer_build_name=… packer_builder_type=…
packer_http_addr=…" EXTRA_ARGUMENTS -c local -i INVENTORY``. ``clean_staging_directory``
removes the staging directory afterwards (also after a failure).
"""

from __future__ import annotations

import posixpath
import shlex
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from builder.communicator.none import NoneCommunicator
from builder.config import BaseConfig, opt
from builder.errors import BuildError, CommunicatorError
from builder.plugins import Communicator, ProvisionContext, Provisioner
from builder.provisioners._common import output_callbacks
from builder.provisioners.ansible._shared import GalaxyKinds, check_dir, check_file, galaxy_argvs

DEFAULT_STAGING_ROOT = "/tmp/packer-provisioner-ansible-local"
DEFAULT_COMMAND = "ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook"
INVENTORY_NAME = "packer-provisioner-ansible-local-inventory"


@dataclass(kw_only=True)
class AnsibleLocalConfig(BaseConfig):
    playbook_file: str = opt("", help="The playbook to upload and run.")
    playbook_files: list[str] = opt([], help="Playbooks to upload and run, in order.")
    playbook_dir: str = opt("", help="A directory uploaded as the staging directory's contents.")
    playbook_paths: list[str] = opt([], help="Directories uploaded to STAGING/playbooks/<name>.")
    role_paths: list[str] = opt([], help="Role directories uploaded to STAGING/roles/<name>.")
    collection_paths: list[str] = opt([], help="Collection directories uploaded to STAGING/collections/<name>.")
    group_vars: str = opt("", help="A group_vars directory to upload.")
    host_vars: str = opt("", help="A host_vars directory to upload.")
    command: str = opt(DEFAULT_COMMAND, help="The shell words that start ansible-playbook on the machine.")
    extra_arguments: list[str] = opt([], help="More shell words for ansible-playbook.")
    staging_directory: str = opt("", help=f"Where files go on the machine (default {DEFAULT_STAGING_ROOT}/<id>).")
    clean_staging_directory: bool = opt(False, help="Remove the staging directory afterwards.")
    inventory_file: str = opt("", help="An inventory to upload instead of the written one.")
    inventory_groups: list[str] = opt([], help="Groups of the written inventory (each holds 127.0.0.1).")
    galaxy_file: str = opt("", help="A requirements file for ansible-galaxy (run on the machine).")
    galaxy_command: str = opt("ansible-galaxy", help="The ansible-galaxy command on the machine.")
    galaxy_force_install: bool = opt(False, help="ansible-galaxy -f (reinstall).")
    galaxy_roles_path: str = opt("", help="Where galaxy roles go (default STAGING/galaxy_roles).")
    galaxy_collections_path: str = opt("", help="Where galaxy collections go (default STAGING/galaxy_collections).")
    _default_staging: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self._default_staging = f"{DEFAULT_STAGING_ROOT}/{uuid.uuid4()}"

    def validate(self) -> list[str]:
        errors = super().validate()
        if self.playbook_file and self.playbook_files:
            errors.append("Either playbook_file or playbook_files can be specified, not both")
        if not self.playbook_file and not self.playbook_files:
            errors.append("Either playbook_file or playbook_files must be specified")
        if self.playbook_file:
            errors += check_file(self.playbook_file, "playbook_file")
        for f in self.playbook_files:
            errors += check_file(f, "playbook_files")
        for name in ("inventory_file", "galaxy_file"):
            if getattr(self, name):
                errors += check_file(getattr(self, name), name)
        for name in ("playbook_dir", "group_vars", "host_vars"):
            if getattr(self, name):
                errors += check_dir(getattr(self, name), name)
        for name in ("playbook_paths", "role_paths", "collection_paths"):
            for d in getattr(self, name):
                errors += check_dir(d, name)
        if not self.command.strip():
            errors.append("command: must not be empty")
        return errors

    @property
    def staging(self) -> str:
        return self.staging_directory or self._default_staging

    @property
    def roles_path(self) -> str:
        return self.galaxy_roles_path or f"{self.staging}/galaxy_roles"

    @property
    def collections_path(self) -> str:
        return self.galaxy_collections_path or f"{self.staging}/galaxy_collections"


def inventory_text(groups: list[str]) -> str:
    if not groups:
        return "127.0.0.1\n"
    return "".join(f"[{g}]\n127.0.0.1\n" for g in groups)


def remote_playbooks(cfg: AnsibleLocalConfig) -> list[tuple[Path | None, str]]:
    """(local file to upload or None, path relative to the staging dir) per playbook, in order."""
    if cfg.playbook_file:
        return [(Path(cfg.playbook_file), Path(cfg.playbook_file).name)]
    base = Path(cfg.playbook_dir).resolve() if cfg.playbook_dir else None
    out: list[tuple[Path | None, str]] = []
    for f in cfg.playbook_files:
        p = Path(f).resolve()
        if base is not None and p.is_relative_to(base):
            out.append((None, p.relative_to(base).as_posix()))  # uploaded with playbook_dir
        else:
            out.append((p, p.as_posix().lstrip("/")))
    return out


def playbook_command(cfg: AnsibleLocalConfig, ctx: ProvisionContext, playbook: str, inventory: str,
                     galaxy: GalaxyKinds | None) -> str:
    """The shell command run on the machine for one playbook (paths relative to staging)."""
    staging = cfg.staging
    env = []
    collections = []
    if galaxy is not None and galaxy.collections:
        collections.append(cfg.collections_path)
    if cfg.collection_paths:
        collections.append(f"{staging}/collections")
    if collections:
        env.append("ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH:" + ":".join(shlex.quote(c) for c in collections))
    if galaxy is not None and galaxy.roles:
        env.append(f"ANSIBLE_ROLES_PATH=$ANSIBLE_ROLES_PATH:{shlex.quote(cfg.roles_path)}")
    extra_vars = (f"packer_build_name={ctx.source_name} packer_builder_type={ctx.build_type} "
                  f"packer_http_addr={ctx.build_vars.get('PackerHTTPAddr') or ''}")
    words = [*env, cfg.command, shlex.quote(posixpath.join(staging, playbook)),
             "--extra-vars", shlex.quote(extra_vars), *cfg.extra_arguments,
             "-c", "local", "-i", shlex.quote(posixpath.join(staging, inventory))]
    return f"cd {shlex.quote(staging)} && " + " ".join(words)


def galaxy_commands(cfg: AnsibleLocalConfig, kinds: GalaxyKinds) -> list[str]:
    requirements = posixpath.join(cfg.staging, Path(cfg.galaxy_file).name)
    return [f"cd {shlex.quote(cfg.staging)} && {cfg.galaxy_command} {shlex.join(args)}"
            for args in galaxy_argvs(requirements, kinds, force=cfg.galaxy_force_install,
                                     roles_path=cfg.roles_path, collections_path=cfg.collections_path)]


class AnsibleLocalProvisioner(Provisioner[AnsibleLocalConfig]):
    Config = AnsibleLocalConfig

    def provision(self, ctx: ProvisionContext) -> None:
        comm = ctx.communicator
        if comm is None or isinstance(comm, NoneCommunicator):
            raise BuildError('the ansible-local provisioner needs a communicator (communicator = "none" is set)')
        c = self.config
        ctx.ui.say("Provisioning with Ansible...")
        try:
            try:
                self._upload_all(ctx, comm)
                self._execute(ctx, comm)
            except BaseException:
                if c.clean_staging_directory:
                    try:
                        self._clean(ctx, comm)
                    except (BuildError, CommunicatorError) as e:  # the first error is the one to report
                        ctx.ui.warn(str(e))
                raise
            if c.clean_staging_directory:
                self._clean(ctx, comm)
        except CommunicatorError as e:
            raise BuildError(f"ansible-local: {e}") from None

    def _clean(self, ctx: ProvisionContext, comm: Communicator) -> None:
        ctx.ui.say("Removing staging directory...")
        self._sh(ctx, comm, f"rm -rf {shlex.quote(self.config.staging)}", "remove the staging directory")

    def _upload_all(self, ctx: ProvisionContext, comm: Communicator) -> None:
        c = self.config
        staging = c.staging
        ui = ctx.ui
        if c.playbook_dir:
            ui.say("Uploading Playbook directory to Ansible staging directory...")
            comm.upload_dir(Path(c.playbook_dir), staging)
        else:
            ui.say("Creating Ansible staging directory...")
            self._sh(ctx, comm, f"mkdir -p {shlex.quote(staging)}", "create the staging directory")
        for local, rel in remote_playbooks(c):
            if local is None:
                continue
            remote = posixpath.join(staging, rel)
            ui.say(f"Uploading playbook file: {local}")
            self._sh(ctx, comm, f"mkdir -p {shlex.quote(posixpath.dirname(remote))}", "create a playbook directory")
            comm.upload(local, remote)
        if c.galaxy_file:
            ui.say("Uploading galaxy file...")
            comm.upload(Path(c.galaxy_file), posixpath.join(staging, Path(c.galaxy_file).name))
        ui.say("Uploading inventory file...")
        if c.inventory_file:
            comm.upload(Path(c.inventory_file), posixpath.join(staging, Path(c.inventory_file).name))
        else:
            comm.upload(inventory_text(c.inventory_groups).encode(), posixpath.join(staging, INVENTORY_NAME))
        for option, sub in (("group_vars", "group_vars"), ("host_vars", "host_vars")):
            if getattr(c, option):
                ui.say(f"Uploading {option} directory...")
                comm.upload_dir(Path(getattr(c, option)), posixpath.join(staging, sub))
        for option, sub in (("role_paths", "roles"), ("collection_paths", "collections"),
                            ("playbook_paths", "playbooks")):
            for d in getattr(c, option):
                ui.say(f"Uploading {Path(d).name} to {sub}/...")
                comm.upload_dir(Path(d), posixpath.join(staging, sub, Path(d).resolve().name))

    def _execute(self, ctx: ProvisionContext, comm: Communicator) -> None:
        c = self.config
        kinds = GalaxyKinds.of(c.galaxy_file) if c.galaxy_file else None
        if kinds is not None:
            for cmd in galaxy_commands(c, kinds):
                ctx.ui.say(f"Executing Ansible Galaxy: {cmd}")
                self._sh(ctx, comm, cmd, "run ansible-galaxy", stream=True)
        inventory = Path(c.inventory_file).name if c.inventory_file else INVENTORY_NAME
        for _, rel in remote_playbooks(c):
            cmd = playbook_command(c, ctx, rel, inventory, kinds)
            ctx.ui.say(f"Executing Ansible: {cmd}")
            status = self._status(ctx, comm, cmd)
            if status == 127:
                raise BuildError(f"{c.command} could not be found. Verify that it is available on the "
                                 "PATH after connecting to the machine.")
            if status != 0:
                raise BuildError(f"Error executing Ansible: Non-zero exit status: {status}")

    @staticmethod
    def _status(ctx: ProvisionContext, comm: Communicator, cmd: str) -> int:
        on_out, on_err = output_callbacks(ctx.ui)
        return comm.run(cmd, on_stdout=on_out, on_stderr=on_err)

    def _sh(self, ctx: ProvisionContext, comm: Communicator, cmd: str, what: str, stream: bool = False) -> None:
        status = self._status(ctx, comm, cmd) if stream else comm.run(cmd)
        if status != 0:
            raise BuildError(f"ansible-local: could not {what} (`{cmd}` exited with {status})")


__all__ = ["AnsibleLocalConfig", "AnsibleLocalProvisioner", "inventory_text", "playbook_command", "remote_playbooks"]
