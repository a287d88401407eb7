"""virt-sysprep, virt-sparsify and virt-customize on a real Debian 12 image, and the
chain sysprep -> sparsify -> glance against a real Glance.

The image is a full copy of the cached ``debian_base_image``; its contents are
checked with guestfish (libguestfs, TCG).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from builder import secrets
from builder.errors import ConfigError
from builder.post_processors._disk import image_info
from builder.post_processors.virt_customize import VirtCustomizeConfig, customize_argv
from builder.post_processors.virt_sysprep import (
    TRIM_SCRIPT,
    VirtSysprepConfig,
    machine_id_reset,
    op_enabled,
    sysprep_argv,
)
from builder.run import libguestfs_env, run
from tests.post_processors.conftest import make_pp, qemu_artifact


def guest_shell(disk: Path, script: str, *, rw: bool = False) -> str:
    """Run guestfish commands on the disk's OS (inspection mounts it)."""
    res = run(["guestfish", "--rw" if rw else "--ro", "-a", str(disk), "-i"], input=script.encode(),
              env=libguestfs_env(), timeout=600)
    return res.stdout


@pytest.fixture
def base_copy(debian_base_image: Path, tmp_path: Path) -> Path:
    out = tmp_path / "output-debian"
    out.mkdir()
    disk = out / "debian.qcow2"
    shutil.copyfile(debian_base_image, disk)
    return disk


# --------------------------------------------------------------------------- command lines (fast)


def test_sysprep_argv():
    cfg = VirtSysprepConfig(operations=["defaults", "-ssh-userdir"], run_commands=["apt-get clean"],
                            firstboot=["fb.sh"], hostname="h1", selinux_relabel=True, extra_args=["-v"])
    argv = sysprep_argv(cfg, Path("/o/d.qcow2"), "qcow2", Path("/t"))
    assert argv == ["virt-sysprep", "--format", "qcow2", "-a", "/o/d.qcow2",
                    "--operations", "defaults,-ssh-userdir", "--run-command", "apt-get clean",
                    "--firstboot", "/t/fb.sh", "--hostname", "h1", "--selinux-relabel", "--no-network", "-v",
                    "--run-command", "if [ -s /etc/machine-id ]; then : > /etc/machine-id; fi"]
    # virt-sysprep's own "customize" step writes a fresh machine-id even with no options:
    # it is always emptied again when the machine-id operation is on
    assert sysprep_argv(VirtSysprepConfig(), Path("/d"), "raw", Path("/t"))[-2:] == [
        "--run-command", "if [ -s /etc/machine-id ]; then : > /etc/machine-id; fi"]
    assert "--run-command" not in sysprep_argv(VirtSysprepConfig(operations=["defaults", "-machine-id"]),
                                               Path("/d"), "raw", Path("/t"))


def test_machine_id_reset_follows_operations():
    assert machine_id_reset([]) and machine_id_reset(["defaults", "-ssh-userdir"])
    assert not machine_id_reset(["defaults", "-machine-id"])
    assert not machine_id_reset(["ssh-hostkeys"]) and machine_id_reset(["ssh-hostkeys", "machine-id"])


def test_sysprep_argv_trims_last_when_fused():
    argv = sysprep_argv(VirtSysprepConfig(run_commands=["apt-get clean"]), Path("/d"), "qcow2", Path("/t"), trim=True)
    # after the user's commands and the machine-id reset: nothing written after the trim
    assert argv[-4:] == ["--run-command", "if [ -s /etc/machine-id ]; then : > /etc/machine-id; fi",
                         "--run-command", TRIM_SCRIPT]
    assert argv.index("apt-get clean") < argv.index(TRIM_SCRIPT)
    assert TRIM_SCRIPT.splitlines()[-1] == "fstrim -av"
    assert subprocess.run(["sh", "-n", "-c", TRIM_SCRIPT]).returncode == 0  # valid POSIX sh
    assert TRIM_SCRIPT not in sysprep_argv(VirtSysprepConfig(), Path("/d"), "qcow2", Path("/t"))


