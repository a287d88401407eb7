"""The QEMU command line as a pure function: Packer's defaults and qemuargs semantics."""

from __future__ import annotations

import pytest

from builder.config import parse_config
from builder.errors import ConfigError
from builder.qemu.argv import RunFacts, apply_overrides, build_argv, default_args
from builder.qemu.config import QemuConfig, resolve_accelerator, smp_arg


def cfg(**kw):
    base = {"iso_url": "x.iso", "iso_checksum": "none", "ssh_username": "root", "headless": True}
    base.update(kw)
    return parse_config(QemuConfig, base, component='source "qemu.t"')


def facts(**kw):
    f = dict(vm_name="packer-t", accelerator="tcg", disk_paths=["out/packer-t"], iso_path="x.iso",
             vnc_display=13, ssh_host_port=3333, qmp_path="/run/q.sock", serial_sock="/run/s.sock",
             serial_log="out/serial.log")
    f.update(kw)
    return RunFacts(**f)


def pairs(argv, flag):
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_defaults_match_packer():
    argv = build_argv(cfg(), facts())
    assert argv[0] == "qemu-system-x86_64"
    assert pairs(argv, "-machine") == ["type=pc,accel=tcg"]
    assert pairs(argv, "-boot") == ["once=d"]
    assert pairs(argv, "-netdev") == ["user,id=user.0,hostfwd=tcp:127.0.0.1:3333-:22"]
    assert pairs(argv, "-device") == ["virtio-net,netdev=user.0"]
    assert pairs(argv, "-drive") == [
        "file=out/packer-t,if=virtio,cache=writeback,discard=ignore,format=qcow2",
        "file=x.iso,media=cdrom",
    ]
    assert pairs(argv, "-vnc") == ["127.0.0.1:13"]
    assert pairs(argv, "-m") == ["512M"]
    assert pairs(argv, "-smp") == ["1"]
    assert pairs(argv, "-qmp") == ["unix:/run/q.sock,server=on,wait=off"]
    assert pairs(argv, "-serial") == ["chardev:pybuild-serial0"]
    assert "logfile=out/serial.log" in pairs(argv, "-chardev")[0]


def test_disk_image_boots_from_disk_and_has_no_install_cd():
    argv = build_argv(cfg(disk_image=True), facts(iso_path=""))
    assert pairs(argv, "-boot") == ["c"]
    assert all("media=cdrom" not in d for d in pairs(argv, "-drive"))


def test_efi_omits_boot_and_adds_pflash():
    argv = build_argv(cfg(efi_boot=True), facts(efi_code="/c.fd", efivars_path="out/efivars.fd"))
    assert "-boot" not in argv
    assert "file=/c.fd,if=pflash,unit=0,format=raw,readonly=on" in pairs(argv, "-drive")
    assert "file=out/efivars.fd,if=pflash,unit=1,format=raw" in pairs(argv, "-drive")


def test_efi_enabled_by_firmware_paths():
    assert cfg(efi_firmware_code="/a.fd").efi_boot is True


def test_communicator_none_has_no_forward():
    argv = build_argv(cfg(communicator="none"), facts())
    assert pairs(argv, "-netdev") == ["user,id=user.0"]


def test_qemuargs_replace_whole_flag_and_keep_nic():
    c = cfg(qemuargs=[["-device", "virtio-rng-pci"], ["-drive", "file=a.qcow2,if=virtio"], ["-m", "2048M"]])
    argv = build_argv(c, facts())
    assert pairs(argv, "-drive") == ["file=a.qcow2,if=virtio"]
    assert pairs(argv, "-device") == ["virtio-rng-pci", "virtio-net,netdev=user.0"]
    assert pairs(argv, "-m") == ["2048M"]


def test_qemuargs_cells_joined_and_rendered():
    merged = apply_overrides({"-m": ["512M"]}, [["-name", "{{ .Name }}", "-x"]], "virtio-net",
                             render=lambda s: s.replace("{{ .Name }}", "vm1"))
    assert merged["-name"] == ["vm1-x"]


def test_bare_flag_from_qemuargs():
    argv = build_argv(cfg(qemuargs=[["-nodefaults"]]), facts())
    assert "-nodefaults" in argv
    i = argv.index("-nodefaults")
    assert argv[i + 1].startswith("-")


def test_user_serial_wins_over_plumbing():
    argv = build_argv(cfg(qemuargs=[["-serial", "stdio"]]), facts())
    assert pairs(argv, "-serial") == ["stdio"]
    assert "-chardev" not in argv


def test_virtio_scsi_layout():
    d = default_args(cfg(disk_interface="virtio-scsi"), facts())
    assert "virtio-scsi-pci,id=scsi0" in d["-device"]
    assert "scsi-hd,bus=scsi0.0,drive=drive0" in d["-device"]
    assert d["-drive"][0].startswith("if=none,file=out/packer-t,id=drive0")


@pytest.mark.parametrize(
    ("kw", "want"),
    [({}, "1"), ({"cpus": 2}, "2"), ({"sockets": 2, "cores": 2}, "4,sockets=2,cores=2"),
     ({"cpus": 3, "threads": 2}, "2,threads=2")],  # capped: 1 socket x 1 core x 2 threads
)
def test_smp(kw, want):
    assert smp_arg(cfg(**kw)) == want


def test_memory_below_10_means_512():
    assert cfg(memory=5).memory_mb() == 512


@pytest.mark.parametrize(("size", "want"), [("10G", "10G"), ("20480", "20480M"), ("", "40960M"), ("0", "40960M")])
def test_disk_size(size, want):
    assert cfg(disk_size=size).disk_size_qemu() == want


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"disk_size": "ten gigs"}, "disk_size"),
        ({"accelerator": "fast"}, "invalid accelerator"),
        ({"use_backing_file": True}, "use_backing_file"),
        ({"skip_resize_disk": True}, "skip_resize_disk"),
        ({"vnc_port_min": 100}, "vnc_port_min"),
        ({"vnc_password": "123456789"}, "at most 8"),
        ({"format": "vmdk"}, "is not one of"),
        ({"disk_interface": "nvme"}, "is not one of"),
        ({"memroy": 1024}, 'Did you mean "memory"'),
    ],
)
def test_validation_errors(kw, needle):
    with pytest.raises(ConfigError) as e:
        cfg(**kw)
    assert needle in e.value.render()


def test_all_errors_at_once():
    with pytest.raises(ConfigError) as e:
        cfg(disk_size="x", vnc_port_min=1, memroy=1)
    assert len(e.value.diagnostics) >= 2


def test_accelerator_env_beats_template(monkeypatch):
    assert resolve_accelerator("kvm", {"PYBUILD_ACCELERATOR": "tcg"}) == ("tcg", "PYBUILD_ACCELERATOR")
    assert resolve_accelerator("kvm", {})[0] == "kvm"
    acc, why = resolve_accelerator("", {})
    assert acc in ("kvm", "tcg") and why.startswith("auto")
