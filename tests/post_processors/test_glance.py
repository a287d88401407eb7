"""The glance post-processor against a real Glance API (gunicorn, sqlite, file store).

Fault tests use a private server from ``glance_factory`` that they kill and restart.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from builder import secrets
from builder.cancel import TOKEN
from builder.errors import BuildError, Cancelled, ConfigError
from builder.openstack import CloudTarget, register_secrets, tls_failure
from builder.plugins import PostProcessContext
from builder.post_processors.glance import BUILDER_ID, default_family
from tests.fixtures.glance import GlanceServer
from tests.post_processors.conftest import make_pp, qemu_artifact

pytestmark = pytest.mark.glance


def digests(path: Path) -> tuple[str, str]:
    md5, sha = hashlib.md5(), hashlib.sha512()
    with open(path, "rb") as f:
        while b := f.read(1 << 20):
            md5.update(b)
            sha.update(b)
    return md5.hexdigest(), sha.hexdigest()


def glance_pp(srv: GlanceServer, **raw: Any) -> Any:
    raw.setdefault("image_name", "debian-12-{{ timestamp }}")
    return make_pp("glance", auth_type="none", endpoint=srv.url, **raw)


@pytest.fixture(scope="session")
def random_disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """512 MiB of random data (a raw disk Glance cannot deduplicate or compress)."""
    p = tmp_path_factory.mktemp("rand") / "random.raw"
    with open(p, "wb") as f:
        for _ in range(512):
            f.write(os.urandom(1 << 20))
    return p


def kill_when_stored(srv: GlanceServer, nbytes: int, then: Callable[[], None] | None = None,
                     action: Callable[[], None] | None = None) -> threading.Thread:
    """In a thread: once Glance has stored ``nbytes`` of an image, run ``action``
    (default: SIGKILL the server), then ``then`` (e.g. a restart)."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            sizes = [f.stat().st_size for f in (srv.base_dir / "images").glob("*") if f.is_file()]
            if sizes and max(sizes) >= nbytes:
                (action or srv.kill)()
                if then is not None:
                    then()
                return
            time.sleep(0.02)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    return t


# --------------------------------------------------------------------------- happy path


def test_upload_stores_properties_and_matching_checksums(glance_server, ctx, small_disk):
    disk = small_disk()
    pp = glance_pp(glance_server, image_name="it-props-{{ .BuildName }}", visibility="public",
                   min_disk=3, min_ram=512, tags=["ci", "debian"],
                   properties={"hw_qemu_guest_agent": "yes", "os_distro": "debian", "os_version": "12"})
    res = pp.post_process(ctx, qemu_artifact(disk))
    art = res.artifact
    assert art.builder_id == BUILDER_ID and res.keep is False
    conn = glance_server.connect()
    raw = conn.image.get(f"/images/{art.id}").json()
    md5, sha512 = digests(disk)
    assert raw["status"] == "active"
    assert raw["name"] == "it-props-debian"
    assert raw["checksum"] == md5 == art.data["checksum"]
    assert raw["os_hash_algo"] == "sha512" and raw["os_hash_value"] == sha512
    assert raw["size"] == disk.stat().st_size
    assert raw["disk_format"] == "qcow2" and raw["container_format"] == "bare"
    assert raw["visibility"] == "public" and raw["min_disk"] == 3 and raw["min_ram"] == 512
    assert sorted(raw["tags"]) == ["ci", "debian"]
    assert raw["hw_qemu_guest_agent"] == "yes" and raw["os_distro"] == "debian"
    assert raw["pybuild_build_name"] == "qemu.debian" and raw["pybuild_builder_type"] == "qemu"
    assert raw["pybuild_family"] == "it-props-debian"
    conn.image.delete(f"/images/{art.id}")


@pytest.mark.parametrize(("text", "why"), [
    ("SSL exception connecting to https://127.0.0.1:5000/v3/auth/tokens: HTTPSConnectionPool(host='127.0.0.1', "
     "port=5000): Max retries exceeded with url: /v3/auth/tokens (Caused by SSLError(SSLCertVerificationError(1, "
     "'[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain "
     "(_ssl.c:1006)')))", "certificate verify failed (self-signed certificate in certificate chain)"),
    ("SSL exception connecting to https://127.0.0.1:5000/v3: [SSL: WRONG_VERSION_NUMBER] wrong version number",
     "TLS handshake failed"),
])
def test_tls_failure_is_one_line_with_url_and_advice(text, why):
    msg = tls_failure(Exception(text))
    assert msg.startswith(f"{why} for https://127.0.0.1:5000/v3"), msg
    assert "cacert" in msg and "insecure: true" in msg and "\n" not in msg


