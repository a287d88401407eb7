"""virt-sysprep, virt-sparsify and virt-customize on a real Debian 12 image, and the
chain sysprep -> sparsify -> glance against a real Glance.

The image is a full copy of the cached ``debian_base_image``; its contents are
checked with guestfish (libguestfs, TCG).
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest

from builder import secrets
from builder.errors import ConfigError
from builder.post_processors._disk import image_info
from builder.post_processors.virt_customize import VirtCustomizeConfig, customize_argv
from builder.post_processors.virt_sysprep import VirtSysprepConfig, machine_id_reset, sysprep_argv
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
    assert "--run-command" not in sysprep_argv(VirtSysprepConfig(), Path("/d"), "raw", Path("/t"))


def test_machine_id_reset_follows_operations():
    assert machine_id_reset([]) and machine_id_reset(["defaults", "-ssh-userdir"])
    assert not machine_id_reset(["defaults", "-machine-id"])
    assert not machine_id_reset(["ssh-hostkeys"]) and machine_id_reset(["ssh-hostkeys", "machine-id"])


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
@pytest.mark.glance
def test_sysprep_sparsify_glance_chain(base_copy, ctx, out, glance_server):
    # what a booted build leaves behind: host keys and a machine-id (the base image has neither)
    before = guest_shell(base_copy, "touch /etc/ssh/ssh_host_ed25519_key\n"
                                    "touch /etc/ssh/ssh_host_ed25519_key.pub\n"
                                    'write /etc/machine-id "0123456789abcdef0123456789abcdef\\n"\n'
                                    "ls /etc/ssh\ncat /etc/machine-id\n", rw=True)
    assert "ssh_host_ed25519_key" in before and "0123456789abcdef" in before

    art = qemu_artifact(base_copy)
    res = make_pp("virt-sysprep", run_commands=["touch /etc/pybuild-sysprepped"],
                  hostname="pybuild-test").post_process(ctx, art)
    assert res.force_keep and res.artifact is art

    size_before = base_copy.stat().st_size
    res = make_pp("virt-sparsify", compress=True, compression_type="zstd").post_process(ctx, res.artifact)
    assert res.force_keep and res.artifact.files == [base_copy]
    assert base_copy.stat().st_size < size_before
    info = image_info(base_copy)
    assert info["format"] == "qcow2" and info["format-specific"]["data"]["compression-type"] == "zstd"
    assert not list(base_copy.parent.glob(".*pybuild-tmp")), "no temporary file may stay behind"

    after = guest_shell(base_copy, "ls /etc/ssh\necho ---\ncat /etc/machine-id\necho ---\n"
                                   "is-file /etc/pybuild-sysprepped\ncat /etc/hostname\n")
    ssh_listing, machine_id, rest = after.split("---")
    assert "ssh_host_" not in ssh_listing and "sshd_config" in ssh_listing
    assert machine_id.strip() == ""
    assert rest.split() == ["true", "pybuild-test"]

    gl = make_pp("glance", auth_type="none", endpoint=glance_server.url, image_name="it-chain-{{ timestamp }}",
                 properties={"hw_qemu_guest_agent": "yes", "os_distro": "debian", "os_version": "12",
                             "hw_disk_bus": "virtio"})
    image = gl.post_process(ctx, res.artifact).artifact
    raw = glance_server.connect().image.get(f"/images/{image.id}").json()
    assert raw["status"] == "active"
    assert raw["checksum"] == hashlib.md5(base_copy.read_bytes()).hexdigest()
    assert raw["virtual_size"] == info["virtual-size"]
    assert (raw["hw_qemu_guest_agent"], raw["os_distro"], raw["os_version"]) == ("yes", "debian", "12")
    assert "virt-sysprep" in out.text or "Performing" in out.text


@pytest.mark.slow
def test_fast_sparsify_is_no_larger_than_virt_sparsify_compress(base_copy, ctx, tmp_path):
    """The fast path (in-place + qemu-img convert -c) against the copying
    ``virt-sparsify --compress`` on the same image (both zlib)."""
    reference = tmp_path / "reference.qcow2"
    t0 = time.monotonic()
    run(["virt-sparsify", "--compress", "--format", "qcow2", str(base_copy), str(reference)],
        env=libguestfs_env(), timeout=1800)
    t_ref = time.monotonic() - t0
    t0 = time.monotonic()
    make_pp("virt-sparsify", compress=True).post_process(ctx, qemu_artifact(base_copy))
    t_fast = time.monotonic() - t0
    ours, theirs = base_copy.stat().st_size, reference.stat().st_size
    print(f"\nvirt-sparsify --compress: {theirs / 2**20:.1f} MiB in {t_ref:.1f}s; "
          f"in-place + qemu-img convert -c: {ours / 2**20:.1f} MiB in {t_fast:.1f}s")
    assert ours <= theirs * 1.01
    assert t_fast < t_ref


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
