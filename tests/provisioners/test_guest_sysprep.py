"""The guest-sysprep provisioner: its script against virt-sysprep's operation list, its
config, how it runs the script; the build disk's discard options on QEMU's -drive."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ctxutil import provision_ctx

from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.plugins import REGISTRY
from builder.provisioners.guest_sysprep import (
    EXTRA,
    NOT_COVERED,
    OPERATIONS,
    GuestSysprepConfig,
    GuestSysprepProvisioner,
    sysprep_script,
)
from builder.qemu.argv import RunFacts, build_argv
from builder.qemu.config import QemuConfig
from tests.tools import require_tool

# `virt-sysprep --list-operations` (1.48.2) entries marked "*" (enabled by default)
SYSPREP_DEFAULTS = {
    "abrt-data", "backup-files", "bash-history", "blkid-tab", "crash-data", "cron-spool", "customize",
    "dhcp-client-state", "dhcp-server-state", "dovecot-data", "ipa-client", "kerberos-hostkeytab", "logfiles",
    "lvm-uuids", "machine-id", "mail-spool", "net-hostname", "net-hwaddr", "net-nmconn", "pacct-log",
    "package-manager-cache", "pam-data", "passwd-backups", "puppet-data-log", "rh-subscription-manager",
    "rhn-systemid", "rpm-db", "samba-db-log", "script", "smolt-uuid", "ssh-hostkeys", "ssh-userdir",
    "sssd-db-log", "tmp-files", "udev-persistent-net", "utmp", "yum-uuid",
}


def test_every_default_operation_is_covered_or_explained():
    assert set(OPERATIONS) | set(NOT_COVERED) == SYSPREP_DEFAULTS
    assert not set(OPERATIONS) & set(NOT_COVERED)
    assert all(reason.strip() for reason in NOT_COVERED.values())


def test_the_list_matches_the_installed_virt_sysprep():
    require_tool("virt-sysprep", hint="dev/setup installs libguestfs-tools")
    out = subprocess.run(["virt-sysprep", "--list-operations"], capture_output=True, text=True, check=True).stdout
    defaults = {line.split()[0] for line in out.splitlines() if line.split()[1:2] == ["*"]}
    # a newer virt-sysprep may add operations: then the table needs an entry (or a reason)
    assert defaults == SYSPREP_DEFAULTS


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_script_is_valid_shell(shell, tmp_path):
    if shutil.which(shell) is None:
        pytest.fail(f"{shell} missing")
    f = tmp_path / "s.sh"
    f.write_text(sysprep_script())
    subprocess.run([shell, "-n", str(f)], check=True)


def test_script_does_what_the_clean_check_looks_for():
    s = sysprep_script()
    for line in ("rm -f /etc/ssh/*_host_*", ": >/etc/machine-id", "rm -f /etc/udev/rules.d/70-persistent-net.rules",
                 "rm -f /root/.*_history /home/*/.*_history", "rm -rf /var/lib/cloud/*", "apt-get clean",
                 "dnf clean all", "yum clean all", "find /tmp /var/tmp -mindepth 1 -delete"):
        assert line in s, line
    # machine-id is emptied, never removed
    assert "rm -f /etc/machine-id" not in s
    # every operation has its own section; fstrim comes after everything else, then the end
    for name in (*OPERATIONS, *EXTRA):
        assert f"echo '==> {name}'" in s
    lines = s.splitlines()
    assert lines[-1] == "echo '==> guest-sysprep done'"
    assert lines[-2].startswith("fstrim -av")
    assert lines.index("sync") < lines.index("echo '==> fstrim'")


def test_a_failed_operation_fails_the_script(tmp_path):
    """Each operation runs with `set -e` in a subshell: its first failing line counts."""
    body = sysprep_script(skip=list(OPERATIONS) + list(EXTRA), fstrim=False)
    # the same wrapping as every operation, around a body whose first line fails
    assert "(set -e\nrm -f /etc/ssh/*_host_*\n)\n[ $? -eq 0 ] || failed=\"$failed ssh-hostkeys\"" in sysprep_script()
    broken = body.replace("failed=\n", "failed=\n(set -e\nfalse\n: later lines succeed\n)\n[ $? -eq 0 ] || failed=\"$failed x\"\n")
    f = tmp_path / "s.sh"
    f.write_text(broken)
    r = subprocess.run(["sh", str(f)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "==> failed: x" in r.stderr
    f.write_text(body)
    assert subprocess.run(["sh", str(f)], capture_output=True, text=True).returncode == 0


def test_skip_and_fstrim_options():
    s = sysprep_script(skip=["ssh-userdir", "cloud-init"], fstrim=False)
    assert "/home/*/.ssh" not in s and "/var/lib/cloud" not in s and "fstrim" not in s
    assert "rm -f /etc/ssh/*_host_*" in s


# -- the cloud-init parts, run against a fake root: the script's absolute paths point into
# tmp_path, and PATH holds a `cloud-init` that records being run (it must never be: its
# Python start-up is what the wait and the clean avoid) and a `systemctl` whose answers
# to is-system-running come from a file, one line a call

CI_PATHS = ("/run/cloud-init", "/run/systemd/system", "/var/lib/cloud", "/etc/cloud/clean.d", "/var/log/")


def fake_root_script(root: Path, wait: int = 600) -> tuple[Path, dict[str, str]]:
    body = sysprep_script(skip=list(OPERATIONS), fstrim=False, cloud_init_wait=wait)
    for p in CI_PATHS:
        assert p in body, p
        body = body.replace(p, f"{root}{p}")
    body = body.replace("cd /\n", f"cd {root}\n")
    bin_ = root / "bin"
    bin_.mkdir()
    (bin_ / "cloud-init").write_text(f"#!/bin/sh\necho \"$@\" >>{root}/cloud-init-ran\n")
    (bin_ / "systemctl").write_text(
        f"#!/bin/sh\n[ \"$1\" = is-system-running ] || exit 2\n"
        f"head -n 1 {root}/states; sed -i 1d {root}/states\n")
    for f in bin_.iterdir():
        f.chmod(0o755)
    (root / "states").write_text("")
    script = root / "s.sh"
    script.write_text(body)
    env = {"PATH": f"{bin_}:/usr/bin:/bin", "HOME": str(root)}
    return script, env


def run_fake(script: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    r = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=env, timeout=60)
    return r, time.monotonic() - t0


def test_wait_ends_at_result_json_without_running_cloud_init(tmp_path: Path):
    script, env = fake_root_script(tmp_path)
    (tmp_path / "run/cloud-init").mkdir(parents=True)
    (tmp_path / "run/systemd/system").mkdir(parents=True)
    (tmp_path / "states").write_text("starting\n" * 100)  # systemd alone would keep it waiting
    (tmp_path / "run/cloud-init/result.json").write_text("{}")
    r, took = run_fake(script, env)
    assert r.returncode == 0, r.stderr
    assert "==> waiting for cloud-init" in r.stdout and "still running" not in r.stderr
    assert took < 5
    assert not (tmp_path / "cloud-init-ran").exists()
    assert (tmp_path / "states").read_text().count("starting") == 100  # systemctl never asked


def test_wait_follows_systemd_until_the_boot_is_over(tmp_path: Path):
    """No result.json (cloud-init disabled, or its final stage failed): the boot's end ends the wait."""
    script, env = fake_root_script(tmp_path)
    (tmp_path / "run/systemd/system").mkdir(parents=True)
    (tmp_path / "states").write_text("initializing\nstarting\ndegraded\nstarting\n")
    r, took = run_fake(script, env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "states").read_text() == "starting\n"  # asked 3 times: stopped at "degraded"
    assert 1.5 < took < 10  # slept between the answers
    assert not (tmp_path / "cloud-init-ran").exists()


