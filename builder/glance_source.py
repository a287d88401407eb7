"""Glance images as a build's source: ``iso_url = "glance://CLOUD/IMAGE"``.

    glance://CLOUD/IMAGE            CLOUD: a clouds.yaml entry (its default region)
    glance://CLOUD/REGION/IMAGE     IMAGE: an image id, or a name (hidden images too)

What :func:`fetch` does:

1. connect to the cloud (:func:`builder.openstack.connect`: clouds.yaml, Keystone, region);
2. resolve IMAGE: an id is read directly; a name is looked up among visible *and* hidden
   (``os_hidden``) images, so a matrix base image uploaded hidden resolves by name too. Two
   images with one name is an error listing their ids; the image must be ``active`` and
   carry ``os_hash_algo``/``os_hash_value`` (Glance's multihash);
3. a given ``iso_checksum`` must agree with Glance's hash (same algorithm: compared before any
   download; another algorithm: checked on the downloaded file);
4. the file lands in the media cache (:func:`builder.media.iso_cache_dir`, the one
   ``iso_url`` downloads use), named by (cloud, region, image id, hash), under the same
   ``flock`` as HTTP downloads; it is streamed to ``.part`` while hashed with
   ``os_hash_algo`` and renamed only when the hash matches. A mismatch is refused with
   one line and leaves nothing in the cache. A cached file (hash re-checked) means no
   download: a second build on this host reads no image data from Glance.

The same module holds the few Glance image calls other parts share (hidden images listed,
``os_hidden`` switched): the matrix hand-off (:mod:`builder.matrix.handoff`) and the
``glance`` post-processor use them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder import secrets
from builder.cancel import TOKEN
from builder.errors import BuildError
from builder.media import NET_CHUNK, Checksum, ChecksumError, MediaError, _FileLock, file_digest
from builder.openstack import CloudTarget, connect
from builder.ui import Progress

if TYPE_CHECKING:
    from builder.ui import BuildUI

SCHEME = "glance://"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_JSON_PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


class GlanceSourceError(MediaError):
    """A glance:// source that cannot be resolved or downloaded, or a Glance call that failed
    (``status``: Glance's HTTP answer, 0 for none)."""

    def __init__(self, message: str, status: int = 0):
        self.status = status
        super().__init__(message)


def is_glance_url(url: str) -> bool:
    return url.strip().lower().startswith(SCHEME)


@dataclass(frozen=True)
class GlanceRef:
    cloud: str
    region: str
    image: str  # id or name

    @classmethod
    def parse(cls, url: str) -> GlanceRef:
        rest = url.strip()[len(SCHEME):]
        parts = rest.split("/")
        if len(parts) == 2 and all(parts):
            return cls(parts[0], "", parts[1])
        if len(parts) == 3 and all(parts):
            return cls(parts[0], parts[1], parts[2])
        raise GlanceSourceError(f"invalid Glance source {url!r}: expected glance://CLOUD/IMAGE or "
                                "glance://CLOUD/REGION/IMAGE (IMAGE: a name or an id)")

    @property
    def target(self) -> CloudTarget:
        return CloudTarget(self.cloud, self.region)

    def __str__(self) -> str:
        return SCHEME + "/".join(p for p in (self.cloud, self.region, self.image) if p)


def url_for(cloud: str, region: str, image: str) -> str:
    return str(GlanceRef(cloud, region, image))


def syntax_error(url: str) -> str:
    """Why ``url`` is not a valid glance:// source ("" when it is)."""
    try:
        GlanceRef.parse(url)
    except GlanceSourceError as e:
        return str(e)
    return ""


# --------------------------------------------------------------------------- Glance calls


def _json(resp: Any, what: str) -> Any:
    if resp.status_code >= 400:
        body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.text or ""))[:300].strip()
        raise GlanceSourceError(f"{what}: Glance answered {resp.status_code} {resp.reason}: {body}",
                                resp.status_code)
    return resp.json() if resp.status_code != 204 else None


