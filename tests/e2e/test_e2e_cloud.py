"""The README's demo template, end to end in CI: the mmdebstrap base image, QEMU +
provisioners, virt-sysprep, virt-sparsify --compress, verify (booted like Nova) and the
upload to a real Glance — one build per session (tests/fixtures/cloud.py)."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest

from tests.fixtures.cloud import IMAGE_NAME, SSH_PASSWORD

pytestmark = pytest.mark.slow


def test_build_succeeds(cloud_build):
    assert cloud_build.rc == 0, cloud_build.out[-6000:]
    assert "Builds finished" in cloud_build.out
    for pp in ("virt-sysprep", "virt-sparsify", "verify", "glance"):
        assert f"Running post-processor: {pp}" in cloud_build.out
    assert "virt-sysprep and virt-sparsify share one run" in cloud_build.out  # one appliance boot
    assert "virt-sparsify --in-place" not in cloud_build.out
    junit = (cloud_build.workdir / "junit.xml").read_text()
    assert 'tests="1"' in junit and 'failures="0"' in junit


def test_image_is_compact_clean_qcow2(cloud_image):
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(cloud_image)],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["format"] == "qcow2" and "backing-filename" not in info
    assert info["virtual-size"] == 3 * 2**30
    assert info["actual-size"] < 400 * 2**20  # sparsified + compressed (base image is ~480 MiB)


def test_verify_passed_every_check(cloud_build, cloud_image):
    rep = cloud_build.verify_report
    assert rep["ok"] is True
    by = {r["name"]: r for r in rep["results"]}
    for name in ("format", "clean", "console", "ssh_key", "hostname", "admin_pass", "growpart", "qga_ping",
                 "set_password"):
        assert by[name]["ok"], (name, by[name]["evidence"])


def test_glance_has_the_active_image(cloud_build, cloud_image):
    conn = cloud_build.glance.connect()
    try:
        images = [i for i in conn.image.images() if i.name == IMAGE_NAME]
        assert len(images) == 1
        img = conn.image.get_image(images[0].id)
        assert img.status == "active"
        data = cloud_image.read_bytes()
        assert img.size == len(data)
        assert img.checksum == hashlib.md5(data).hexdigest()
        assert img.hash_algo == "sha512" and img.hash_value == hashlib.sha512(data).hexdigest()
        assert img.disk_format == "qcow2" and img.container_format == "bare"
        assert img.visibility == "public"
        raw = conn.image.get(f"/images/{img.id}").json()
        assert raw["hw_qemu_guest_agent"] == "yes" and raw["os_distro"] == "debian"
    finally:
        conn.close()


def test_no_secret_in_any_output(cloud_build):
    assert SSH_PASSWORD not in cloud_build.out
    assert SSH_PASSWORD not in (cloud_build.workdir / "events.jsonl").read_text()
    for f in (cloud_build.workdir / "logs").glob("*"):
        assert SSH_PASSWORD not in f.read_text(errors="replace")
    manifest = cloud_build.workdir / "output-debian12-cloud" / "verify-report.json"
    assert SSH_PASSWORD not in manifest.read_text()


def test_events_tell_the_story(cloud_build):
    kinds = [e["event"] for e in cloud_build.events]
    assert kinds[0] == "build_start" and kinds[-1] == "build_end"
    steps = [e["step"] for e in cloud_build.events if e["event"] == "step_end"]
    assert steps[:5] == ["run_dir", "download", "output_dir", "vtpm", "floppy"]
    assert {"post_processor_start", "post_processor_end", "provisioner_output", "artifact"} <= set(kinds)
    assert all("duration" in e for e in cloud_build.events if e["event"] == "step_end")
