"""Both Ansible provisioners in one real build (one TCG boot): the ``pybuild`` CLI runs
``tests/provisioners/ansible_data/build.pkr.hcl`` on a Debian 12 guest that has Debian's
``ansible-core`` (derived once from the test base config, cached by content hash).

- ``ansible`` (host side, ansible-core from PyPI): a role with a template and a handler,
  groups/empty_groups/host_alias in the written inventory, the build's key;
- ``ansible-local`` (guest side): playbook + role_paths + group_vars + inventory_groups,
  staging directory removed afterwards.

The effects are read from the output image offline (guestfish). Measured on the loaded
2-core machine (TCG): SSH up after ~2 min, ``ansible`` ~4 min, ``ansible-local`` ~4 min
(each task ~40-90 s under emulation); the whole test ~13 min plus the image build
(~1-2 min with the apt cache) the first time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.communicator.keys import generate_keypair
from builder.run import libguestfs_env, run
from tests.fixtures.images import BASE_CONFIG, cached_image

pytestmark = pytest.mark.slow
DATA = Path(__file__).with_name("ansible_data")
ANSIBLE_GUEST_CONFIG = {**BASE_CONFIG, "extra_packages": ["ansible-core"]}


@pytest.fixture(scope="session")
def ansible_guest_image() -> Path:
    """The test base image plus Debian's ansible-core (built once, cached)."""
    return cached_image(ANSIBLE_GUEST_CONFIG)


def guestfish(image: Path, *commands: str) -> dict[str, str]:
    """Read-only guestfish commands on the image's root partition; output per command."""
    script = "".join(f"echo ==={i}===\n{c}\n" for i, c in enumerate(commands))
    res = run(["guestfish", "--ro", "-a", image, "-m", "/dev/sda1"], input=script.encode(),
              env=libguestfs_env(), timeout=600)
    parts = res.stdout.split("===")
    return {commands[int(i)]: text.strip("\n") for i, text in zip(parts[1::2], parts[2::2], strict=True)}


def leftover_ansible_processes() -> list[str]:
    out = subprocess.run(["pgrep", "-af", "pybuild-ansible-"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


def test_ansible_and_ansible_local_on_a_real_guest(ansible_guest_image: Path, tmp_path: Path) -> None:
    assert shutil.which("ansible-playbook"), "ansible-core is not installed (pip install -e '.[ansible]')"
    disk = tmp_path / "base.qcow2"
    run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", ansible_guest_image, "-F", "qcow2", disk])
    key = generate_keypair()
    key_file = tmp_path / "id_test"
    key_file.write_text(key.private_pem)
    key_file.chmod(0o600)
    work = tmp_path / "w"
    work.mkdir()
    env = dict(os.environ, PYBUILD_ACCELERATOR="tcg", PYTHONUNBUFFERED="1",
               PYBUILD_LOG_DIR=str(work / "logs"), PYBUILD_FAILURE_DIR=str(work / "failures"))
    p = subprocess.run(
        [sys.executable, "-m", "builder.cli", "build", "-var", f"base_image={disk}", "-var", f"key_file={key_file}",
         "-var", f"public_key={key.public_openssh}", str(DATA / "build.pkr.hcl")],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3000,
    )
    out = p.stdout
    assert p.returncode == 0, out[-6000:]
    # the host-side run: the handler ran because the template changed the file
    assert "RUNNING HANDLER [webconf : record the handler]" in out
    assert "Executing Ansible: ansible-playbook" in out
    # the key's contents never reached the output
    assert key.private_pem.strip().splitlines()[1] not in out
    assert not leftover_ansible_processes()

    image = work / "output-ansible" / "ansible-test"
    files = guestfish(image, "cat /etc/pybuild-ansible/app.conf", "cat /etc/pybuild-ansible/handler-ran",
                      "cat /etc/pybuild-ansible/local.conf", "is-dir /tmp/pybuild-ansible-staging")
    assert files["cat /etc/pybuild-ansible/app.conf"].splitlines() == [
        "greeting=hello-from-pybuild",
        "host=guest1",
        "groups=edge,web",
        "build=ansible type=qemu",
        "remote_user=debian",
    ]
    assert files["cat /etc/pybuild-ansible/handler-ran"] == "handler ran after app.conf changed"
    assert files["cat /etc/pybuild-ansible/local.conf"].splitlines() == [
        "colour=teal", "connection=local", "groups=local", "build=ansible",
    ]
    assert files["is-dir /tmp/pybuild-ansible-staging"] == "false"
