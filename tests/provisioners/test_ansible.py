"""The ``ansible`` provisioner: option checks, the inventory and command line it composes
(a recording fake for the subprocess boundary), and one real ansible-playbook run
against a real sshd (a temporary local user)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ctxutil import provision_ctx
from sshd_server import SSHServer, SSHUser

from builder import secrets
from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.plugins import REGISTRY, ProvisionContext
from builder.provisioners.ansible.remote import (
    AnsibleConfig,
    AnsibleProvisioner,
    Target,
    inventory_text,
    playbook_argv,
)
from builder.run import Result

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1ib2R5\n-----END OPENSSH PRIVATE KEY-----\n"
BUILD_VARS = {"Host": "127.0.0.1", "Port": 2222, "User": "debian", "ConnType": "ssh", "SSHPrivateKey": KEY,
              "Password": "", "PackerHTTPAddr": "10.0.2.2:8080"}


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    p = tmp_path / "site.yml"
    p.write_text("- hosts: all\n  tasks: []\n")
    return p


def config(playbook: Path, **raw: Any) -> AnsibleConfig:
    raw.setdefault("skip_version_check", True)
    return parse_config(AnsibleConfig, {"playbook_file": str(playbook), **raw}, component='provisioner "ansible"')


def errors_of(**raw: Any) -> str:
    with pytest.raises(ConfigError) as e:
        parse_config(AnsibleConfig, raw, component='provisioner "ansible"')
    return "\n".join(d.render() for d in e.value.diagnostics)


def ctx_for(tmp_path: Path, **build_vars: Any) -> tuple[ProvisionContext, Any]:
    return provision_ctx(None, tmp_path, build_vars={**BUILD_VARS, **build_vars})


class Recorder:
    """The subprocess boundary: records argv, env and the files ansible would read."""

    def __init__(self, returncode: int = 0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.returncode = returncode

    def __call__(self, argv: list[str], **kw: Any) -> Result:
        call: dict[str, Any] = {"argv": list(argv), "env": dict(kw.get("env") or {})}
        if "-i" in argv:
            inv = argv[argv.index("-i") + 1]
            call["inventory"] = Path(inv).read_text()
            call["inventory_path"] = inv
        for a in argv:
            if a.startswith("ansible_ssh_private_key_file="):
                key = Path(a.split("=", 1)[1])
                call["key"] = key.read_text()
                call["key_mode"] = stat.S_IMODE(key.stat().st_mode)
                call["key_path"] = key
            if a.startswith("@"):
                call["vars"] = json.loads(Path(a[1:]).read_text())
                call["vars_mode"] = stat.S_IMODE(Path(a[1:]).stat().st_mode)
        self.calls.append(call)
        rc = self.returncode if argv[0] != "ssh" else 255
        return Result(list(argv), rc, "", "", 0.0)


def provisioner(cfg: AnsibleConfig, rec: Recorder) -> AnsibleProvisioner:
    p = AnsibleProvisioner(cfg)
    p.runner = rec  # type: ignore[assignment]
    return p


# --------------------------------------------------------------------------- options


def test_registered_as_builtin() -> None:
    assert REGISTRY.get("provisioner", "ansible") is AnsibleProvisioner


def test_playbook_file_is_required_and_must_be_a_file(tmp_path: Path) -> None:
    assert "playbook_file" in errors_of(skip_version_check=True)
    assert "playbook_file: /nope.yml is invalid" in errors_of(playbook_file="/nope.yml", skip_version_check=True)
    assert f"playbook_file: {tmp_path} must point to a file" in errors_of(
        playbook_file=str(tmp_path), skip_version_check=True)


def test_every_bad_option_is_reported_at_once(playbook: Path, tmp_path: Path) -> None:
    text = errors_of(playbook_file=str(playbook), skip_version_check=True, galaxy_file="/no/req.yml",
                     inventory_directory=str(playbook), local_port=70000, ansible_proxy_key_type="dsa",
                     ansible_env_vars=["NOEQUALS"], ssh_authorized_key_file="/no/key.pub",
                     inventory_file="/no/inventory", ansible_winrm_use_http=True)
    for needle in ("galaxy_file: /no/req.yml is invalid", "must point to a directory",
                   "local_port: 70000 must be a valid port", "Supported values are ECDSA or RSA",
                   "'NOEQUALS' is not in the form KEY=value", "ssh_authorized_key_file: /no/key.pub",
                   "inventory_file: /no/inventory", "WinRM"):
        assert needle in text


def test_unknown_option_gets_a_suggestion(playbook: Path) -> None:
    assert "extra_arguments" in errors_of(playbook_file=str(playbook), skip_version_check=True,
                                          extra_argument=["-v"])


def test_defaults_are_packers(playbook: Path) -> None:
    c = config(playbook)
    assert (c.command, c.galaxy_command, c.host_alias, c.use_proxy, c.keep_inventory_file) == (
        "ansible-playbook", "ansible-galaxy", "default", None, False)


def _fake_command(tmp_path: Path, output: str, rc: int = 0) -> str:
    cmd = tmp_path / "fake-ansible-playbook"
    cmd.write_text(f"#!/bin/sh\necho '{output}'\nexit {rc}\n")
    cmd.chmod(0o755)
    return str(cmd)


def test_version_check_runs_the_command(playbook: Path, tmp_path: Path) -> None:
    c = config(playbook, skip_version_check=False, command=_fake_command(tmp_path, "ansible-playbook [core 2.17.4]"))
    assert c.host_template.startswith("{{ .HostAlias }} ansible_host=")
    (tmp_path / "old").mkdir()
    old = _fake_command(tmp_path / "old", "ansible-playbook 1.9.6")
    c1 = config(playbook, skip_version_check=False, command=old)
    assert "ansible_ssh_host=" in c1.host_template  # Ansible 1 names
    bad = tmp_path / "bad"
    bad.mkdir()
    text = errors_of(playbook_file=str(playbook), command=_fake_command(bad, "nothing here"))
    assert "Could not find" in text and "version in output" in text
    assert 'Error running "/no/such/ansible-playbook --version"' in errors_of(
        playbook_file=str(playbook), command="/no/such/ansible-playbook")


# --------------------------------------------------------------------------- inventory and argv


def test_inventory_groups_and_empty_groups(playbook: Path, tmp_path: Path) -> None:
    ctx, _ = ctx_for(tmp_path)
    c = config(playbook, groups=["web", "db"], empty_groups=["spare"], host_alias="guest1")
    text = inventory_text(c, Target.from_context(ctx), ctx, "debian")
    line = "guest1 ansible_host=127.0.0.1 ansible_user=debian ansible_port=2222\n"
    assert text == f"{line}[web]\n{line}[db]\n{line}[spare]\n"


def test_inventory_file_template_sees_build_values(playbook: Path, tmp_path: Path) -> None:
    ctx, _ = ctx_for(tmp_path)
    c = config(playbook, inventory_file_template="{{ .HostAlias }} ansible_host={{ .Host }}:{{ .Port }} "
                                                 "via={{ .PackerHTTPAddr }}\n")
    assert inventory_text(c, Target.from_context(ctx), ctx, "x") == (
        "default ansible_host=127.0.0.1:2222 via=10.0.2.2:8080\n")


def test_command_line_is_packers(playbook: Path, tmp_path: Path) -> None:
    ctx, _ = ctx_for(tmp_path)
    c = config(playbook, extra_arguments=["-v"])
    argv = playbook_argv(c, ctx, inventory="/i", key_file="/k", vars_file="", extra_arguments=c.extra_arguments)
    assert argv == ["ansible-playbook", "-e", 'packer_build_name="test"', "-e", "packer_builder_type=qemu",
                    "-e", "packer_http_addr=10.0.2.2:8080", "--ssh-extra-args", "'-o IdentitiesOnly=yes'", "-v",
                    "-e", "ansible_ssh_private_key_file=/k", "-i", "/i", str(playbook.resolve())]


def test_user_password_replaces_the_key_and_ssh_extra_args(playbook: Path, tmp_path: Path) -> None:
    ctx, _ = ctx_for(tmp_path, PackerHTTPAddr="")
    c = config(playbook, ansible_ssh_extra_args=["-o ForwardAgent=yes", "-o Compression=no"])
    extra = ["-e", "ansible_password=x"]
    argv = playbook_argv(c, ctx, inventory="/i", key_file="/k", vars_file="", extra_arguments=extra)
    assert "ansible_ssh_private_key_file=/k" not in argv
    assert "ansible_host_key_checking=False" in argv
    assert "'-o ForwardAgent=yes' '-o Compression=no'" in argv
    assert not any(a.startswith("packer_http_addr") for a in argv)


# --------------------------------------------------------------------------- provision (fake runner)


def test_provision_writes_key_and_inventory_privately_and_removes_them(playbook: Path, tmp_path: Path) -> None:
    ctx, cap = ctx_for(tmp_path)
    rec = Recorder()
    c = config(playbook, groups=["web"], ansible_env_vars=["ANSIBLE_FORKS=3", "X={{ build `User` }}"],
               extra_arguments=["--extra-vars", "who={{ build `Host` }}"])
    provisioner(c, rec).provision(ctx)
    play = rec.calls[0]
    assert play["argv"][0] == "ansible-playbook"
    assert play["key"] == KEY and play["key_mode"] == 0o600
    assert "[web]\ndefault ansible_host=127.0.0.1" in play["inventory"]
    assert "who=127.0.0.1" in play["argv"]
    assert play["env"]["ANSIBLE_FORKS"] == "3" and play["env"]["X"] == "debian"
    assert play["env"]["ANSIBLE_HOST_KEY_CHECKING"] == "False"
    assert play["env"]["ANSIBLE_SCP_IF_SSH"] == "True"
    assert not any(KEY.splitlines()[1] in a for a in play["argv"])
    assert not play["key_path"].exists() and not Path(play["inventory_path"]).exists()
    assert "Executing Ansible: ansible-playbook" in cap.text


def test_password_goes_in_a_private_vars_file_never_on_the_command_line(playbook: Path, tmp_path: Path) -> None:
    pw = "Ansible-Canary-Pw-77"
    secrets.add(pw)
    ctx, cap = ctx_for(tmp_path, SSHPrivateKey="", Password=pw)
    rec = Recorder()
    provisioner(config(playbook), rec).provision(ctx)
    play = rec.calls[0]
    assert play["vars"] == {"ansible_password": pw} and play["vars_mode"] == 0o600
    assert "ansible_host_key_checking=False" in play["argv"]
    assert not any(pw in a for a in play["argv"]) and pw not in cap.text
    assert "key" not in play  # no key to offer


def test_password_in_extra_arguments_is_masked_in_the_output(playbook: Path, tmp_path: Path) -> None:
    ctx, cap = ctx_for(tmp_path)
    rec = Recorder()
    provisioner(config(playbook, extra_arguments=["-e", "ansible_password=Extra-Canary-31", "-e", "db_secret=S3-x"]),
                rec).provision(ctx)
    assert "ansible_password=Extra-Canary-31" in rec.calls[0]["argv"]  # ansible gets it (the user put it there)
    assert "Extra-Canary-31" not in cap.text and "S3-x" not in cap.text
    assert "ansible_ssh_private_key_file" not in " ".join(rec.calls[0]["argv"])


def test_ansible_env_vars_win_and_use_sftp(playbook: Path, tmp_path: Path) -> None:
    ctx, _ = ctx_for(tmp_path)
    rec = Recorder()
    provisioner(config(playbook, use_sftp=True, ansible_env_vars=["ANSIBLE_HOST_KEY_CHECKING=True"]),
                rec).provision(ctx)
    env = rec.calls[0]["env"]
    assert env["ANSIBLE_HOST_KEY_CHECKING"] == "True" and "ANSIBLE_SCP_IF_SSH" not in env


def test_keep_inventory_file_in_inventory_directory(playbook: Path, tmp_path: Path) -> None:
    inv_dir = tmp_path / "inv"
    inv_dir.mkdir()
    ctx, _ = ctx_for(tmp_path)
    rec = Recorder()
    provisioner(config(playbook, inventory_directory=str(inv_dir), keep_inventory_file=True), rec).provision(ctx)
    kept = Path(rec.calls[0]["inventory_path"])
    assert kept.parent == inv_dir and kept.name.startswith("packer-provisioner-ansible")
    assert kept.read_text().startswith("default ansible_host=127.0.0.1")
    rec2 = Recorder()
    provisioner(config(playbook, inventory_directory=str(inv_dir)), rec2).provision(ctx)
    assert not Path(rec2.calls[0]["inventory_path"]).exists()
    assert list(inv_dir.iterdir()) == [kept]


def test_given_inventory_file_is_used_as_is(playbook: Path, tmp_path: Path) -> None:
    inv = tmp_path / "hosts"
    inv.write_text("mine ansible_host=10.0.0.9\n")
    ctx, _ = ctx_for(tmp_path)
    rec = Recorder()
    provisioner(config(playbook, inventory_file=str(inv)), rec).provision(ctx)
    assert rec.calls[0]["inventory_path"] == str(inv) and inv.exists()


@pytest.mark.parametrize("content,expected", [
    ("roles:\n  - name: a\n", [["install", "-r", "{f}", "-p", "/r"]]),
    ("collections:\n  - name: b\n", [["collection", "install", "-r", "{f}", "-f", "-p", "/c"]]),
    ("- src: old.style\n", [["install", "-r", "{f}", "-p", "/r"]]),
    ("roles: []\ncollections: []\n", [["install", "-r", "{f}", "-f", "-p", "/r"],
                                        ["collection", "install", "-r", "{f}", "-f", "-p", "/c"]]),
])
def test_galaxy_installs_roles_and_collections(playbook: Path, tmp_path: Path, content: str,
                                               expected: list[list[str]]) -> None:
    req = tmp_path / "requirements.yml"
    req.write_text(content)
    ctx, _ = ctx_for(tmp_path)
    rec = Recorder()
    force = content.startswith("collections") or "collections: []" in content
    c = config(playbook, galaxy_file=str(req), roles_path="/r", collections_path="/c", galaxy_force_install=force)
    provisioner(c, rec).provision(ctx)
    galaxy = [call["argv"] for call in rec.calls if call["argv"][0] == "ansible-galaxy"]
    want = [["ansible-galaxy", *[a.replace("{f}", str(req)) for a in e]] for e in expected]
    if not force:
        want = [[a for a in w if a != "-f"] for w in want]
    assert galaxy == want
    assert rec.calls[len(galaxy)]["argv"][0] == "ansible-playbook"  # galaxy first


def test_failures_are_build_errors(playbook: Path, tmp_path: Path) -> None:
    ctx, _ = ctx_for(tmp_path)
    with pytest.raises(BuildError, match="Non-zero exit status: 2"):
        provisioner(config(playbook), Recorder(returncode=2)).provision(ctx)
    ctx2, _ = ctx_for(tmp_path, ConnType="winrm")
    with pytest.raises(BuildError, match="needs the SSH communicator"):
        provisioner(config(playbook), Recorder()).provision(ctx2)
    ctx3, _ = ctx_for(tmp_path, Host="")
    with pytest.raises(BuildError, match="no SSH address"):
        provisioner(config(playbook), Recorder()).provision(ctx3)


def test_use_proxy_true_warns_and_connects_directly(playbook: Path, tmp_path: Path) -> None:
    ctx, cap = ctx_for(tmp_path)
    rec = Recorder()
    provisioner(config(playbook, use_proxy=True, user="other"), rec).provision(ctx)
    assert "use_proxy = true" in cap.text
    assert "ansible_host=127.0.0.1 ansible_user=other ansible_port=2222" in rec.calls[0]["inventory"]


# --------------------------------------------------------------------------- real ansible, real sshd


def test_real_playbook_against_a_real_sshd(sshd: SSHServer, ssh_user: SSHUser, tmp_path: Path) -> None:
    """ansible-core from PyPI, over SSH with the build's key, as the build's user."""
    (tmp_path / "roles" / "note" / "tasks").mkdir(parents=True)
    (tmp_path / "roles" / "note" / "templates").mkdir()
    (tmp_path / "roles" / "note" / "tasks" / "main.yml").write_text(
        "- ansible.builtin.template:\n    src: note.j2\n    dest: '{{ target_dir }}/note.txt'\n")
    (tmp_path / "roles" / "note" / "templates" / "note.j2").write_text(
        "{{ inventory_hostname }} {{ group_names | join(',') }} {{ packer_builder_type }}\n")
    pb = tmp_path / "site.yml"
    pb.write_text("- hosts: all\n  gather_facts: false\n  roles: [note]\n")
    ctx, cap = provision_ctx(None, tmp_path, build_vars={
        "Host": sshd.host, "Port": sshd.port, "User": ssh_user.name, "ConnType": "ssh",
        "SSHPrivateKey": ssh_user.key.private_pem, "Password": "", "PackerHTTPAddr": ""})
    before = set(os.listdir("/tmp"))
    cfg = parse_config(AnsibleConfig, {"playbook_file": str(pb), "groups": ["app"], "host_alias": "box",
                                       "extra_arguments": ["-e", f"target_dir={ssh_user.home}"],
                                       "ansible_env_vars": ["ANSIBLE_NOCOLOR=1"]}, component="ansible")
    try:
        AnsibleProvisioner(cfg).provision(ctx)
    except BuildError as e:
        pytest.fail(f"{e}\n{cap.text[-4000:]}")
    assert (ssh_user.home / "note.txt").read_text() == "box app qemu\n"
    assert "changed=1" in cap.text
    assert not [d for d in set(os.listdir("/tmp")) - before if d.startswith("pybuild-ansible-")]
    # the SSH connection master ansible started (ControlPersist) was ended
    masters = subprocess.run(["pgrep", "-af", "pybuild-ansible-"], capture_output=True, text=True).stdout
    assert [line for line in masters.splitlines() if "pgrep" not in line] == []
