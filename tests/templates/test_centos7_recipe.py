"""Every step of the CentOS 7 OpenStack image recipe, one named test each.

A build of templates/centos7.pkr.hcl = the kickstart pybuild serves (rendered) + the
shell provisioner scripts in the order the template lists them, with the template's
environment + the builder settings + the post-processor chain. Each test finds its
step where it must happen (installer vs. script vs. post-processor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pykickstart.parser import KickstartParser
from pykickstart.version import RHEL7, makeVersion

from builder.config import parse_config
from builder.errors import PybuildError
from builder.plugins import REGISTRY
from builder.template.loader import load
from builder.template.model import Template
from tests.templates._paths import TEMPLATES
from tests.templates._render import (
    ctx,
    load_template,
    provisioner_env,
    provisioner_scripts,
    render_http_dir,
    source_config,
)


@dataclass
class Build:
    template: Template
    ks: str
    ks_handler: Any
    source: dict[str, Any]
    scripts: dict[str, str]  # name -> text, in run order
    env: dict[str, str]
    post: list[tuple[str, dict[str, Any], list[str]]]  # (type, config, except)

    def script(self, name: str) -> str:
        assert name in self.scripts, f"{name} is not run by the template: {list(self.scripts)}"
        return self.scripts[name]


def make_build(tmp: Path, **vars: str) -> Build:
    t = load_template("centos7", **vars)
    ks = render_http_dir(t, tmp)["/ks.cfg"]
    parser = KickstartParser(makeVersion(RHEL7))
    parser.readKickstartFromString(ks)
    chain = t.builds[0].post_processor_chains
    assert len(chain) == 1
    return Build(
        template=t, ks=ks, ks_handler=parser.handler, source=source_config(t),
        scripts={p.name: p.read_text() for p in provisioner_scripts(t)},
        env=provisioner_env(t),
        post=[(c.type, c.evaluate(ctx(t)), c.except_) for c in chain[0]],
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return make_build(tmp_path_factory.mktemp("ks"))


@pytest.fixture(scope="module")
def build_with_mirror(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return make_build(tmp_path_factory.mktemp("ksm"), mirror="http://mirror.invalid/centos",
                      glance_cloud="mycloud")


def test_step_01_qcow2_disk_of_10G(build: Build) -> None:
    assert build.source["format"] == "qcow2"
    assert build.source["disk_size"] == "10G"


def test_step_02_virtio_block_device(build: Build) -> None:
    assert build.source["disk_interface"] == "virtio"
    assert build.ks_handler.ignoredisk.onlyuse == ["vda"]


def test_step_03_minimal_install(build: Build) -> None:
    assert build.ks_handler.packages.environment == "minimal"
    assert "core" in [g.name for g in build.ks_handler.packages.groupList]


def test_step_04_one_ext4_root_partition_no_swap(build: Build) -> None:
    parts = build.ks_handler.partition.partitions
    assert [(p.mountpoint, p.fstype) for p in parts] == [("/", "ext4")]


def test_step_05_sshd_permit_root_login_and_no_dns(build: Build) -> None:
    sshd = build.script("sshd.sh")
    assert build.env["PERMIT_ROOT_LOGIN"] == "yes"
    assert 'echo "PermitRootLogin $PERMIT_ROOT_LOGIN"' in sshd
    assert 'echo "UseDNS no"' in sshd
    # the installed system already allows root for the provisioners' SSH login
    assert "PermitRootLogin yes" in build.ks_handler.scripts[-1].script


def test_step_06_selinux_disabled(build: Build) -> None:
    assert build.ks_handler.selinux.selinux == 0
    assert "s/^SELINUX=.*/SELINUX=disabled/" in build.script("selinux.sh")


def test_step_07_the_mirror_is_required(build: Build) -> None:
    """CentOS 7's own mirrors are gone: the template names none and requires one."""
    assert build.ks_handler.method.url == "http://mirror.example/centos/7.9.2009/os/x86_64/"
    with pytest.raises(PybuildError, match='mirror'):
        load(str(TEMPLATES / "centos7.pkr.hcl"), vars={"iso_url": "x.iso", "iso_checksum": "none"}, env={})


def test_step_07_local_mirror_with_a_mirror_variable(build_with_mirror: Build) -> None:
    b = build_with_mirror
    assert b.ks_handler.method.url == "http://mirror.invalid/centos/7.9.2009/os/x86_64/"
    assert "base=http://mirror.invalid/centos/7.9.2009/os/x86_64/" in b.env["REPOS"].split()
    repos = b.script("repos.sh")
    assert "rm -f ./*.repo" in repos and "local.repo" in repos
    assert 'curl -fsS -o local.repo "$REPO_FILE_URL"' in repos  # the recipe's variant
    assert "yum repolist" in repos


def test_step_08_acpid_installed_and_enabled(build: Build) -> None:
    pk = build.script("packages.sh")
    assert re.search(r"PACKAGES=\$\{PACKAGES:-[^}]*\bacpid\b", pk)
    assert re.search(r"enable_units acpid\b", pk)


def test_step_09_networkmanager_off_network_service_on(build: Build) -> None:
    net = build.script("network.sh")
    assert "systemctl stop NetworkManager" in net
    assert "systemctl disable NetworkManager" in net
    assert "chkconfig --level 2345 network on" in net


