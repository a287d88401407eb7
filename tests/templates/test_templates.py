"""The shipped templates: loadable by pybuild's HCL engine (and Packer's parser),
common variables, the Glance guard, and per-template specifics (EL9 BIOS+UEFI,
the Ubuntu autoinstall seed, the debian12-cloud demo)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import hcl2
import pytest
import yaml

from tests.templates._paths import ROOT, SCRIPTS, TEMPLATES
from tests.templates._render import (
    REQUIRED_VARS,
    ctx,
    load_template,
    provisioner_env,
    provisioner_scripts,
    required_var_args,
    source_config,
)
from tests.tools import require_tool

MINE = ["centos7", "rocky9", "almalinux9", "debian12", "debian12-cloud", "ubuntu2404"]
COMMON_VARS = ["mirror", "root_password", "disk_size", "image_name", "glance_cloud",
               "glance_endpoint", "glance_visibility", "accelerator"]


@pytest.mark.parametrize("name", MINE)
def test_python_hcl2_parses(name: str) -> None:
    with open(TEMPLATES / f"{name}.pkr.hcl") as f:
        tree = hcl2.load(f)
    assert tree["build"] and tree["source"]


@pytest.mark.parametrize("name", MINE)
def test_packer_syntax_only(name: str, tmp_path: Path) -> None:
    require_tool("packer", hint="apt-get install -y packer")
    r = subprocess.run(["packer", "validate", "-syntax-only", str(TEMPLATES / f"{name}.pkr.hcl")],
                       capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1",
                            "HOME": str(tmp_path)})
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("name", MINE)
def test_common_variables(name: str) -> None:
    t = load_template(name)
    for v in COMMON_VARS:
        assert v in t.variables, f"{name}: variable {v} missing"
    assert t.variables["root_password"].sensitive
    assert t.variables["glance_visibility"].value == "public"
    assert t.variables["mirror"].value == REQUIRED_VARS.get(name, {}).get("mirror", "")
    assert t.variables["accelerator"].value == ""  # "" = auto (PYBUILD_ACCELERATOR overrides)


@pytest.mark.parametrize("name", MINE)
def test_every_source_is_headless_virtio_and_uses_the_variables(name: str) -> None:
    t = load_template(name, disk_size="7G", image_name="img-x", accelerator="tcg")
    for src in t.builds[0].sources:
        cfg = src.evaluate(ctx(t))
        assert cfg["headless"] is True
        assert cfg["disk_interface"] == "virtio"
        assert cfg["disk_size"] == "7G"
        assert cfg["vm_name"].startswith("img-x")
        assert cfg["accelerator"] == "tcg"
        assert cfg["format"] == "qcow2"


@pytest.mark.parametrize("name", MINE)
def test_scripts_exist_and_end_with_cleanup(name: str) -> None:
    t = load_template(name)
    scripts = provisioner_scripts(t)
    assert scripts, "no shell provisioner scripts"
    for s in scripts:
        assert s.resolve().parent == SCRIPTS.resolve() and s.exists(), s
    names = [s.name for s in scripts]
    assert names[-1] == "cleanup.sh"
    assert "install-admin-pass-hook.sh" in names
    uploads = [c.evaluate(ctx(t)) for c in t.builds[0].provisioners if c.type == "file"]
    assert [Path(u["source"]).resolve() for u in uploads] == [(SCRIPTS / "admin-pass-hook").resolve()]


@pytest.mark.parametrize("name", MINE)
def test_post_processor_chain_and_glance_guard(name: str) -> None:
    sources = [s.full_name for s in load_template(name).builds[0].sources]
    for vars_, uploads in [({}, False), ({"glance_cloud": "c1"}, True),
                           ({"glance_endpoint": "http://127.0.0.1:9292"}, True)]:
        t = load_template(name, **vars_)
        (chain,) = t.builds[0].post_processor_chains
        # debian12-cloud proves the image (verify) before it can reach Glance
        middle = ["verify"] if name == "debian12-cloud" else []
        assert [c.type for c in chain] == ["virt-sysprep", "virt-sparsify", *middle, "glance"]
        assert chain[1].evaluate(ctx(t))["compress"] is True
        glance = chain[-1]
        for src in sources:
            assert glance.applies_to(src) is uploads, (vars_, src)
        cfg = glance.evaluate(ctx(t))
        assert cfg["properties"]["hw_qemu_guest_agent"] == "yes"
        assert cfg["properties"]["os_distro"] and cfg["properties"]["os_version"]
        assert (cfg["disk_format"], cfg["container_format"]) == ("qcow2", "bare")
        # a Glance without Keystone: auth_type none exactly when an endpoint is given
        assert cfg["auth_type"] == ("none" if "glance_endpoint" in vars_ else "")


@pytest.mark.parametrize("name", MINE)
def test_glance_config_is_accepted_by_the_post_processor(name: str) -> None:
    from builder.config import parse_config
    from builder.post_processors import glance as glance_mod  # the project's own: a broken one must fail

    t = load_template(name, glance_endpoint="http://127.0.0.1:9292")
    raw = t.builds[0].post_processor_chains[0][-1].evaluate(ctx(t))
    cfg = parse_config(glance_mod.GlanceUpload.Config, raw, component="glance")
    assert cfg.auth_type == "none" and cfg.visibility == "public"


# --------------------------------------------------------------------------- EL9


@pytest.mark.parametrize("name", ["rocky9", "almalinux9"])
def test_el9_bios_and_uefi_sources(name: str) -> None:
    t = load_template(name)
    bios = source_config(t, f"qemu.{name}-bios")
    uefi = source_config(t, f"qemu.{name}-uefi")
    assert not bios.get("efi_boot")
    assert uefi["efi_boot"] is True and uefi["machine_type"] == "q35"
    # x86-64-v2 guests under TCG: the default qemu64 model cannot run EL9
    assert bios["cpu_model"] == uefi["cpu_model"] == "max"
    for cfg in (bios, uefi):
        typed = "".join(cfg["boot_command"])
        assert "inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg" in typed
    assert "<leftCtrlOn>x<leftCtrlOff>" in "".join(uefi["boot_command"])
    assert "".join(bios["boot_command"]).endswith("<enter>")
    assert t.variables["distro"].value == {"rocky9": "rocky", "almalinux9": "almalinux"}[name]


# --------------------------------------------------------------------------- Ubuntu


def test_ubuntu_autoinstall_seed() -> None:
    t = load_template("ubuntu2404", mirror="http://ubuntu.example/ubuntu",
                      ssh_password='pa"ss: #w\\ord')
    cfg = source_config(t)
    assert cfg["cd_label"] == "cidata"
    assert set(cfg["cd_content"]) == {"user-data", "meta-data"}
    ud_text = cfg["cd_content"]["user-data"]
    assert ud_text.splitlines()[0] == "#cloud-config"
    ud = yaml.safe_load(ud_text)
    ai = ud["autoinstall"]
    assert ai["version"] == 1
    assert "systemctl stop ssh" in ai["early-commands"]
    assert ai["storage"]["layout"]["name"] == "direct"
    assert ai["storage"]["swap"]["size"] == 0
    assert ai["ssh"]["install-server"] is True
    assert ai["apt"]["primary"][0]["uri"] == "http://ubuntu.example/ubuntu"
    (user,) = ai["user-data"]["users"]
    assert user["name"] == cfg["ssh_username"] == "pybuild"
    assert user["plain_text_passwd"] == cfg["ssh_password"] == 'pa"ss: #w\\ord'
    assert "NOPASSWD" in user["sudo"]
    assert "instance-id" in yaml.safe_load(cfg["cd_content"]["meta-data"])
    assert cfg["ssh_handshake_attempts"] >= 500
    assert "autoinstall" in "".join(cfg["boot_command"])
    assert "userdel -f -r pybuild" in cfg["shutdown_command"]


# --------------------------------------------------------------------------- debian12-cloud


def test_debian12_cloud_customizes_the_base_image() -> None:
    t = load_template("debian12-cloud")
    cfg = source_config(t)
    assert cfg["disk_image"] is True
    assert cfg["iso_checksum"] == "none"
    assert (cfg["memory"], cfg["cpus"], cfg["headless"]) == (1024, 2, True)
    # the default base image is what templates/debian12-base.pkr.hcl writes
    base = load_template("debian12-base")
    bsrc = source_config(base)
    assert cfg["iso_url"] == f"{bsrc['output_directory']}/{bsrc['vm_name']}"


def test_debian12_cloud_seed_creates_the_build_user() -> None:
    pw = "p'w\" \\ :#{}[]"
    cfg = source_config(load_template("debian12-cloud", ssh_password=pw))
    assert cfg["cd_label"] == "cidata"
    ud_text = cfg["cd_content"]["user-data"]
    assert ud_text.splitlines()[0] == "#cloud-config"
    ud = yaml.safe_load(ud_text)
    (user,) = ud["users"]
    assert user["name"] == cfg["ssh_username"] == "pybuild"
    assert user["plain_text_passwd"] == cfg["ssh_password"] == pw
    assert user["lock_passwd"] is False and "NOPASSWD" in user["sudo"]
    assert ud["ssh_pwauth"] is True
    assert yaml.safe_load(cfg["cd_content"]["meta-data"])["instance-id"]
    assert "userdel -f -r pybuild" in cfg["shutdown_command"]


def test_debian12_cloud_provisioning_steps() -> None:
    t = load_template("debian12-cloud")
    names = [s.name for s in provisioner_scripts(t)]
    assert names == ["repos.sh", "packages.sh", "sshd.sh", "serial-console.sh", "qemu-ga.sh",
                     "cloud-init.sh", "growpart.sh", "install-admin-pass-hook.sh", "cleanup.sh"]
    env = provisioner_env(t)
    assert env["KERNEL_CMDLINE"] == "console=tty0 console=ttyS0,115200n8"
    assert env["CLOUD_DATASOURCES"] == "ConfigDrive, OpenStack, NoCloud, None"
    assert set(env["PACKAGES"].split()) >= {"qemu-guest-agent", "cloud-init", "cloud-guest-utils"}
    assert env["LOCK_ROOT_PASSWORD"] == "yes"
    for p in t.builds[0].provisioners:
        if p.type == "shell":
            assert p.evaluate(ctx(t))["execute_command"].startswith("chmod +x {{ .Path }}; sudo ")


def test_debian12_cloud_root_password_variable() -> None:
    t = load_template("debian12-cloud", root_password="fixed-pw")
    assert provisioner_env(t)["LOCK_ROOT_PASSWORD"] == "no"
    inline = [p.evaluate(ctx(t)) for p in t.builds[0].provisioners if p.type == "shell"][-1]
    assert inline["environment_vars"] == ["ROOT_PASSWORD=fixed-pw"]
    assert "chpasswd" in inline["inline"][0]


# --------------------------------------------------------------------------- pybuild validate


def pybuild_validate(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run([sys.executable, "-m", "builder.cli", "validate", *args, str(path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.mark.parametrize("name", MINE)
@pytest.mark.parametrize("vars_", [[], ["-var", "glance_endpoint=http://127.0.0.1:9292",
                                        "-var", "mirror=http://mirror.invalid/repo"]],
                         ids=["defaults", "glance+mirror"])
def test_pybuild_validate(name: str, vars_: list[str]) -> None:
    r = pybuild_validate(TEMPLATES / f"{name}.pkr.hcl", *required_var_args(name), *vars_)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "The configuration is valid." in r.stdout


@pytest.mark.parametrize("name", sorted(REQUIRED_VARS))
def test_installer_templates_name_no_download_host(name: str) -> None:
    """No public mirror or download host in a shipped template: the ISO (and CentOS 7's mirror)
    must be given, and leaving it out is one clear, located error."""
    r = pybuild_validate(TEMPLATES / f"{name}.pkr.hcl")
    assert r.returncode == 2, r.stdout + r.stderr
    for var in REQUIRED_VARS[name]:
        assert f'"{var}"' in r.stdout + r.stderr, var
    assert f"{name}.pkr.hcl line " in r.stdout + r.stderr


def test_pybuild_validate_catches_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pkr.hcl"
    text = (TEMPLATES / "debian12-cloud.pkr.hcl").read_text()
    broken.write_text(text.replace('disk_interface   = "virtio"', 'disk_interface   = "floppy"'))
    r = pybuild_validate(broken)
    assert r.returncode != 0
    assert "disk_interface" in r.stdout + r.stderr
