"""The provisioner scripts: shellcheck-clean POSIX sh, and the config-editing ones run
for real on the host against sample files (through their path overrides)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests import tools
from tests.templates._paths import HOOK, SCRIPTS
from tests.tools import require_tool

ALL_SCRIPTS = [*sorted(SCRIPTS.glob("*.sh")), HOOK]
BASE_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8"}


def test_the_expected_scripts_exist() -> None:
    names = {p.name for p in ALL_SCRIPTS}
    assert names >= {
        "admin-pass-hook", "install-admin-pass-hook.sh", "repos.sh", "packages.sh", "sshd.sh",
        "selinux.sh", "network.sh", "serial-console.sh", "qemu-ga.sh", "cloud-init.sh",
        "growpart.sh", "cleanup.sh",
    }


@pytest.mark.parametrize("script", ALL_SCRIPTS, ids=lambda p: p.name)
def test_shellcheck_clean(script: Path) -> None:
    assert shutil.which("shellcheck"), "shellcheck is required (apt-get install shellcheck)"
    r = subprocess.run(["shellcheck", "--shell=sh", "--severity=style", str(script)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("script", ALL_SCRIPTS, ids=lambda p: p.name)
def test_posix_sh_and_executable(script: Path) -> None:
    assert script.read_text().startswith("#!/bin/sh\n")
    assert script.stat().st_mode & 0o111
    # dash is the strictest common /bin/sh: the script must at least parse with it
    dash = require_tool("dash", hint="apt-get install dash")
    r = subprocess.run([dash, "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_shellcheck_really_checks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/sh\nrm -rf $1/*\n[[ -n $x ]]\n")
    r = subprocess.run(["shellcheck", "--shell=sh", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0


# --------------------------------------------------------------------------- cloud-init.sh

EL7_CLOUD_CFG = """\
users:
 - default

disable_root: 1
ssh_pwauth:   0

mount_default_fields: [~, ~, 'auto', 'defaults,nofail,x-systemd.requires=cloud-init.service', '0', '2']
resize_rootfs_tmp: /dev
ssh_deletekeys:   1
ssh_genkeytypes:  ~
syslog_fix_perms: ~
disable_vmware_customization: false

cloud_init_modules:
 - disk_setup
 - migrator
 - bootcmd
 - write-files
 - growpart
 - resizefs
 - set_hostname
 - update_hostname
 - update_etc_hosts
 - rsyslog
 - users-groups
 - ssh

system_info:
  default_user:
    name: centos
    lock_passwd: true
    gecos: Cloud User
    groups: [adm, systemd-journal]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
  distro: rhel
  paths:
    cloud_dir: /var/lib/cloud
    templates_dir: /etc/cloud/templates
  ssh_svcname: sshd

# vim:syntax=yaml
"""

DEBIAN_CLOUD_CFG = """\
# The top level settings are used as module
# and base configuration.
# A set of users which may be applied and/or used by various modules
# when a 'default' entry is found it will reference the 'default_user'
# from the distro configuration specified below
users:
   - default
   - name: extra
     groups: [adm]

# If this is set, 'root' will not be able to ssh in and they
# will get a message to login instead as the default $user
disable_root: true

# This will cause the set+update hostname module to not operate (if true)
preserve_hostname: false

apt:
   # This prevents cloud-init from rewriting apt's sources.list file
   preserve_sources_list: true

cloud_init_modules:
 - migrator
 - seed_random
 - bootcmd
 - ssh

system_info:
   distro: debian
   default_user:
     name: debian
     lock_passwd: True
     gecos: Debian
   ssh_svcname: ssh
"""


@pytest.mark.parametrize("sample", [EL7_CLOUD_CFG, DEBIAN_CLOUD_CFG], ids=["el7", "debian"])
def test_cloud_init_script_edits_cloud_cfg(tmp_path: Path, sample: str) -> None:
    cfg = tmp_path / "cloud.cfg"
    cfg.write_text(sample)
    before = yaml.safe_load(sample)
    r = subprocess.run(["sh", str(SCRIPTS / "cloud-init.sh")],
                       env={**BASE_ENV, "CLOUD_CFG": str(cfg), "CLOUD_CFG_D": str(tmp_path / "d")},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    after = yaml.safe_load(cfg.read_text())
    assert after["users"] == ["default"]
    assert after["disable_root"] == 0
    assert after["ssh_pwauth"] == 1
    # everything else is untouched
    for key in set(before) - {"users", "disable_root", "ssh_pwauth"}:
        assert after[key] == before[key], key
    ds = yaml.safe_load((tmp_path / "d" / "99_pybuild_datasources.cfg").read_text())
    assert ds["datasource_list"] == ["ConfigDrive", "OpenStack", "NoCloud", "None"]

    # running it twice changes nothing more
    once = cfg.read_text()
    subprocess.run(["sh", str(SCRIPTS / "cloud-init.sh")], check=True, capture_output=True,
                   env={**BASE_ENV, "CLOUD_CFG": str(cfg), "CLOUD_CFG_D": str(tmp_path / "d")})
    assert yaml.safe_load(cfg.read_text()) == yaml.safe_load(once)


# --------------------------------------------------------------------------- sshd.sh

SSHD_SAMPLE = """\
Include /etc/ssh/sshd_config.d/*.conf
#PermitRootLogin prohibit-password
PermitRootLogin no
UseDNS yes
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
Subsystem sftp /usr/lib/openssh/sftp-server
Match User anoncvs
    X11Forwarding no
"""


@pytest.mark.parametrize("policy", ["yes", "prohibit-password"])
def test_sshd_script_puts_root_login_and_usedns_first(tmp_path: Path, policy: str) -> None:
    conf = tmp_path / "sshd_config"
    conf.write_text(SSHD_SAMPLE)
    r = subprocess.run(["sh", str(SCRIPTS / "sshd.sh")],
                       env={**BASE_ENV, "SSHD_CONFIG": str(conf), "PERMIT_ROOT_LOGIN": policy},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr  # includes `sshd -t` when sshd is installed
    active = [ln.strip() for ln in conf.read_text().splitlines()
              if ln.strip() and not ln.lstrip().startswith("#")]
    assert active[:3] == [f"PermitRootLogin {policy}", "UseDNS no", "Include /etc/ssh/sshd_config.d/*.conf"]
    assert "PermitRootLogin no" not in active and "UseDNS yes" not in active
    assert "Match User anoncvs" in active
    # what sshd itself will use (first value wins); a host key of our own, so that
    # `sshd -T` does not depend on the machine's keys
    sshd = _sshd()
    key = tmp_path / "host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    t = subprocess.run([sshd, "-T", "-f", str(conf), "-h", str(key)], capture_output=True, text=True)
    assert t.returncode == 0, t.stderr
    effective = dict(line.split(" ", 1) for line in t.stdout.splitlines() if " " in line)
    assert effective["permitrootlogin"] == ("without-password" if policy != "yes" else "yes")
    assert effective["usedns"] == "no"


def _sshd() -> str:
    if not Path("/usr/sbin/sshd").exists():
        tools.missing("sshd is not installed (apt-get install openssh-server)")
    return "/usr/sbin/sshd"


def test_sshd_script_fails_on_an_invalid_config(tmp_path: Path) -> None:
    _sshd()
    conf = tmp_path / "sshd_config"
    conf.write_text("NoSuchSshdOption 1\n")
    r = subprocess.run(["sh", str(SCRIPTS / "sshd.sh")],
                       env={**BASE_ENV, "SSHD_CONFIG": str(conf)}, capture_output=True, text=True)
    assert r.returncode != 0