def test_default_family_strips_time_parts():
    assert default_family("debian-12-{{ timestamp }}") == "debian-12"
    assert default_family("{{ isotime \"2006-01-02\" }}_centos7") == "centos7"
    assert default_family("img-{{timestamp}}-{{ .BuildName }}") == "img-{{ .BuildName }}"
    assert default_family("plain") == "plain"


# --------------------------------------------------------------------------- refusals


def test_invalid_disk_format_is_a_config_error():
    with pytest.raises(ConfigError) as e:
        make_pp("glance", image_name="x", disk_format="qcow3", auth_type="none", endpoint="http://x")
    assert "qcow3" in e.value.render()


def test_auth_none_needs_endpoint():
    with pytest.raises(ConfigError, match="endpoint"):
        make_pp("glance", image_name="x", auth_type="none")


def test_glance_refusing_the_data_leaves_no_image(glance_server, ctx, tmp_path):
    """Random bytes declared as qcow2: Glance's format check answers 4xx; no retry."""
    disk = tmp_path / "bogus.raw"
    disk.write_bytes(os.urandom(3 << 20))
    before = {i["id"] for i in glance_server.images()}
    pp = glance_pp(glance_server, image_name="it-bogus", disk_format="qcow2", retries=3)
    t0 = time.monotonic()
    with pytest.raises(BuildError) as e:
        pp.post_process(ctx, qemu_artifact(disk, "raw"))
    assert time.monotonic() - t0 < 10, "a 4xx answer must not be retried"
    msg = str(e.value)
    assert "Glance answered 4" in msg and "it-bogus" not in {i["name"] for i in glance_server.images()}
    assert {i["id"] for i in glance_server.images()} == before


def test_failed_import_is_detected_and_cleaned_up(glance_server, ctx, small_disk):
    """No-auth Glance cannot run glance-direct imports (tasks.owner is NULL): the
    POST /import fails; pybuild must notice (the SDK would not) and delete the image."""
    before = {i["id"] for i in glance_server.images()}
    pp = glance_pp(glance_server, image_name="it-import", use_import=True, retries=0, timeout="30s")
    with pytest.raises(BuildError, match="import"):
        pp.post_process(ctx, qemu_artifact(small_disk()))
    assert {i["id"] for i in glance_server.images()} == before


# --------------------------------------------------------------------------- faults


def test_glance_killed_mid_upload_error_and_deleted_after_restart(out, glance_factory, ctx, random_disk):
    srv = glance_factory()
    watcher = kill_when_stored(srv, 64 << 20, then=lambda: (time.sleep(2), srv.start()))
    pp = glance_pp(srv, image_name="it-killed", disk_format="raw", retries=0, cleanup_timeout="60s")
    with pytest.raises(BuildError) as e:
        pp.post_process(ctx, qemu_artifact(random_disk, "raw"))
    watcher.join(30)
    assert "cannot reach Glance" in str(e.value)
    assert "left behind" not in str(e.value)
    assert srv.images() == [], "the half-uploaded image must be deleted once Glance is back"
    assert "deleted incomplete image" in out.text


def test_glance_killed_and_not_back_names_the_leftover(out, glance_factory, ctx, random_disk):
    srv = glance_factory()
    watcher = kill_when_stored(srv, 32 << 20)
    pp = glance_pp(srv, image_name="it-leftover", disk_format="raw", retries=0, cleanup_timeout="2s")
    with pytest.raises(BuildError) as e:
        pp.post_process(ctx, qemu_artifact(random_disk, "raw"))
    watcher.join(30)
    srv.start()
    left = srv.images()
    assert len(left) == 1 and left[0]["status"] in ("saving", "queued")
    assert f"images possibly left behind: {left[0]['id']}" in str(e.value)
    assert f"openstack image delete {left[0]['id']}" in out.text


def test_transient_failure_is_retried_with_a_fresh_image(out, glance_factory, ctx, random_disk):
    srv = glance_factory()
    watcher = kill_when_stored(srv, 64 << 20, then=lambda: (time.sleep(1), srv.start()))
    pp = glance_pp(srv, image_name="it-retry", disk_format="raw", retries=4, retry_delay="1s")
    res = pp.post_process(ctx, qemu_artifact(random_disk, "raw"))
    watcher.join(30)
    images = srv.images()
    assert [i["id"] for i in images] == [res.artifact.id]
    assert images[0]["status"] == "active"
    assert images[0]["checksum"] == digests(random_disk)[0]
    assert "retry 1/4" in out.text


