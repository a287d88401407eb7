"""``glance://CLOUD/IMAGE`` sources against a real Glance (clouds.yaml, ``auth_type: none``):
resolution by id and by name (hidden images too), ambiguous names, the os_hash_value check,
the per-host media cache (counted in Glance's own access log) and ``iso_checksum``."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from builder.errors import BuildError
from builder.glance_source import GlanceRef, GlanceSourceError, fetch, url_for
from builder.media import Checksum, ChecksumError, ISOConfig
from builder.media import fetch as media_fetch
from tests.fixtures.glance import GlanceServer

pytestmark = pytest.mark.glance


def upload(srv: GlanceServer, name: str, data: bytes, *, hidden: bool = False, **props: Any) -> str:
    r = requests.post(f"{srv.url}/v2/images", json={"name": name, "disk_format": "raw", "container_format": "bare",
                                                     "os_hidden": hidden, **props}, timeout=30)
    r.raise_for_status()
    iid = str(r.json()["id"])
    requests.put(f"{srv.url}/v2/images/{iid}/file", data=data, timeout=30,
                 headers={"Content-Type": "application/octet-stream"}).raise_for_status()
    return iid


@pytest.fixture
def cloud(glance_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GlanceServer]:
    """A private Glance as clouds.yaml entry "lab"; downloads cached in tmp_path/cache."""
    srv = glance_factory()
    (tmp_path / "clouds.yaml").write_text(f"clouds:\n  lab:\n    auth_type: none\n    auth:\n"
                                          f"      endpoint: {srv.url}\n")
    for k in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    monkeypatch.setenv("PYBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PACKER_CACHE_DIR", raising=False)
    yield srv


DATA = os.urandom(3 * 2**20 + 17)


def test_parse() -> None:
    assert GlanceRef.parse("glance://lab/debian") == GlanceRef("lab", "", "debian")
    assert GlanceRef.parse("glance://lab/RegionTwo/debian") == GlanceRef("lab", "RegionTwo", "debian")
    assert str(GlanceRef.parse("glance://lab/RegionTwo/x")) == "glance://lab/RegionTwo/x"
    assert url_for("lab", "", "x") == "glance://lab/x"
    for bad in ("glance://lab", "glance://lab/", "glance://a/b/c/d", "glance:///x"):
        with pytest.raises(GlanceSourceError, match="expected glance://CLOUD/IMAGE"):
            GlanceRef.parse(bad)


def test_iso_config_needs_no_checksum_for_glance() -> None:
    assert ISOConfig(iso_url="glance://lab/debian").validate() == []
    assert ISOConfig(iso_url="glance://lab/debian", iso_checksum="none").warnings() == []
    errs = ISOConfig(iso_url="glance://lab").validate()
    assert any("expected glance://CLOUD/IMAGE" in e for e in errs), errs
    assert any("iso_checksum" in e for e in ISOConfig(iso_urls=["glance://lab/x", "http://h/x.iso"]).validate())


def test_by_name_then_cached_no_second_download(cloud: GlanceServer, tmp_path: Path) -> None:
    iid = upload(cloud, "base-night", DATA)
    first = fetch("glance://lab/base-night")
    assert first.downloaded and first.image_id == iid
    assert first.path.read_bytes() == DATA
    assert first.path.parent == tmp_path / "cache"  # the media cache of iso_url downloads
    assert cloud.requests_seen("GET", f"/v2/images/{iid}/file") == 1
    # second use, by id this time, through the qemu builder's media path: no image data read
    cfg = ISOConfig(iso_url=f"glance://lab/{iid}")
    assert cfg.validate() == []
    assert media_fetch(cfg) == first.path
    again = fetch(f"glance://lab/{iid}")
    assert not again.downloaded and again.path == first.path
    assert cloud.requests_seen("GET", f"/v2/images/{iid}/file") == 1
    assert not list((tmp_path / "cache").glob("*.part"))


def test_hidden_image_resolves_by_name(cloud: GlanceServer) -> None:
    iid = upload(cloud, "hidden-base", DATA[:4096], hidden=True)
    got = fetch("glance://lab/hidden-base")
    assert got.image_id == iid and got.image["os_hidden"] is True


def test_ambiguous_name_lists_the_ids(cloud: GlanceServer) -> None:
    a = upload(cloud, "twice", b"a" * 1000)
    b = upload(cloud, "twice", b"b" * 1000, hidden=True)
    with pytest.raises(GlanceSourceError) as e:
        fetch("glance://lab/twice")
    msg = str(e.value)
    assert "2 images are named 'twice'" in msg and a in msg and b in msg and "\n" not in msg


def test_unknown_image_and_unknown_cloud(cloud: GlanceServer) -> None:
    with pytest.raises(GlanceSourceError, match="no image with that id or name in lab"):
        fetch("glance://lab/nothing-here")
    with pytest.raises(BuildError, match="nosuch"):
        fetch("glance://nosuch/x")


def test_iso_checksum_must_agree(cloud: GlanceServer) -> None:
    iid = upload(cloud, "sums", DATA)
    sha512 = hashlib.sha512(DATA).hexdigest()
    sha256 = hashlib.sha256(DATA).hexdigest()
    assert fetch("glance://lab/sums", checksum=Checksum("sha512", sha512)).image_id == iid
    assert fetch("glance://lab/sums", checksum=Checksum("sha256", sha256)).image_id == iid
    with pytest.raises(ChecksumError, match="does not match image"):
        fetch("glance://lab/sums", checksum=Checksum("sha512", "0" * 128))
    with pytest.raises(ChecksumError, match="does not match image"):
        media_fetch(ISOConfig(iso_url="glance://lab/sums", iso_checksum="sha256:" + "1" * 64))


def test_data_not_matching_os_hash_value_is_refused(cloud: GlanceServer, tmp_path: Path) -> None:
    iid = upload(cloud, "tampered", DATA)
    stored = cloud.base_dir / "images" / iid  # the file store: change the bytes Glance serves
    blob = bytearray(stored.read_bytes())
    blob[1000] ^= 0xFF
    stored.write_bytes(bytes(blob))
    with pytest.raises(ChecksumError) as e:
        fetch("glance://lab/tampered")
    assert f"image {iid} does not match its os_hash_value (sha512" in str(e.value)
    assert "refusing it" in str(e.value) and "\n" not in str(e.value)
    assert not [p for p in (tmp_path / "cache").iterdir() if not p.name.endswith(".lock")]
