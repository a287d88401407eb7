"""checksum, manifest and qemu-img-convert on small real images (qemu-img, qemu-io)."""

from __future__ import annotations

import hashlib
import json
import os
import threading

import pytest

from builder import secrets
from builder.errors import BuildError, ConfigError, PybuildError
from builder.plugins import Artifact
from builder.post_processors._disk import find_disk, image_info, render
from tests.post_processors.conftest import make_pp, qemu_artifact

# --------------------------------------------------------------------------- finding the disk


def test_find_disk_prefers_disk_paths_and_reads_the_real_format(small_disk):
    raw = small_disk("d.raw", "raw")
    art = Artifact("transcend.qemu", "VM", files=[raw], data={"diskPaths": [str(raw)]})
    assert find_disk(art) == (raw, "raw")


def test_find_disk_without_disk_paths_uses_the_first_disk_file(small_disk, tmp_path):
    disk = small_disk("packer-debian", "qcow2")  # Packer's default vm_name has no extension
    note = tmp_path / "notes.txt"
    note.write_text("x")
    assert find_disk(Artifact("x", "VM", files=[note, disk])) == (disk, "qcow2")
    img = small_disk("other.img", "qcow2")
    assert find_disk(Artifact("x", "VM", files=[note, img])) == (img, "qcow2")
    assert find_disk(Artifact("x", "VM", files=[disk])) == (disk, "qcow2")


def test_find_disk_errors_clearly(tmp_path):
    with pytest.raises(BuildError, match="no disk image"):
        find_disk(Artifact("x", "VM", files=[tmp_path / "a.txt", tmp_path / "b.txt"]))
    with pytest.raises(BuildError, match="does not exist"):
        find_disk(Artifact("x", "VM", data={"diskPaths": [str(tmp_path / "gone.qcow2")]}))


def test_render_fallback_fields(ctx):
    assert render("packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum", ctx,
                  {"ChecksumType": "md5"}) == "packer_debian_qemu_md5.checksum"
    assert render("{{ user `flavor` }}-{{ timestamp }}", ctx).startswith("cloud-1")


# --------------------------------------------------------------------------- checksum


def test_checksum_packer_format_and_appends(ctx, small_disk, tmp_path):
    disk = small_disk()
    out = str(tmp_path / "sums" / "packer_{{.BuildName}}_{{.ChecksumType}}.checksum")
    pp = make_pp("checksum", checksum_types=["md5", "sha256"], output=out)
    res = pp.post_process(ctx, qemu_artifact(disk))
    assert res.keep and res.force_keep
    md5_file = tmp_path / "sums" / "packer_debian_md5.checksum"
    sha_file = tmp_path / "sums" / "packer_debian_sha256.checksum"
    data = disk.read_bytes()
    assert md5_file.read_text() == f"{hashlib.md5(data).hexdigest()}\t{disk.name}\n"
    assert sha_file.read_text() == f"{hashlib.sha256(data).hexdigest()}\t{disk.name}\n"
    assert res.artifact.files == [disk, md5_file, sha_file]
    assert res.artifact.builder_id == "packer.post-processor.checksum"
    pp.post_process(ctx, qemu_artifact(disk))  # Packer appends
    assert md5_file.read_text().count(disk.name) == 2