def test_cancel_mid_upload_deletes_the_image(glance_factory, ctx, random_disk):
    srv = glance_factory()
    watcher = kill_when_stored(srv, 32 << 20, action=lambda: TOKEN.cancel("SIGINT"))
    pp = glance_pp(srv, image_name="it-cancel", disk_format="raw")
    t0 = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            pp.post_process(ctx, qemu_artifact(random_disk, "raw"))
    finally:
        TOKEN.reset()
    watcher.join(30)
    assert time.monotonic() - t0 < 60
    assert srv.images() == []


# --------------------------------------------------------------------------- retention


@pytest.mark.parametrize("retention", ["hide", "delete"])
def test_keep_last_two_of_four(glance_server, ctx, small_disk, retention):
    disk = small_disk()
    family = f"it-family-{retention}"
    pp = glance_pp(glance_server, image_name=family + "-{{ timestamp }}", keep_last=2,
                   retention=retention)
    ids = [pp.post_process(ctx, qemu_artifact(disk)).artifact.id for _ in range(4)]
    mine = [i for i in glance_server.images() if i.get("pybuild_family") == family]
    visible = sorted(i["id"] for i in mine if not i["os_hidden"])
    assert visible == sorted(ids[2:]), "the two newest stay visible"
    if retention == "hide":
        assert sorted(i["id"] for i in mine if i["os_hidden"]) == sorted(ids[:2])
    else:
        assert len(mine) == 2


# --------------------------------------------------------------------------- several clouds


@pytest.fixture
def clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, str]], None]]:
    def write(endpoints: dict[str, str]) -> None:
        lines = ["clouds:"]
        for name, url in endpoints.items():
            lines += [f"  {name}:", "    auth_type: none", "    auth:", f"      endpoint: {url}"]
        f = tmp_path / "clouds.yaml"
        f.write_text("\n".join(lines) + "\n")
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(f))

    for k in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(k)
    yield write


def test_parallel_upload_to_two_clouds(glance_factory, ctx, small_disk, clouds_yaml):
    a, b = glance_factory(), glance_factory()
    clouds_yaml({"east": a.url, "west": b.url})
    pp = make_pp("glance", image_name="it-multi", clouds=["east", "west/RegionTwo"])
    art = pp.post_process(ctx, qemu_artifact(small_disk())).artifact
    ids = art.id.split(",")
    assert [i["id"] for i in a.images()] == [ids[0]] and [i["id"] for i in b.images()] == [ids[1]]
    assert [(i["cloud"], i["region"]) for i in art.data["images"]] == [("east", ""), ("west", "RegionTwo")]


def test_one_cloud_failing_rolls_back_the_other(glance_factory, ctx, small_disk, clouds_yaml):
    good, bad = glance_factory(), glance_factory()
    clouds_yaml({"good": good.url, "bad": bad.url})
    bad.kill()
    pp = make_pp("glance", image_name="it-partial", clouds=["good", "bad"], retries=0,
                 cleanup_timeout="1s")
    with pytest.raises(BuildError, match="bad"):
        pp.post_process(ctx, qemu_artifact(small_disk()))
    assert good.images() == []


# --------------------------------------------------------------------------- secrets


def test_credentials_are_registered_as_secrets():
    register_secrets({"auth_url": "https://keystone", "username": "bob",
                      "password": "hunter2-pass", "nested": {"application_credential_secret": "s3cr3t-ac"}})
    assert secrets.mask("pw hunter2-pass ac s3cr3t-ac user bob") == "pw <sensitive> ac <sensitive> user bob"


def test_connection_error_message_has_a_hint(monkeypatch, ctx: PostProcessContext, small_disk):
    for k in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml")
    pp = make_pp("glance", image_name="x", cloud="no-such-cloud", retries=0)
    with pytest.raises(BuildError) as e:
        pp.post_process(ctx, qemu_artifact(small_disk()))
    assert "no-such-cloud" in str(e.value) and "OS_CLOUD" in str(e.value)


def test_cloud_target_parse():
    assert CloudTarget.parse("east/RegionOne") == CloudTarget("east", "RegionOne")
    assert str(CloudTarget.parse("west")) == "west"


def test_keyboard_interrupt_mid_upload_deletes_the_image(glance_factory, ctx, random_disk, monkeypatch):
    """A second Ctrl-C raises KeyboardInterrupt wherever Python is: here inside the
    request body, as the HTTP client reads chunk 20."""
    from builder.post_processors import glance as glance_mod

    srv = glance_factory()
    calls = {"n": 0}
    real_abort = glance_mod._Uploader._abort

    def abort(self: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 20:
            raise KeyboardInterrupt
        real_abort(self)

    monkeypatch.setattr(glance_mod._Uploader, "_abort", abort)
    pp = glance_pp(srv, image_name="it-sigint", disk_format="raw")
    with pytest.raises(KeyboardInterrupt):
        pp.post_process(ctx, qemu_artifact(random_disk, "raw"))
    assert srv.images() == []