def list_images(conn: Any, **filters: str) -> list[dict[str, Any]]:
    """Every image matching ``filters`` (Glance list filters: name, tag, a property...),
    visible and hidden alike (Glance lists only one of the two per request)."""
    out: list[dict[str, Any]] = []
    for hidden in ("false", "true"):
        url: str | None = "/images"
        params: dict[str, Any] | None = {**filters, "os_hidden": hidden, "limit": 200}
        while url:
            data = _json(conn.image.get(url, params=params), "listing images")
            out.extend(data.get("images", []))
            nxt = data.get("next")
            url = nxt.removeprefix("/v2") if nxt else None
            params = None
    return out


def get_image(conn: Any, image_id: str) -> dict[str, Any] | None:
    resp = conn.image.get(f"/images/{image_id}")
    if resp.status_code == 404:
        return None
    data: dict[str, Any] = _json(resp, f"reading image {image_id}")
    return data


def set_hidden(conn: Any, image_id: str, hidden: bool) -> None:
    _json(conn.image.patch(f"/images/{image_id}", json=[{"op": "replace", "path": "/os_hidden", "value": hidden}],
                           headers=_JSON_PATCH), f"{'hiding' if hidden else 'unhiding'} image {image_id}")


def delete_image(conn: Any, image_id: str) -> None:
    resp = conn.image.delete(f"/images/{image_id}")
    if resp.status_code not in (204, 404):
        _json(resp, f"deleting image {image_id}")


def resolve(conn: Any, ref: GlanceRef) -> dict[str, Any]:
    """The active image ``ref`` names (by id, else by unique name, hidden ones included)."""
    image = get_image(conn, ref.image) if _UUID.match(ref.image) else None
    if image is None:
        found = list_images(conn, name=ref.image)
        if not found:
            raise GlanceSourceError(f"{ref}: no image with that id or name in {ref.target}")
        if len(found) > 1:
            ids = ", ".join(f"{i['id']} ({i.get('status')}, created {i.get('created_at')})"
                            for i in sorted(found, key=lambda i: str(i.get("created_at"))))
            raise GlanceSourceError(f"{ref}: {len(found)} images are named {ref.image!r} in {ref.target}; "
                                    f"name one by id: {ids}")
        image = found[0]
    if image.get("status") != "active":
        raise GlanceSourceError(f"{ref}: image {image['id']} is {image.get('status')!r}, not active")
    if not image.get("os_hash_algo") or not image.get("os_hash_value"):
        raise GlanceSourceError(f"{ref}: image {image['id']} has no os_hash_value to verify it against")
    return image


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class Fetched:
    path: Path
    image: dict[str, Any]  # Glance's record of the image
    downloaded: bool  # False: the cached copy was used

    @property
    def image_id(self) -> str:
        return str(self.image["id"])


def cache_path(cache: Path, ref: GlanceRef, image: dict[str, Any]) -> Path:
    key = f"glance:{ref.cloud}/{ref.region}:{image['id']}:{image['os_hash_algo']}:{image['os_hash_value']}"
    ext = re.sub(r"[^a-z0-9]", "", str(image.get("disk_format") or "img").lower()) or "img"
    return cache / f"{hashlib.sha1(key.encode()).hexdigest()}.{ext}"


def fetch(url: str, *, checksum: Checksum | None = None, ui: BuildUI | None = None,
          cache: Path | None = None, attempts: int = 3) -> Fetched:
    """The verified local copy of the Glance image ``url`` names (see the module docstring)."""
    from builder.media import iso_cache_dir

    ref = GlanceRef.parse(url)
    cache = cache or iso_cache_dir()
    try:
        conn = connect(ref.target)
    except MediaError:
        raise
    except BuildError as e:
        raise GlanceSourceError(f"{ref}: {e}") from None
    try:
        image = _call(lambda: resolve(conn, ref), ref)
        algo, want = str(image["os_hash_algo"]).lower(), str(image["os_hash_value"]).lower()
        if algo not in hashlib.algorithms_available:
            raise GlanceSourceError(f"{ref}: Glance hashes with {algo!r}, which this Python cannot compute")
        if checksum is not None and checksum.algo == algo and checksum.hexdigest != want:
            raise ChecksumError(f"{ref}: iso_checksum {checksum} does not match image {image['id']}'s "
                                f"os_hash_value ({algo}:{want[:16]}...)")
        if ui is not None:
            ui.message(f"Glance image {image['id']} ({image.get('name')}, {image.get('size')} bytes, "
                       f"{algo} {want[:16]}...) in {ref.target}")
        target = cache_path(cache, ref, image)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _FileLock(target.with_name(target.name + ".lock"), ui):
            downloaded = False
            if target.exists() and file_digest(target, algo) == want:
                if ui is not None:
                    ui.message(f"Using cached copy {target} of Glance image {image['id']}")
            else:
                target.unlink(missing_ok=True)
                _download(conn, ref, image, target, ui, attempts)
                downloaded = True
        if checksum is not None and checksum.algo != algo:
            got = file_digest(target, checksum.algo)
            if got != checksum.hexdigest:
                raise ChecksumError(f"{ref}: iso_checksum {checksum} does not match image {image['id']} "
                                    f"(its {checksum.algo} is {got})")
        return Fetched(target, image, downloaded)
    finally:
        conn.close()


