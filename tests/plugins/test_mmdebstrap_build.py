"""Real builds with the mmdebstrap plugin: contents checked offline, a TCG boot to SSH,
options that change the image, and cancellation half-way through mmdebstrap."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from builder.cancel import CancelToken
from builder.errors import Cancelled
from builder.run import libguestfs_env, run
from builder.ui import UI, BuildUI
from tests.fixtures.images import BASE_CONFIG, build_image

pytestmark = pytest.mark.slow



# --------------------------------------------------------------------------- offline contents


def guestfish(image: Path, *commands: str) -> dict[str, str]:
    """Run read-only guestfish commands on the image's first partition; output per command."""
    script = "".join(f"echo ==={i}===\n{c}\n" for i, c in enumerate(commands))
    res = run(["guestfish", "--ro", "-a", image, "-m", "/dev/sda1"], input=script.encode(),
              env=libguestfs_env(), timeout=300)
    out: dict[str, str] = {}
    parts = res.stdout.split("===")
    for idx, text in zip(parts[1::2], parts[2::2], strict=True):
        out[commands[int(idx)]] = text.strip("\n")
    return out


def installed_packages(dpkg_status: str) -> set[str]:
    pkgs, name = set(), ""
    for line in dpkg_status.splitlines():
        if line.startswith("Package: "):
            name = line.split(": ", 1)[1]
        elif line.startswith("Status: ") and line.endswith(" installed"):
            pkgs.add(name)
    return pkgs


def test_base_image_contents(debian_base_image: Path) -> None:
    info = run(["qemu-img", "info", "--output=json", debian_base_image]).stdout
    assert '"format": "qcow2"' in info and '"virtual-size": 2147483648' in info
    out = guestfish(
        debian_base_image,
        "cat /var/lib/dpkg/status",
        "is-file /usr/bin/growpart",
        "cat /boot/extlinux/extlinux.conf",
        "cat /etc/cloud/cloud.cfg.d/90-pybuild.cfg",
        "glob-expand /etc/ssh/ssh_host_*",
        "cat /etc/fstab",
        "is-file /boot/extlinux/ldlinux.sys",
        "is-symlink /etc/systemd/system/multi-user.target.wants/ssh.service",
        "cat /etc/hostname",
    )
    pkgs = installed_packages(out["cat /var/lib/dpkg/status"])
    for p in ("openssh-server", "cloud-init", "qemu-guest-agent", "cloud-guest-utils",
              "linux-image-cloud-amd64", "isc-dhcp-client", "ifupdown", "sudo"):
        assert p in pkgs, p
    assert out["is-file /usr/bin/growpart"] == "true"
    conf = out["cat /boot/extlinux/extlinux.conf"]
    assert conf.startswith("SERIAL 0 115200") and "console=ttyS0,115200n8" in conf
    assert "datasource_list: [ NoCloud, ConfigDrive, OpenStack, None ]" in out[
        "cat /etc/cloud/cloud.cfg.d/90-pybuild.cfg"]
    assert out["glob-expand /etc/ssh/ssh_host_*"] == ""  # host keys are made on first boot
    uuid = conf.split("root=UUID=", 1)[1].split()[0]
    assert out["cat /etc/fstab"].startswith(f"UUID={uuid} / ext4")
    assert out["is-file /boot/extlinux/ldlinux.sys"] == "true"
    assert out["is-symlink /etc/systemd/system/multi-user.target.wants/ssh.service"] == "true"
    assert out["cat /etc/hostname"] == "testbase"


# --------------------------------------------------------------------------- boot to SSH


# --------------------------------------------------------------------------- options that change the image


