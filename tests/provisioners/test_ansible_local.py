"""The ``ansible-local`` provisioner: option checks, what it uploads where and the
commands it runs on the machine (a recording fake communicator). The real run on a
guest with ansible is in test_ansible_vm.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ctxutil import provision_ctx

from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.plugins import REGISTRY
from builder.provisioners.ansible.local import (
    DEFAULT_STAGING_ROOT,
    INVENTORY_NAME,
    AnsibleLocalConfig,
    AnsibleLocalProvisioner,
)


class FakeComm:
    """Records uploads (remote path → bytes) and commands; answers with ``status``."""

    def __init__(self, status: Callable[[str], int] = lambda cmd: 0) -> None:
        self.files: dict[str, bytes] = {}
        self.commands: list[str] = []
        self.status = status

    def run(self, command: str, *, on_stdout: Any = None, on_stderr: Any = None, timeout: Any = None) -> int:
        self.commands.append(command)
        return self.status(command)

    def upload(self, source: Path | bytes, remote_path: str, mode: int = 0o644) -> None:
        self.files[remote_path] = source if isinstance(source, bytes) else Path(source).read_bytes()

    def upload_dir(self, local_dir: Path, remote_dir: str) -> None:
        for f in sorted(Path(local_dir).rglob("*")):
            if f.is_file():
                self.files[f"{remote_dir}/{f.relative_to(local_dir).as_posix()}"] = f.read_bytes()

    def download(self, remote_path: str, local_path: Path) -> None:
        raise NotImplementedError

    def download_dir(self, remote_dir: str, local_dir: Path) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def config(**raw: Any) -> AnsibleLocalConfig:
    return parse_config(AnsibleLocalConfig, raw, component='provisioner "ansible-local"')


def errors_of(**raw: Any) -> str:
    with pytest.raises(ConfigError) as e:
        config(**raw)
    return "\n".join(d.render() for d in e.value.diagnostics)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A playbook project: playbooks, a role, group_vars, host_vars, a galaxy file."""
    for rel, text in {
        "site.yml": "- hosts: all\n", "other.yml": "- hosts: all\n", "pb/inside.yml": "- hosts: all\n",
        "pb/vars.yml": "x: 1\n", "roles/web/tasks/main.yml": "[]\n", "gv/all.yml": "a: 1\n",
        "hv/127.0.0.1.yml": "b: 2\n", "requirements.yml": "roles:\n  - x\ncollections:\n  - y\n",
        "extra/playbooks/more.yml": "- hosts: all\n", "colls/ns/README": "c\n",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def provision(cfg: AnsibleLocalConfig, tmp_path: Path, comm: FakeComm | None = None) -> tuple[FakeComm, str]:
    comm = comm or FakeComm()
    ctx, cap = provision_ctx(comm, tmp_path, build_vars={"PackerHTTPAddr": "10.0.2.2:8080"})
    AnsibleLocalProvisioner(cfg).provision(ctx)
    return comm, cap.text


def test_registered_as_builtin() -> None:
    assert REGISTRY.get("provisioner", "ansible-local") is AnsibleLocalProvisioner


def test_playbook_file_or_files_exactly_one(tree: Path) -> None:
    assert "Either playbook_file or playbook_files must be specified" in errors_of()
    assert "can be specified, not both" in errors_of(playbook_file=str(tree / "site.yml"),
                                                      playbook_files=[str(tree / "other.yml")])


def test_every_bad_path_is_reported_at_once(tree: Path) -> None:
    text = errors_of(playbook_files=[str(tree / "nope.yml"), str(tree / "pb")], playbook_dir=str(tree / "site.yml"),
                     role_paths=["/no/role"], playbook_paths=["/no/pbs"], collection_paths=["/no/c"],
                     group_vars="/no/gv", host_vars="/no/hv", galaxy_file="/no/req.yml", inventory_file="/no/inv")
    for needle in ("playbook_files: " + str(tree / "nope.yml") + " is invalid",
                   f"playbook_files: {tree / 'pb'} must point to a file",
                   "playbook_dir: " + str(tree / "site.yml") + " must point to a directory",
                   "role_paths: /no/role is invalid", "playbook_paths: /no/pbs", "collection_paths: /no/c",
                   "group_vars: /no/gv", "host_vars: /no/hv", "galaxy_file: /no/req.yml", "inventory_file: /no/inv"):
        assert needle in text


def test_defaults_are_packers(tree: Path) -> None:
    c = config(playbook_file=str(tree / "site.yml"))
    assert c.command == "ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook"
    assert c.staging.startswith(DEFAULT_STAGING_ROOT + "/") and c.staging != config(
        playbook_file=str(tree / "site.yml")).staging
    assert c.roles_path == f"{c.staging}/galaxy_roles" and c.collections_path == f"{c.staging}/galaxy_collections"
    assert c.clean_staging_directory is False


def test_uploads_and_command_for_one_playbook(tree: Path, tmp_path: Path) -> None:
    c = config(playbook_file=str(tree / "site.yml"), staging_directory="/stage", role_paths=[str(tree / "roles/web")],
               group_vars=str(tree / "gv"), host_vars=str(tree / "hv"), inventory_groups=["web", "db"],
               playbook_paths=[str(tree / "extra/playbooks")], collection_paths=[str(tree / "colls")],
               extra_arguments=["-v", "--tags", "base"])
    comm, text = provision(c, tmp_path)
    assert comm.commands[0] == "mkdir -p /stage"
    assert comm.files["/stage/site.yml"] == b"- hosts: all\n"
    assert comm.files[f"/stage/{INVENTORY_NAME}"] == b"[web]\n127.0.0.1\n[db]\n127.0.0.1\n"
    assert comm.files["/stage/roles/web/tasks/main.yml"] == b"[]\n"
    assert comm.files["/stage/group_vars/all.yml"] == b"a: 1\n"
    assert comm.files["/stage/host_vars/127.0.0.1.yml"] == b"b: 2\n"
    assert comm.files["/stage/playbooks/playbooks/more.yml"] == b"- hosts: all\n"
    assert comm.files["/stage/collections/colls/ns/README"] == b"c\n"
    assert comm.commands[-1] == (
        "cd /stage && ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH:/stage/collections "
        "ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook /stage/site.yml "
        "--extra-vars 'packer_build_name=test packer_builder_type=qemu packer_http_addr=10.0.2.2:8080' "
        f"-v --tags base -c local -i /stage/{INVENTORY_NAME}")
    assert "Executing Ansible: cd /stage" in text
    assert not any(cmd.startswith("rm -rf") for cmd in comm.commands)


def test_playbook_files_inside_and_outside_playbook_dir(tree: Path, tmp_path: Path) -> None:
    outside = tree / "other.yml"
    c = config(playbook_files=[str(tree / "pb/inside.yml"), str(outside)], playbook_dir=str(tree / "pb"),
               staging_directory="/s", inventory_file=str(tree / "hv/127.0.0.1.yml"))
    comm, _ = provision(c, tmp_path)
    assert comm.files["/s/inside.yml"] == b"- hosts: all\n"  # came with playbook_dir
    assert comm.files["/s/vars.yml"] == b"x: 1\n"
    assert comm.files[f"/s{outside}"] == b"- hosts: all\n"
    assert "/s/127.0.0.1.yml" in comm.files and f"/s/{INVENTORY_NAME}" not in comm.files
    runs = [cmd for cmd in comm.commands if "ansible-playbook" in cmd]
    assert [r.split()[6] for r in runs] == ["/s/inside.yml", f"/s{outside}"]
    assert all(r.endswith("-c local -i /s/127.0.0.1.yml") for r in runs)


def test_galaxy_runs_first_and_extends_the_paths(tree: Path, tmp_path: Path) -> None:
    c = config(playbook_file=str(tree / "site.yml"), staging_directory="/s", galaxy_file=str(tree / "requirements.yml"),
               galaxy_force_install=True)
    comm, _ = provision(c, tmp_path)
    assert comm.files["/s/requirements.yml"].startswith(b"roles:")
    galaxy = [cmd for cmd in comm.commands if "ansible-galaxy" in cmd]
    assert galaxy == ["cd /s && ansible-galaxy install -r /s/requirements.yml -f -p /s/galaxy_roles",
                      "cd /s && ansible-galaxy collection install -r /s/requirements.yml -f -p /s/galaxy_collections"]
    play = comm.commands[-1]
    assert comm.commands.index(galaxy[-1]) < comm.commands.index(play)
    assert "ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH:/s/galaxy_collections " in play
    assert "ANSIBLE_ROLES_PATH=$ANSIBLE_ROLES_PATH:/s/galaxy_roles " in play


def test_clean_staging_directory_also_after_a_failure(tree: Path, tmp_path: Path) -> None:
    c = config(playbook_file=str(tree / "site.yml"), staging_directory="/s t", clean_staging_directory=True)
    comm, _ = provision(c, tmp_path)
    assert comm.commands[-1] == "rm -rf '/s t'"
    failing = FakeComm(status=lambda cmd: 2 if "ansible-playbook" in cmd else 0)
    with pytest.raises(BuildError, match="Non-zero exit status: 2"):
        provision(c, tmp_path, failing)
    assert failing.commands[-1] == "rm -rf '/s t'"
    # a cleanup that fails too does not hide the first error
    both = FakeComm(status=lambda cmd: 2 if "ansible-playbook" in cmd or cmd.startswith("rm") else 0)
    with pytest.raises(BuildError, match="Non-zero exit status: 2"):
        provision(c, tmp_path, both)


def test_missing_ansible_on_the_machine_is_explained(tree: Path, tmp_path: Path) -> None:
    comm = FakeComm(status=lambda cmd: 127 if "ansible-playbook" in cmd else 0)
    with pytest.raises(BuildError, match=r"could not be found\. Verify that it is available on the"):
        provision(config(playbook_file=str(tree / "site.yml")), tmp_path, comm)


def test_needs_a_communicator(tree: Path, tmp_path: Path) -> None:
    ctx, _ = provision_ctx(None, tmp_path)
    with pytest.raises(BuildError, match="needs a communicator"):
        AnsibleLocalProvisioner(config(playbook_file=str(tree / "site.yml"))).provision(ctx)