def _call(fn: Any, ref: GlanceRef) -> Any:
    from keystoneauth1 import exceptions as ks_exc
    from requests import exceptions as rq_exc

    try:
        return fn()
    except (ks_exc.ConnectionError, rq_exc.ConnectionError, ConnectionError) as e:
        raise GlanceSourceError(f"{ref}: cannot reach Glance: {secrets.mask(str(e))}") from None


def _download(conn: Any, ref: GlanceRef, image: dict[str, Any], target: Path, ui: BuildUI | None,
              attempts: int) -> None:
    algo, want = str(image["os_hash_algo"]).lower(), str(image["os_hash_value"]).lower()
    part = target.with_name(target.name + ".part")
    last = ""
    for attempt in range(max(1, attempts)):
        TOKEN.check()
        if attempt:
            TOKEN.sleep(min(2.0**attempt, 30.0))
        if ui is not None:
            ui.say(f"Downloading Glance image {image['id']} from {ref.target} to {target}")
        try:
            got = _stream(conn, image, part, ui)
        except _Transient as e:
            last = str(e)
            continue
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        if got != want:
            part.unlink(missing_ok=True)
            raise ChecksumError(f"{ref}: the data Glance sent for image {image['id']} does not match its "
                                f"os_hash_value ({algo}: expected {want[:16]}..., got {got[:16]}...); "
                                "refusing it")
        os.replace(part, target)
        return
    part.unlink(missing_ok=True)
    raise GlanceSourceError(f"{ref}: download of image {image['id']} failed after {max(1, attempts)} "
                            f"attempts: {last}")


class _Transient(Exception):
    pass


def _stream(conn: Any, image: dict[str, Any], part: Path, ui: BuildUI | None) -> str:
    """GET the image data into ``part``, hashing as it arrives; the hex digest."""
    from keystoneauth1 import exceptions as ks_exc
    from requests import exceptions as rq_exc

    h = hashlib.new(str(image["os_hash_algo"]).lower())
    display = Progress(ui, event="download_progress", key="url")
    progress = display.task(f"glance {image['id']}", image.get("size"), 0)
    try:
        resp = conn.image.get(f"/images/{image['id']}/file", stream=True)
        with resp:
            if resp.status_code >= 500 or resp.status_code == 429:
                raise _Transient(f"HTTP {resp.status_code} {resp.reason}")
            if resp.status_code != 200:
                _json(resp, f"downloading image {image['id']}")
                raise GlanceSourceError(f"downloading image {image['id']}: HTTP {resp.status_code} (no data)")
            with open(part, "wb") as fh:
                for chunk in resp.iter_content(NET_CHUNK):
                    TOKEN.check()
                    fh.write(chunk)
                    h.update(chunk)
                    progress.advance(len(chunk))
    except (ks_exc.ConnectionError, rq_exc.ConnectionError, rq_exc.ChunkedEncodingError, ConnectionError) as e:
        raise _Transient(f"connection lost: {secrets.mask(str(e))}") from None
    finally:
        display.close()
    return h.hexdigest()


__all__ = ["Fetched", "GlanceRef", "GlanceSourceError", "delete_image", "fetch", "get_image", "is_glance_url",
           "list_images", "resolve", "set_hidden", "syntax_error", "url_for"]