def test_wait_without_systemd_or_cloud_init_run_dir_does_not_wait(tmp_path: Path):
    script, env = fake_root_script(tmp_path)
    (tmp_path / "states").write_text("starting\n" * 100)
    r, took = run_fake(script, env)
    assert r.returncode == 0, r.stderr
    assert "==> waiting for cloud-init" in r.stdout and took < 5
    assert (tmp_path / "states").read_text().count("starting") == 100


def test_wait_is_bounded(tmp_path: Path):
    """cloud-init started this boot (no systemd) and never finishes: clean anyway after the limit."""
    script, env = fake_root_script(tmp_path, wait=2)
    (tmp_path / "run/cloud-init").mkdir(parents=True)
    r, took = run_fake(script, env)
    assert r.returncode == 0, r.stderr
    assert "==> cloud-init still running after 2 s: cleaning anyway" in r.stderr
    assert 1.5 < took < 10
    assert "==> guest-sysprep done" in r.stdout


def test_no_cloud_init_no_wait(tmp_path: Path):
    script, env = fake_root_script(tmp_path)
    (tmp_path / "bin/cloud-init").unlink()
    (tmp_path / "run/cloud-init").mkdir(parents=True)  # would otherwise wait the full limit
    r, took = run_fake(script, env)
    assert r.returncode == 0, r.stderr
    assert "waiting for cloud-init" not in r.stdout and took < 5