def test_options_raw_format_files_commands(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = {
        **BASE_CONFIG,
        "format": "raw",
        "vm_name": "custom.img",
        "disk_size": "1536M",
        "hostname": "custom",
        "copy_kernel": True,
        "files": {"/etc/pybuild/greeting.txt": "hello from files\n"},
        "customize_commands": ["cat /etc/pybuild/greeting.txt > /etc/pybuild/copied.txt",
                               "dpkg-query -W -f='${Version}' cloud-init > /etc/pybuild/ci-version"],
        "root_password": "Debug-Pw-123",
        "kernel_cmdline_extra": "net.ifnames=0",
    }
    disk = build_image(config, out)
    assert disk == out / "custom.img"
    assert sorted(p.name for p in out.iterdir()) == ["custom.img", "custom.initrd", "custom.vmlinuz"]
    assert disk.stat().st_size == 1536 << 20
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no work dir left
    with open(disk, "rb") as f:
        mbr = f.read(512)
    assert mbr[510:512] == b"\x55\xaa"
    assert mbr[:440] == Path("/usr/lib/syslinux/mbr/mbr.bin").read_bytes()[:440]
    assert mbr[446] == 0x80  # the one partition is bootable
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    loop = run(["losetup", "-f", "--show", "-r", "-o", "1048576", disk]).stdout.strip()
    try:
        run(["mount", "-o", "ro", loop, mnt])
        try:
            assert (mnt / "etc/pybuild/greeting.txt").read_text() == "hello from files\n"
            assert (mnt / "etc/pybuild/copied.txt").read_text() == "hello from files\n"
            assert (mnt / "etc/pybuild/ci-version").read_text().startswith("22.")
            assert (mnt / "etc/hostname").read_text() == "custom\n"
            assert "net.ifnames=0" in (mnt / "boot/extlinux/extlinux.conf").read_text()
            shadow_root = next(ln for ln in (mnt / "etc/shadow").read_text().splitlines()
                               if ln.startswith("root:"))
            assert shadow_root.startswith("root:$")  # a password hash, not locked ("*" or "!")
            assert (mnt / "boot" / next(p.name for p in (mnt / "boot").glob("vmlinuz-*"))).read_bytes() == (
                out / "custom.vmlinuz").read_bytes()
        finally:
            run(["umount", mnt], cancel=None)
    finally:
        run(["losetup", "-d", loop], cancel=None)


# --------------------------------------------------------------------------- cancellation


class CancellingUI(BuildUI):
    """Cancels the token once mmdebstrap is installing packages."""

    def __init__(self, token: CancelToken, trigger: str):
        super().__init__(UI(), "mmdebstrap.cancel")
        self.token, self.trigger = token, trigger
        self.cancelled_at = 0.0
        self.lock = threading.Lock()

    def message(self, text: str) -> None:
        super().message(text)
        with self.lock:
            if self.trigger in text and not self.token.cancelled:
                self.cancelled_at = time.monotonic()
                self.token.cancel("test")


def _mounts_under(path: Path) -> list[str]:
    with open("/proc/self/mounts") as f:
        return [ln.split()[1] for ln in f if ln.split()[1].startswith(str(path))]


def test_cancel_during_mmdebstrap_cleans_up(tmp_path: Path) -> None:
    from builder.config import parse_config
    from builder.plugins import REGISTRY, BuildContext

    token = CancelToken()
    ui = CancellingUI(token, "installing remaining packages")
    cls = REGISTRY.get("builder", "mmdebstrap")
    out = tmp_path / "out"
    cfg = parse_config(cls.Config, {**BASE_CONFIG, "output_directory": str(out)}, component="t")
    ctx = BuildContext(build_name="mmdebstrap.cancel", build_type="mmdebstrap", ui=ui,
                       template_dir=tmp_path, cancel=token)
    with pytest.raises(Cancelled):
        cls(cfg).run(ctx)  # type: ignore[attr-defined]
    stopped = time.monotonic()
    assert ui.cancelled_at, "the build never reached mmdebstrap's package installation"
    assert stopped - ui.cancelled_at < 30, "cancellation took too long"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no work dir, no half-written output
    assert _mounts_under(tmp_path) == []
    loops = run(["losetup", "-a"]).stdout
    assert str(tmp_path) not in loops


def test_failing_mmdebstrap_cleans_up_and_reports(tmp_path: Path) -> None:
    """A real failure after the disk is mounted (an unreachable mirror on 127.0.0.1):
    one CommandError naming mmdebstrap, and nothing left behind."""
    from builder.config import parse_config
    from builder.errors import CommandError
    from builder.plugins import REGISTRY, BuildContext

    cls = REGISTRY.get("builder", "mmdebstrap")
    out = tmp_path / "out"
    cfg = parse_config(cls.Config, {**BASE_CONFIG, "output_directory": str(out),
                                    "mirror": "http://127.0.0.1:9/debian"}, component="t")
    lines: list[str] = []

    class Recorder(BuildUI):
        def say(self, text: str) -> None:
            lines.append(text)

        def message(self, text: str) -> None:
            lines.append(text)

    ctx = BuildContext(build_name="mmdebstrap.fail", build_type="mmdebstrap",
                       ui=Recorder(UI(), "mmdebstrap.fail"), template_dir=tmp_path)
    with pytest.raises(CommandError) as exc:
        cls(cfg).run(ctx)  # type: ignore[attr-defined]
    assert exc.value.argv[0] == "mmdebstrap" and exc.value.returncode != 0
    assert any("Formatting /dev/loop" in ln for ln in lines)  # it got as far as the mounted disk
    assert list(tmp_path.iterdir()) == []
    assert _mounts_under(tmp_path) == []
    assert str(tmp_path) not in run(["losetup", "-a"]).stdout
