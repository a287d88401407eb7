"""The ``vagrant`` post-processor on small real disks: Packer's options, defaults and
checks, the box's contents, and Debian's real ``vagrant`` accepting the box.
(The box of a real build booting is in tests/e2e/test_vtpm_vagrant.py.)"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tracemalloc
from pathlib import Path

import pytest

from builder.cancel import TOKEN
from builder.errors import BuildError, Cancelled, ConfigError
from builder.plugins import Artifact
from builder.post_processors.vagrant import BUILDER_ID, host_architecture
from tests.post_processors.conftest import make_pp, qemu_artifact


def members(box: Path) -> dict[str, bytes]:
    with tarfile.open(box, "r:*") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def two_disk_artifact(small_disk) -> Artifact:
    main = small_disk("packer-debian", "qcow2")
    extra = small_disk("packer-debian-1", "raw", "8M", ((0x11, "0", "1M"),))
    art = qemu_artifact(main)
    art.files = [main, extra, main.parent / "efivars.fd"]
    (main.parent / "efivars.fd").write_bytes(b"nvram")
    art.data.update(diskName="packer-debian", diskPaths=[str(main), str(extra)])
    return art


# --------------------------------------------------------------------------- config


def test_defaults_are_packers():
    cfg = make_pp("vagrant").config
    assert cfg.output == "packer_{{ .BuildName }}_{{ .Provider }}_{{ .Architecture }}.box"
    assert cfg.compression_level == 6  # Go's flate.DefaultCompression
    assert cfg.architecture == host_architecture()
    assert cfg.include == [] and cfg.vagrantfile_template == "" and cfg.provider_override == ""
    assert make_pp("vagrant", compression_level=-1).config.compression_level == 6


def test_host_architecture_uses_go_names(monkeypatch):
    import platform
    for machine, want in (("x86_64", "amd64"), ("aarch64", "arm64"), ("i686", "i386"), ("ppc64le", "ppc64le")):
        monkeypatch.setattr(platform, "machine", lambda m=machine: m)
        assert host_architecture() == want


def test_every_config_error_at_once(tmp_path):
    with pytest.raises(ConfigError) as ei:
        make_pp("vagrant", compression_level=10, vagrantfile_template=str(tmp_path / "missing.tpl"),
                provider_override="nonsense", outptu="x.box")
    text = str(ei.value)
    assert "compression_level: 10 is not a gzip level" in text
    assert "vagrantfile_template:" in text and "missing.tpl does not exist" in text
    assert "provider_override: 'nonsense' is not a provider (one of aws, azure," in text
    assert 'Unsupported argument "outptu"' in text


def test_generated_vagrantfile_template_is_not_checked_early(tmp_path):
    cfg = make_pp("vagrant", vagrantfile_template=str(tmp_path / "later.tpl"),
                  vagrantfile_template_generated=True).config
    assert cfg.vagrantfile_template.endswith("later.tpl")


def test_other_providers_are_refused_clearly():
    with pytest.raises(ConfigError, match=r"pybuild makes libvirt boxes only.*'virtualbox'"):
        make_pp("vagrant", provider_override="virtualbox")


# --------------------------------------------------------------------------- provider


def test_provider_from_the_artifact(small_disk):
    pp = make_pp("vagrant")
    assert pp.provider(qemu_artifact(small_disk())) == "libvirt"
    with pytest.raises(BuildError, match="make virtualbox boxes; pybuild makes libvirt boxes only"):
        pp.provider(Artifact("mitchellh.virtualbox", "VM"))
    with pytest.raises(BuildError, match=r"artifice.*set provider_override = \"libvirt\""):
        pp.provider(Artifact("packer.post-processor.artifice", "x"))
    with pytest.raises(BuildError, match=r"'acme.cloud' artifact.*provider_override"):
        pp.provider(Artifact("acme.cloud", "x"))
    assert make_pp("vagrant", provider_override="libvirt").provider(Artifact("acme.cloud", "x")) == "libvirt"


def test_artifice_artifact_with_override_boxes_its_disk_files(ctx, small_disk, tmp_path):
    disk = small_disk("my.qcow2")
    note = tmp_path / "README.txt"
    note.write_text("not a disk")
    out = tmp_path / "a.box"
    pp = make_pp("vagrant", provider_override="libvirt", output=str(out))
    pp.post_process(ctx, Artifact("packer.post-processor.artifice", "x", files=[note, disk]))
    m = members(out)
    assert json.loads(m["metadata.json"])["disks"] == [{"path": "box_0.img", "format": "qcow2"}]
    assert 'libvirt.driver = "kvm"' in m["Vagrantfile"].decode()  # no accelerator known: libvirt's default


def test_disks_follow_packers_name_rule_without_disk_paths(small_disk):
    art = two_disk_artifact(small_disk)
    del art.data["diskPaths"]
    disks = make_pp("vagrant").disks(art)
    assert [(d.source.name, d.name, d.format) for d in disks] == [
        ("packer-debian", "box_0.img", "qcow2"), ("packer-debian-1", "box_1.img", "raw")]


def test_no_disk_is_a_clear_error(tmp_path):
    note = tmp_path / "a.txt"
    note.write_text("x")
    with pytest.raises(BuildError, match="has no disk image"):
        make_pp("vagrant").disks(Artifact("transcend.qemu", "VM", files=[note], data={"diskName": "packer-x"}))


# --------------------------------------------------------------------------- the box


def test_box_contents_metadata_vagrantfile_includes(ctx, out, small_disk, tmp_path):
    art = two_disk_artifact(small_disk)
    tpl = tmp_path / "Vagrantfile.tpl"
    tpl.write_text('# box {{ .BuildName }} for {{ .Provider }} ({{ .ArtifactId }}) flavor {{ user `flavor` }}\n'
                   'Vagrant.configure("2") { |c| c.vm.hostname = "{{ .BuildName }}" }\n')
    info = tmp_path / "info.json"
    info.write_text('{"author": "me"}')
    output = tmp_path / "boxes" / "{{ .BuildName }}-{{ .Provider }}-{{ .ArtifactId }}.box"
    pp = make_pp("vagrant", output=str(output), vagrantfile_template=str(tpl), include=[str(info)],
                 architecture="arm64")
    res = pp.post_process(ctx, art)

    box = tmp_path / "boxes" / "debian-libvirt-VM.box"
    assert res.artifact.files == [box] and box.is_file()
    assert res.artifact.builder_id == BUILDER_ID and res.artifact.id == "libvirt"
    assert str(res.artifact) == f"'libvirt' provider box: {box}"
    assert (res.keep, res.force_keep) == (False, False)  # keep_input_artifact decides
    assert box.read_bytes()[:2] == b"\x1f\x8b"
    m = members(box)
    assert list(m) == ["metadata.json", "info.json", "Vagrantfile", "box_0.img", "box_1.img"]
    assert json.loads(m["metadata.json"]) == {
        "provider": "libvirt", "architecture": "arm64",
        "disks": [{"path": "box_0.img", "format": "qcow2"}, {"path": "box_1.img", "format": "raw"}]}
    assert m["info.json"] == b'{"author": "me"}'
    vf = m["Vagrantfile"].decode()
    assert 'config.vm.provider :libvirt do |libvirt|\n    libvirt.driver = "qemu"' in vf  # domainType tcg
    assert "# box debian for libvirt (VM) flavor cloud" in vf
    assert 'c.vm.hostname = "debian"' in vf
    assert hashlib.sha256(m["box_0.img"]).digest() == hashlib.sha256(Path(art.files[0]).read_bytes()).digest()
    assert m["box_1.img"] == Path(art.files[1]).read_bytes()
    assert "efivars" not in " ".join(m)
    assert "Creating Vagrant box for 'libvirt' provider" in out.text


def test_kvm_builds_get_the_kvm_driver_and_unknown_domains_fail(small_disk):
    art = qemu_artifact(small_disk())
    pp = make_pp("vagrant")
    art.data["domainType"] = "kvm"
    assert pp.driver(art) == "kvm"
    art.data["domainType"] = "xen"
    with pytest.raises(BuildError, match="unknown libvirt domain type 'xen'"):
        pp.driver(art)


def test_include_may_replace_metadata_but_not_generated_files(ctx, small_disk, tmp_path):
    meta = tmp_path / "metadata.json"
    meta.write_text('{"provider": "libvirt", "format": "qcow2", "virtual_size": 1}')
    vf = tmp_path / "Vagrantfile"
    vf.write_text("# mine")
    out = tmp_path / "x.box"
    make_pp("vagrant", output=str(out), include=[str(meta), str(vf)]).post_process(ctx, qemu_artifact(small_disk()))
    m = members(out)
    assert json.loads(m["metadata.json"])["virtual_size"] == 1
    assert "# mine" not in m["Vagrantfile"].decode()


def test_missing_include_fails_before_writing(ctx, small_disk, tmp_path):
    out = tmp_path / "x.box"
    with pytest.raises(BuildError, match=r"include file .*nope\.txt does not exist"):
        make_pp("vagrant", output=str(out), include=[str(tmp_path / "nope.txt")]).post_process(
            ctx, qemu_artifact(small_disk()))
    assert not out.exists()


@pytest.mark.parametrize(("level", "xfl"), [(1, 4), (9, 2), (6, 0)])
def test_compression_level_reaches_gzip(ctx, small_disk, tmp_path, level, xfl):
    out = tmp_path / f"l{level}.box"
    make_pp("vagrant", output=str(out), compression_level=level).post_process(ctx, qemu_artifact(small_disk()))
    head = out.read_bytes()[:10]
    assert head[:2] == b"\x1f\x8b" and head[8] == xfl  # gzip's XFL byte: 2 = best, 4 = fastest
    assert gzip.decompress(out.read_bytes())[257:262] == b"ustar"


def test_level_zero_writes_a_plain_tar(ctx, small_disk, tmp_path):
    out = tmp_path / "plain.box"
    make_pp("vagrant", output=str(out), compression_level=0).post_process(ctx, qemu_artifact(small_disk()))
    data = out.read_bytes()
    assert data[:2] != b"\x1f\x8b" and data[257:262] == b"ustar"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        assert tar.getnames()[0] == "metadata.json"


def test_memory_stays_flat_for_a_big_disk(ctx, small_disk, tmp_path):
    disk = small_disk("big.raw", "raw", "96M", ((0x5A, "0", "40M"), (0x33, "50M", "40M")))
    out = tmp_path / "big.box"
    tracemalloc.start()
    try:
        make_pp("vagrant", output=str(out), compression_level=1).post_process(ctx, qemu_artifact(disk, "raw"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert disk.stat().st_size == 96 * 2**20
    assert peak < 4 * 2**20, f"peak Python memory {peak / 2**20:.1f} MiB while boxing 96 MiB"


def test_cancel_leaves_no_partial_box(ctx, small_disk, tmp_path):
    out = tmp_path / "c.box"
    pp = make_pp("vagrant", output=str(out))
    art = qemu_artifact(small_disk())
    TOKEN.cancel("SIGINT")
    with pytest.raises(Cancelled):
        pp.post_process(ctx, art)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output-debian"]


# --------------------------------------------------------------------------- real vagrant


def vagrant_or_skip() -> str:
    exe = shutil.which("vagrant")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("vagrant is not installed (dev/setup installs Debian's vagrant)")
        pytest.skip("vagrant is not installed: apt-get install vagrant")
    return exe


def vagrant(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, VAGRANT_HOME=str(home), VAGRANT_CHECKPOINT_DISABLE="1", VAGRANT_NO_PLUGINS="1")
    return subprocess.run([vagrant_or_skip(), *args], env=env, capture_output=True, text=True, timeout=300)


def test_real_vagrant_adds_the_box(ctx, small_disk, tmp_path):
    art = two_disk_artifact(small_disk)
    out = tmp_path / "t.box"
    make_pp("vagrant", output=str(out)).post_process(ctx, art)
    home = tmp_path / "vagrant.d"
    added = vagrant(["box", "add", "--name", "pybuild-test", str(out)], home)
    assert added.returncode == 0, added.stdout + added.stderr
    listed = vagrant(["box", "list"], home)
    assert "pybuild-test (libvirt, 0)" in listed.stdout
    box_dir = home / "boxes" / "pybuild-test" / "0" / "libvirt"
    assert sorted(p.name for p in box_dir.iterdir()) == ["Vagrantfile", "box_0.img", "box_1.img", "metadata.json"]
    assert (box_dir / "box_0.img").read_bytes() == Path(art.files[0]).read_bytes()


def test_real_vagrant_rejects_a_box_without_metadata(tmp_path):
    """The check above can fail: vagrant refuses a tar that is not a box."""
    bad = tmp_path / "bad.box"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("Vagrantfile")
        tar.addfile(info, io.BytesIO(b""))
    res = vagrant(["box", "add", "--name", "bad", str(bad)], tmp_path / "vagrant.d")
    assert res.returncode != 0