def test_clean_removes_what_cloud_init_clean_logs_seed_does(tmp_path: Path):
    script, env = fake_root_script(tmp_path)
    (tmp_path / "run/cloud-init").mkdir(parents=True)
    (tmp_path / "run/cloud-init/result.json").write_text("{}")
    lib = tmp_path / "var/lib/cloud"
    for d in ("instances/gs-build/sem", "seed/nocloud", "data", "sem", "scripts/per-boot", "handlers"):
        (lib / d).mkdir(parents=True)
    (lib / "instances/gs-build/user-data.txt").write_text("#cloud-config\npassword: x\n")
    (lib / "seed/nocloud/meta-data").write_text("instance-id: gs-build\n")
    (lib / "data/previous-hostname").write_text("gs\n")
    (lib / "instance").symlink_to(lib / "instances/gs-build")
    log = tmp_path / "var/log"
    log.mkdir(parents=True)
    for name in ("cloud-init.log", "cloud-init.log.1", "cloud-init-output.log", "cloud-init-output.log.2.gz"):
        (log / name).write_text("x")
    (log / "syslog").write_text("kept")  # the logfiles operation's business, skipped here
    clean_d = tmp_path / "etc/cloud/clean.d"
    clean_d.mkdir(parents=True)
    (clean_d / "10-a").write_text(f"#!/bin/sh\necho a >>{tmp_path}/clean-d-ran\n")
    (clean_d / "20-b").write_text(f"#!/bin/sh\necho b >>{tmp_path}/clean-d-ran\n")
    (clean_d / "30-not-executable").write_text(f"#!/bin/sh\necho c >>{tmp_path}/clean-d-ran\n")
    (clean_d / "10-a").chmod(0o755)
    (clean_d / "20-b").chmod(0o755)
    r, _ = run_fake(script, env)
    assert r.returncode == 0, r.stderr
    assert lib.is_dir() and sorted(p.name for p in lib.iterdir()) == []
    assert sorted(p.name for p in log.iterdir()) == ["syslog"]
    assert (tmp_path / "clean-d-ran").read_text() == "a\nb\n"
    assert not (tmp_path / "cloud-init-ran").exists()
    # a failing clean.d script fails the operation, as it fails `cloud-init clean`
    (clean_d / "20-b").write_text("#!/bin/sh\nexit 3\n")
    r, _ = run_fake(script, env)
    assert r.returncode == 1 and "==> failed: cloud-init" in r.stderr


def gcfg(**kw):
    return parse_config(GuestSysprepConfig, kw, component='provisioner "guest-sysprep"')