def test_step_10_chrony_installed_and_enabled(build: Build) -> None:
    pk = build.script("packages.sh")
    assert re.search(r"PACKAGES=\$\{PACKAGES:-[^}]*\bchrony\b", pk)
    assert re.search(r"enable_units acpid chronyd\b", pk)


def test_step_11_serial_console_kernel_cmdline_and_grub2_mkconfig(build: Build) -> None:
    assert build.env["KERNEL_CMDLINE"] == "crashkernel=auto console=tty0 console=ttyS0,115200n8"
    sc = build.script("serial-console.sh")
    assert 'GRUB_CMDLINE_LINUX=\\"$KERNEL_CMDLINE\\"' in sc
    assert "grub2-mkconfig -o /boot/grub2/grub.cfg" in sc


def test_step_12_qemu_guest_agent_installed_and_configured(build: Build) -> None:
    assert "qemu-guest-agent" in build.script("packages.sh")
    ga = build.script("qemu-ga.sh")
    assert "cat >/etc/sysconfig/qemu-ga <<'CONF'" in ga
    body = ga.split("<<'CONF'\n", 1)[1].split("\nCONF\n", 1)[0].splitlines()
    assert body == [
        'TRANSPORT_METHOD="virtio-serial"',
        'DEVPATH="/dev/virtio-ports/org.qemu.guest_agent.0"',
        'LOGFILE="/var/log/qemu-ga/qemu-ga.log"',
        'PIDFILE="/var/run/qemu-ga.pid"',
        'BLACKLIST_RPC=""',
        "FSFREEZE_HOOK_ENABLE=1",
    ]


def test_step_13_nozeroconf(build: Build) -> None:
    assert 'echo "NOZEROCONF=yes" >>/etc/sysconfig/network' in build.script("network.sh")


def test_step_14_cloud_init_installed_and_configured(build: Build) -> None:
    assert re.search(r"PACKAGES=\$\{PACKAGES:-[^}]*\bcloud-init\b", build.script("packages.sh"))
    ci = build.script("cloud-init.sh")
    assert 'echo " - default"' in ci
    assert "DISABLE_ROOT=${DISABLE_ROOT:-0}" in ci and "set_key disable_root" in ci
    assert "SSH_PWAUTH=${SSH_PWAUTH:-1}" in ci and "set_key ssh_pwauth" in ci
    assert "DISABLE_ROOT" not in build.env and "SSH_PWAUTH" not in build.env


def test_step_15_growpart_and_dracut_for_every_kernel(build: Build) -> None:
    gp = build.script("growpart.sh")
    assert "yum install -y cloud-utils-growpart.x86_64" in gp
    assert "rpm -qa kernel | sed 's/^kernel-//' | xargs -I {} dracut -f /boot/initramfs-{}.img {}" in gp
    assert build.env.get("REBUILD_INITRAMFS", "yes") == "yes"


def test_step_16_admin_pass_hook_installed(build: Build) -> None:
    provs = build.template.builds[0].provisioners
    uploads = [c.evaluate(ctx(build.template)) for c in provs if c.type == "file"]
    assert any(u["source"].endswith("scripts/admin-pass-hook")
               and u["destination"] == "/tmp/pybuild-admin-pass-hook" for u in uploads)
    names = list(build.scripts)
    assert "install-admin-pass-hook.sh" in names
    assert build.env["ROOT_PASSWORD_SSH"] == "yes"


def test_step_17_cleanup_then_power_off(build: Build) -> None:
    assert list(build.scripts)[-1] == "cleanup.sh"
    assert build.source["shutdown_command"] == "/sbin/shutdown -h now"


def test_step_18_virt_sysprep_then_virt_sparsify_compress(build: Build) -> None:
    types = [p[0] for p in build.post]
    assert types[:2] == ["virt-sysprep", "virt-sparsify"]
    assert build.post[1][1]["compress"] is True
    # neighbours in one chain: pybuild runs them in one libguestfs appliance boot
    sysprep, sparsify = (REGISTRY.get("post-processor", kind)(parse_config(
        REGISTRY.get("post-processor", kind).Config, {k: v for k, v in cfg.items() if k != "keep_input_artifact"},
        component=kind)) for kind, cfg, _ in build.post[:2])
    assert sysprep.fuse_next(sparsify) and sparsify.trimmed_by == "virt-sysprep"


def test_step_19_glance_upload_qcow2_bare_public_with_guest_agent(build_with_mirror: Build) -> None:
    kind, cfg, except_ = build_with_mirror.post[2]
    assert kind == "glance" and except_ == []
    assert cfg["cloud"] == "mycloud"
    assert (cfg["disk_format"], cfg["container_format"], cfg["visibility"]) == ("qcow2", "bare", "public")
    assert cfg["properties"]["hw_qemu_guest_agent"] == "yes"
    assert (cfg["properties"]["os_distro"], cfg["properties"]["os_version"]) == ("centos", "7")


def test_step_19_glance_skipped_without_a_cloud(build: Build) -> None:
    kind, _cfg, except_ = build.post[2]
    assert kind == "glance" and except_ == ["qemu.centos7"]


def test_scripts_run_in_the_recipe_order(build: Build) -> None:
    assert list(build.scripts) == [
        "repos.sh", "packages.sh", "sshd.sh", "selinux.sh", "network.sh", "serial-console.sh",
        "qemu-ga.sh", "cloud-init.sh", "growpart.sh", "install-admin-pass-hook.sh", "cleanup.sh",
    ]