def test_checksum_default_output_and_types(ctx, small_disk, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    disk = small_disk()
    make_pp("checksum").post_process(ctx, qemu_artifact(disk))
    assert (tmp_path / "packer_debian_qemu_md5.checksum").read_text().split("\t")[0] == \
        hashlib.md5(disk.read_bytes()).hexdigest()


def test_checksum_rejects_unknown_type():
    with pytest.raises(ConfigError, match="crc32"):
        make_pp("checksum", checksum_types=["md5", "crc32"])


# --------------------------------------------------------------------------- manifest


def test_manifest_packer_format_appends_and_masks(ctx, small_disk, tmp_path, monkeypatch):
    monkeypatch.setenv("PACKER_RUN_UUID", "6d5d3185-fa95-44e1-8775-9e64fe2e2d8f")
    secrets.add("s3cret-token-value")
    disk = small_disk()
    out = tmp_path / "packer-manifest.json"
    pp = make_pp("manifest", output=str(out), strip_path=True,
                 custom_data={"token": "s3cret-token-value", "disk": "{{ .diskName }}"})
    res = pp.post_process(ctx, qemu_artifact(disk))
    assert res.force_keep and res.artifact.id == "VM"
    pp.post_process(ctx, qemu_artifact(disk))
    doc = json.loads(out.read_text())
    assert doc["last_run_uuid"] == "6d5d3185-fa95-44e1-8775-9e64fe2e2d8f"
    assert len(doc["builds"]) == 2
    b = doc["builds"][0]
    assert list(b) == ["name", "builder_type", "build_time", "files", "artifact_id", "packer_run_uuid",
                       "custom_data"]
    assert b["name"] == "debian" and b["builder_type"] == "qemu" and b["artifact_id"] == "VM"
    assert b["files"] == [{"name": disk.name, "size": disk.stat().st_size}]
    assert b["custom_data"] == {"token": "<sensitive>", "disk": disk.name}
    assert "s3cret" not in out.read_text()
    assert out.read_text().startswith('{\n  "builds": [\n')


def test_manifest_force_with_new_run_starts_afresh(ctx, small_disk, tmp_path, monkeypatch):
    out = tmp_path / "m.json"
    out.write_text(json.dumps({"builds": [{"name": "old"}], "last_run_uuid": "other-run"}))
    ctx.force = True
    make_pp("manifest", output=str(out), strip_time=True).post_process(ctx, qemu_artifact(small_disk()))
    doc = json.loads(out.read_text())
    assert [b["name"] for b in doc["builds"]] == ["debian"] and "build_time" not in doc["builds"][0]
    assert doc["builds"][0]["custom_data"] is None
    assert doc["builds"][0]["files"][0]["name"].startswith("/")


def test_manifest_parallel_builds_do_not_lose_entries(ctx, small_disk, tmp_path):
    out = tmp_path / "m.json"
    pp = make_pp("manifest", output=str(out))
    art = qemu_artifact(small_disk())
    threads = [threading.Thread(target=pp.post_process, args=(ctx, art)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(json.loads(out.read_text())["builds"]) == 8


# --------------------------------------------------------------------------- qemu-img-convert


def test_convert_qcow2_to_raw_new_artifact(ctx, small_disk):
    disk = small_disk()
    res = make_pp("qemu-img-convert", format="raw").post_process(ctx, qemu_artifact(disk))
    out = disk.with_suffix(".raw")
    assert res.artifact.files == [out] and not res.keep and not res.force_keep
    assert image_info(out)["format"] == "raw" and out.stat().st_size == 64 << 20
    assert res.artifact.data["diskType"] == "raw" and res.artifact.data["diskPaths"] == [str(out)]
    # same content: qemu-img compare exits 0
    from builder.run import run

    run(["qemu-img", "compare", "-f", "qcow2", "-F", "raw", str(disk), str(out)])


def test_convert_compressed_zstd_to_templated_output(ctx, small_disk, tmp_path):
    disk = small_disk(writes=((0x00, "0", "1M"), (0x41, "1M", "8M")))
    pp = make_pp("qemu-img-convert", format="qcow2", compress=True, compression_type="zstd",
                 output=str(tmp_path / "dist" / "{{ .BuildName }}-{{ .Format }}.img"))
    res = pp.post_process(ctx, qemu_artifact(disk))
    out = tmp_path / "dist" / "debian-qcow2.img"
    info = image_info(out)
    assert info["format-specific"]["data"]["compression-type"] == "zstd"
    assert out.stat().st_size < disk.stat().st_size / 4  # 8 MiB of one byte compresses well
    assert res.artifact.files == [out]


def test_convert_in_place_keeps_input(ctx, small_disk):
    disk = small_disk()
    res = make_pp("qemu-img-convert", output=str(disk), compress=True).post_process(ctx, qemu_artifact(disk))
    assert res.force_keep and res.artifact.files == [disk]
    assert not [p for p in disk.parent.iterdir() if p.name.startswith(".")]


def test_convert_failure_leaves_no_partial_output(ctx, small_disk, tmp_path):
    disk = small_disk()
    pp = make_pp("qemu-img-convert", output=str(tmp_path / "bad.qcow2"), extra_args=["-o", "no_such_opt=1"])
    with pytest.raises(PybuildError, match="no_such_opt"):
        pp.post_process(ctx, qemu_artifact(disk))
    assert not (tmp_path / "bad.qcow2").exists()


def test_convert_rejects_compress_for_raw():
    with pytest.raises(ConfigError, match="compress"):
        make_pp("qemu-img-convert", format="raw", compress=True)


def test_sizes_are_real(small_disk):
    disk = small_disk()
    assert os.path.getsize(disk) < 64 << 20  # qcow2 allocates only what was written


def test_render_error_is_a_build_error(ctx):
    with pytest.raises(BuildError, match="NoSuchField"):
        render("x-{{ .NoSuchField }}", ctx)