def test_sysprep_fuses_with_the_virt_sparsify_right_after_it():
    sysprep, sparsify = make_pp("virt-sysprep"), make_pp("virt-sparsify", compress=True)
    assert sysprep.fuse_next(sparsify)
    assert sysprep.trim and sparsify.trimmed_by == "virt-sysprep"
    # the trim is a customize command: without customize both boot as written
    sysprep, sparsify = make_pp("virt-sysprep", operations=["defaults", "-customize"]), make_pp("virt-sparsify")
    assert not sysprep.fuse_next(sparsify) and not sysprep.trim and not sparsify.trimmed_by
    assert not make_pp("virt-sysprep").fuse_next(make_pp("qemu-img-convert"))
    assert not make_pp("virt-sparsify").fuse_next(make_pp("virt-sysprep"))  # only in this order


def test_op_enabled_follows_operations():
    assert op_enabled([], "customize") and op_enabled(["defaults", "-ssh-userdir"], "customize")
    assert not op_enabled(["ssh-hostkeys"], "customize") and op_enabled(["ssh-hostkeys", "customize"], "customize")
    assert not op_enabled(["all", "-customize"], "customize")


def test_sysprep_rejects_bad_operation_names():
    with pytest.raises(ConfigError, match="operations"):
        make_pp("virt-sysprep", operations=["ssh hostkeys"])


def test_customize_password_goes_through_a_file_not_argv():
    cfg = VirtCustomizeConfig(password=["debian:password:Sup3rSecret"], root_password="password:R00tpw!",
                              run_commands=["true"])
    with customize_argv(cfg, Path("/d.qcow2"), "qcow2", Path("/t")) as argv:
        joined = " ".join(argv)
        assert "Sup3rSecret" not in joined and "R00tpw!" not in joined
        i = argv.index("--password")
        user, sel = argv[i + 1].split(":", 1)
        assert user == "debian" and sel.startswith("file:")
        pw_file = Path(sel[5:])
        assert pw_file.read_text().strip() == "Sup3rSecret" and pw_file.stat().st_mode & 0o077 == 0
    assert not pw_file.exists()


def test_customize_install_needs_network():
    with pytest.raises(ConfigError, match="network"):
        make_pp("virt-customize", install=["curl"])


def test_sparsify_rejects_in_place_with_compress():
    with pytest.raises(ConfigError, match="in_place"):
        make_pp("virt-sparsify", in_place=True, compress=True)


# --------------------------------------------------------------------------- real tools


@pytest.mark.slow
def test_sparsify_in_place_and_convert_to_raw(base_copy, ctx):
    res = make_pp("virt-sparsify", in_place=True).post_process(ctx, qemu_artifact(base_copy))
    assert image_info(base_copy)["format"] == "qcow2" and res.force_keep
    res = make_pp("virt-sparsify", convert="raw").post_process(ctx, res.artifact)
    assert image_info(base_copy)["format"] == "raw"
    assert res.artifact.data["diskType"] == "raw"


@pytest.mark.slow
def test_virt_customize_changes_the_image_and_hides_the_password(base_copy, ctx, out):
    pp = make_pp("virt-customize", run_commands=["echo built-by-pybuild > /etc/motd"],
                 write=["/etc/pybuild-note:hello from pybuild"],
                 password=["root:password:Cust0m-Secret-pw"])
    res = pp.post_process(ctx, qemu_artifact(base_copy))
    assert res.force_keep
    text = guest_shell(base_copy, "cat /etc/motd\ncat /etc/pybuild-note\necho\ncat /etc/shadow\n")
    assert "built-by-pybuild" in text and "hello from pybuild" in text
    root = next(line for line in text.splitlines() if line.startswith("root:"))
    assert root.split(":")[1].startswith("$"), "root got a password hash"
    assert "Cust0m-Secret-pw" not in out.text
    assert secrets.is_secret("Cust0m-Secret-pw")