def test_unknown_skip_name_is_an_error():
    with pytest.raises(ConfigError) as e:
        gcfg(skip=["ssh-hostkey", "logfiles"])
    assert "skip: unknown operation 'ssh-hostkey'" in str(e.value)
    gcfg(skip=["lvm-uuids", "logfiles", "cloud-init"])  # not-covered names may be listed


def test_registered_as_builtin():
    assert REGISTRY.get("provisioner", "guest-sysprep") is GuestSysprepProvisioner


class RecordingComm:
    """Records what the provisioner sends; answers run() with a fixed status."""

    def __init__(self, status: int = 0):
        self.status = status
        self.uploads: list[tuple[bytes, str, int]] = []
        self.commands: list[str] = []

    def upload(self, source, remote_path, mode=0o644):
        self.uploads.append((source, remote_path, mode))

    def run(self, command, on_stdout=None, on_stderr=None, **kw):
        self.commands.append(command)
        if on_stdout:
            on_stdout("==> guest-sysprep done")
        return self.status


def test_provision_uploads_the_script_and_runs_it_as_root(tmp_path: Path):
    comm = RecordingComm()
    ctx, cap = provision_ctx(comm, tmp_path)  # type: ignore[arg-type]
    GuestSysprepProvisioner(gcfg(skip=["ssh-userdir"])).provision(ctx)
    [(body, path, mode)] = comm.uploads
    assert body.decode() == sysprep_script(["ssh-userdir"], True)
    assert (path, mode) == ("/tmp/pybuild-guest-sysprep.sh", 0o700)
    assert comm.commands == ['if [ "$(id -u)" -eq 0 ]; then sh /tmp/pybuild-guest-sysprep.sh; '
                             "else sudo -n sh /tmp/pybuild-guest-sysprep.sh; fi"]
    assert "skipping ssh-userdir" in cap.text and "guest-sysprep done" in cap.text


def test_provision_fails_on_a_nonzero_status(tmp_path: Path):
    ctx, _ = provision_ctx(RecordingComm(status=1), tmp_path)  # type: ignore[arg-type]
    with pytest.raises(BuildError, match="guest-sysprep: Script exited with non-zero exit status: 1"):
        GuestSysprepProvisioner(gcfg()).provision(ctx)


def test_provision_needs_a_communicator(tmp_path: Path):
    ctx, _ = provision_ctx(None, tmp_path)
    with pytest.raises(BuildError, match="needs a communicator"):
        GuestSysprepProvisioner(gcfg()).provision(ctx)


@pytest.mark.parametrize("interface", ["virtio", "virtio-scsi"])
def test_build_disk_discard_options_reach_qemu(interface):
    cfg = parse_config(QemuConfig, {"iso_url": "x.qcow2", "iso_checksum": "none", "ssh_username": "root",
                                    "headless": True, "disk_image": True, "disk_interface": interface,
                                    "disk_discard": "unmap", "disk_detect_zeroes": "unmap"},
                       component='source "qemu.t"')
    f = RunFacts(vm_name="packer-t", accelerator="tcg", disk_paths=["out/packer-t"], iso_path="x.qcow2",
                 vnc_display=13, ssh_host_port=3333, qmp_path="/run/q.sock", serial_sock="/run/s.sock",
                 serial_log="out/serial.log")
    argv = build_argv(cfg, f)
    drives = [argv[i + 1] for i, a in enumerate(argv) if a == "-drive" and "packer-t" in argv[i + 1]]
    assert len(drives) == 1
    assert ",discard=unmap," in drives[0] + "," and ",detect-zeroes=unmap" in drives[0]


def test_the_e2e_template_validates(tmp_path: Path):
    """A template using the provisioner and the discard options is valid as written."""
    template = Path(__file__).parents[1] / "e2e" / "guest_sysprep.pkr.hcl"
    r = subprocess.run([sys.executable, "-m", "builder.cli", "validate", "-var", "base_image=/nonexistent.qcow2",
                        str(template)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
