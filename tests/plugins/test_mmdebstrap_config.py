"""Fast tests of the mmdebstrap builder's logic: config, entry point, argv, boot config."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from pybuild_mmdebstrap import MmdebstrapBuilder
from pybuild_mmdebstrap.builder import State, extlinux_conf, mmdebstrap_argv
from pybuild_mmdebstrap.config import (
    DEFAULT_PACKAGES,
    Config,
    default_apt_cache_dir,
    default_mirror,
    parse_size,
)

from builder.config import Duration, parse_config
from builder.errors import BuildError, ConfigError
from builder.plugins import REGISTRY, BuildContext
from builder.ui import UI

RECIPE_PACKAGES = [
    "systemd-sysv", "udev", "initramfs-tools", "zstd", "openssh-server", "cloud-init", "cloud-guest-utils",
    "qemu-guest-agent", "ifupdown", "isc-dhcp-client", "e2fsprogs", "fdisk", "sudo", "netbase", "iproute2",
    "ca-certificates",
]


def parse(**raw: object) -> Config:
    return parse_config(Config, raw, component='source "mmdebstrap" "t"')


def errors_of(**raw: object) -> str:
    with pytest.raises(ConfigError) as exc:
        parse(**raw)
    return exc.value.render()


# --------------------------------------------------------------------------- config


def test_defaults() -> None:
    c = parse()
    assert (c.suite, c.variant, c.kernel_package, c.format, c.disk_size) == (
        "bookworm", "minbase", "linux-image-cloud-amd64", "qcow2", "2G")
    assert c.packages == RECIPE_PACKAGES == DEFAULT_PACKAGES
    assert c.cloud_init_datasources == ["NoCloud", "ConfigDrive", "OpenStack", "None"]
    assert c.extra_packages == [] and c.files == {} and c.customize_commands == []
    assert c.root_password == "" and c.mmdebstrap_timeout == Duration(1800)
    assert c.disk_name("debian12-base") == "debian12-base.qcow2"
    assert c.output_dir("debian12-base") == Path("output-debian12-base")


def test_default_lists_are_not_shared() -> None:
    a, b = parse(), parse()
    a.packages.append("vim")
    assert "vim" not in b.packages and "vim" not in DEFAULT_PACKAGES


def test_explicit_values_and_conversion() -> None:
    c = parse(disk_size="4G", format="raw", vm_name="base.img", output_directory="out/x",
              extra_packages=["vim", "curl"], mmdebstrap_timeout="10m", copy_kernel="true")
    assert c.disk_bytes() == 4 << 30
    assert c.disk_name("ignored") == "base.img" and c.output_dir("ignored") == Path("out/x")
    assert c.mmdebstrap_timeout == 600.0 and c.copy_kernel is True
    assert c.all_packages()[0] == "linux-image-cloud-amd64" and c.all_packages()[-2:] == ["vim", "curl"]


def test_all_packages_deduplicates() -> None:
    c = parse(extra_packages=["sudo", "vim", "vim"])
    assert c.all_packages().count("sudo") == 1 and c.all_packages().count("vim") == 1


def test_unknown_attribute_gets_did_you_mean() -> None:
    text = errors_of(disk_sise="3G", kernel_pacakge="x")
    assert 'Unsupported argument "disk_sise"' in text and 'Did you mean "disk_size"?' in text
    assert 'Did you mean "kernel_package"?' in text  # both reported at once


def test_choices_are_enforced() -> None:
    text = errors_of(format="vmdk", variant="tiny")
    assert "'vmdk' is not one of" in text and "'tiny' is not one of" in text


def test_type_errors() -> None:
    text = errors_of(packages="openssh-server", files=["x"])
    assert 'Invalid value for "packages"' in text and "a list is required" in text
    assert 'Invalid value for "files"' in text


def test_validate_collects_all_problems() -> None:
    text = errors_of(
        disk_size="2X", hostname="bad_host!", vm_name="a/b.qcow2", extra_packages=["Not A Package"],
        files={"etc/relative": "x"}, mirror="mirror-without-scheme", cloud_init_datasources=["No Cloud"],
        mmdebstrap_timeout="0s",
    )
    for needle in ('invalid size "2X"', 'hostname: "bad_host!"', "vm_name:", '"Not A Package" is not',
                   'files: "etc/relative"', "mirror:", 'cloud_init_datasources: "No Cloud"',
                   "mmdebstrap_timeout: must be positive"):
        assert needle in text, needle


def test_disk_too_small() -> None:
    assert "too small" in errors_of(disk_size="100M")


@pytest.mark.parametrize(("text", "size"), [("2G", 2 << 30), ("2048M", 2 << 30), ("4GiB", 4 << 30),
                                            ("1073741824", 1 << 30), ("1t", 1 << 40)])
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "2.5G", "-1G", "2 G", "2Q"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def test_default_mirror_reads_deb822(tmp_path: Path) -> None:
    src = tmp_path / "debian.sources"
    src.write_text("Types: deb\n# comment\nURIs: http://mirror.example/debian http://b/\nSuites: bookworm\n\n"
                   "Types: deb\nURIs: http://security.example/debian-security\n")
    assert default_mirror((src,)) == "http://mirror.example/debian"
    assert default_mirror((tmp_path / "missing",)) == ""
    src.write_text("Types: deb\n")
    assert default_mirror((src,)) == ""


def test_default_mirror_reads_one_line_sources_after_deb822(tmp_path: Path) -> None:
    deb822, oneline = tmp_path / "debian.sources", tmp_path / "sources.list"
    oneline.write_text("# deb http://commented.example/debian bookworm main\n"
                       "deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main\n")
    assert default_mirror((deb822, oneline)) == "http://one.example/debian"
    deb822.write_text("Types: deb\nURIs: http://first.example/debian\n")
    assert default_mirror((deb822, oneline)) == "http://first.example/debian"


def test_no_mirror_lets_mmdebstrap_choose(tmp_path: Path) -> None:
    from pybuild_mmdebstrap.builder import State, mmdebstrap_argv

    st = State(cfg=parse(), output_dir=tmp_path, disk_name="d", work=tmp_path, mnt=tmp_path / "mnt", root_uuid="u")
    assert mmdebstrap_argv(parse(), st, tmp_path, "")[-2:] == ["bookworm", str(tmp_path / "mnt")]
    assert mmdebstrap_argv(parse(), st, tmp_path, "http://m.example/d")[-1] == "http://m.example/d"


def test_effective_mirror_prefers_config() -> None:
    assert parse(mirror="http://m/debian").effective_mirror() == "http://m/debian"
    assert parse().effective_mirror() == default_mirror()


def test_apt_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYBUILD_CACHE_DIR", str(tmp_path))
    assert default_apt_cache_dir() == tmp_path / "apt-archives"
    assert parse().effective_apt_cache_dir() == tmp_path / "apt-archives"
    assert parse(apt_cache_dir="/srv/debs").effective_apt_cache_dir() == Path("/srv/debs")
    monkeypatch.delenv("PYBUILD_CACHE_DIR")
    assert default_apt_cache_dir() == Path.home() / ".cache" / "pybuild" / "apt-archives"
    assert "white space" in errors_of(apt_cache_dir="/a b")


def test_root_password_is_sensitive() -> None:
    info = {o.name: o for o in Config.options()}
    assert info["root_password"].sensitive and not info["suite"].sensitive
    assert info["packages"].type == "list(string)" and info["files"].type == "map(string)"


# --------------------------------------------------------------------------- entry point


def test_found_by_entry_point() -> None:
    cls = REGISTRY.get("builder", "mmdebstrap")
    assert cls is MmdebstrapBuilder and cls.Config is Config
    assert cls.builder_id == "pybuild.mmdebstrap" and cls.type_name == "mmdebstrap"
    (info,) = [i for i in REGISTRY.infos() if i.kind == "builder" and i.type == "mmdebstrap"]
    assert info.origin.startswith("pybuild-mmdebstrap ")
    assert info.target == "pybuild_mmdebstrap:MmdebstrapBuilder"


def test_host_requirements_are_met() -> None:
    # the host tools the builder needs are installed in this environment (CI installs them too)
    from builder import hostcheck

    reqs = MmdebstrapBuilder.host_requirements(parse())
    assert {"mmdebstrap", "extlinux", "qemu-img"} <= {r.name for r in reqs}
    report = hostcheck.check(("mmdebstrap", r) for r in reqs)
    assert report.ok, report.table()


# --------------------------------------------------------------------------- argv and boot config


def _state(tmp_path: Path, cfg: Config) -> State:
    st = State(cfg=cfg, output_dir=tmp_path / "out", disk_name="d.qcow2", work=tmp_path,
               mnt=tmp_path / "root", root_uuid="1234-uuid")
    return st


def test_mmdebstrap_argv(tmp_path: Path) -> None:
    cfg = parse(extra_packages=["vim"], hostname="h1", cloud_init_datasources=["NoCloud", "None"])
    argv = mmdebstrap_argv(cfg, _state(tmp_path, cfg), Path("/cache"), "http://m/debian")
    assert argv[0] == "mmdebstrap" and argv[-3:] == ["bookworm", str(tmp_path / "root"), "http://m/debian"]
    assert "--variant=minbase" in argv
    include = next(a for a in argv if a.startswith("--include="))
    assert include.split("=", 1)[1].split(",") == cfg.all_packages()
    assert "--setup-hook=sync-in /cache /var/cache/apt/archives/" in argv
    assert "--customize-hook=sync-out /var/cache/apt/archives /cache" in argv
    joined = "\n".join(argv)
    assert "UUID=1234-uuid / ext4" in joined and "COMPRESS=zstd" in joined
    assert "datasource_list: [ NoCloud, None ]" in joined and "echo h1 >" in joined
    assert 'rm -f "$1"/etc/ssh/ssh_host_*' in joined
    assert 'systemctl --root="$1" enable ssh.service' in joined


def test_user_hooks_are_quoted_and_ordered(tmp_path: Path) -> None:
    cfg = parse(customize_commands=["echo 'it''s' > /etc/motd", "touch /x"],
                files={"/etc/pybuild/a b.txt": "hello $USER\n"}, root_password="S3cret-pw")
    argv = mmdebstrap_argv(cfg, _state(tmp_path, cfg), Path("/cache"), "http://m/")
    hooks = [a.split("=", 1)[1] for a in argv if a.startswith("--customize-hook=")]
    cmd_hooks = [h for h in hooks if h.startswith('chroot "$1" sh -ec ')]
    assert [shlex.split(h.replace('"$1"', "ROOT"))[-1] for h in cmd_hooks] == cfg.customize_commands
    # the password never appears on the command line: it goes through a 0600 file
    assert "S3cret-pw" not in "\n".join(argv)
    pw = tmp_path / "root-password"
    assert pw.read_text() == "root:S3cret-pw\n" and pw.stat().st_mode & 0o777 == 0o600
    file_hook = next(h for h in hooks if "a b.txt" in h)
    assert (tmp_path / "files" / "0").read_text() == "hello $USER\n"
    assert shlex.split(file_hook.replace('"$1"', "ROOT"))[-1] == "ROOT/etc/pybuild/a b.txt"
    # user commands run after files and password, before host keys are removed
    order = [hooks.index(file_hook), hooks.index(cmd_hooks[0]),
             next(i for i, h in enumerate(hooks) if "ssh_host_" in h)]
    assert order == sorted(order)


def test_extlinux_conf() -> None:
    text = extlinux_conf("vmlinuz-6.1.0-1-cloud-amd64", "initrd.img-6.1.0-1-cloud-amd64", "U-1", " quiet ")
    lines = text.splitlines()
    assert lines[0] == "SERIAL 0 115200"
    assert "  LINUX /boot/vmlinuz-6.1.0-1-cloud-amd64" in lines
    assert "  INITRD /boot/initrd.img-6.1.0-1-cloud-amd64" in lines
    assert "  APPEND root=UUID=U-1 ro console=tty0 console=ttyS0,115200n8 quiet" in lines


# --------------------------------------------------------------------------- output directory rules


def _ctx(template_dir: Path, force: bool = False) -> BuildContext:
    return BuildContext(build_name="mmdebstrap.t", build_type="mmdebstrap", ui=UI().for_build("mmdebstrap.t"),
                        template_dir=template_dir, force=force)


def test_existing_output_directory_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    b = MmdebstrapBuilder(parse(output_directory=str(out)))
    with pytest.raises(BuildError, match="Output directory exists"):
        b.run(_ctx(tmp_path))
    assert (out / "keep.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no work dir left behind


def test_default_output_directory_is_relative_to_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "output-t").mkdir()
    with pytest.raises(BuildError, match=str(tmp_path / "output-t")):
        MmdebstrapBuilder(parse()).run(_ctx(tmp_path))
