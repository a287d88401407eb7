"""``glance`` post-processor: upload the built disk to OpenStack Glance.

    post-processor "glance" {
      cloud        = "mycloud"                    # clouds.yaml; or OS_CLOUD / OS_* variables
      image_name   = "debian-12-{{ timestamp }}"  # Go template
      visibility   = "private"
      properties   = { hw_qemu_guest_agent = "yes", os_distro = "debian", os_version = "12" }
      keep_last    = 3                            # older images of the family are hidden
    }

What one upload does, per cloud/region (several run in parallel threads):

1. create the image record (``POST /v2/images``) with the properties, plus pybuild's
   build metadata (``pybuild_build_name``, ``pybuild_family``...);
2. stream the file (``PUT .../file``, or ``stage`` + ``import`` with ``use_import``)
   through a reader that computes md5 and sha512 in the same pass and drives the
   progress display; memory stays flat whatever the image size;
3. wait for ``active`` (polling: a failed import does not raise), then compare
   Glance's ``checksum`` / ``os_hash_value`` with the local digests;
4. on any failure, Ctrl-C or cancellation, delete the image record so Glance never
   keeps a half-uploaded image; if Glance is unreachable the deletion is retried for
   ``cleanup_timeout`` and a leftover image is named in the error;
5. after every upload succeeded: retention (``keep_last``) hides or deletes the older
   images of the same family (images whose ``family_property`` equals ``family``).

In a matrix cell (:mod:`builder.matrix.handoff`, environment ``PYBUILD_MATRIX_*``): the cell's
``clouds`` replace cloud/region/clouds, every image carries the run and the cell (properties
and tags), a base cell's image is uploaded hidden, and images an earlier attempt of the same
cell left in the cloud/region are deleted before each attempt.

Transient errors (connection failures, HTTP 5xx/429) are retried ``retries`` times
with exponential backoff, each retry starting from a fresh image record.

``family`` defaults to ``image_name`` with its time-dependent template parts
(``{{ timestamp }}``, ``{{ isotime ... }}``, ``{{ uuid }}``) removed and separators
tidied: ``"debian-12-{{ timestamp }}"`` -> ``"debian-12"``. A name built in HCL with
``timestamp()`` is already a plain string by then: set ``family`` explicitly.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import builder
from builder import secrets
from builder.cancel import CancelToken
from builder.config import BaseConfig, Duration, opt
from builder.errors import BuildError, Cancelled, PybuildError
from builder.glance_source import GlanceSourceError, delete_image, set_hidden
from builder.matrix.handoff import UploadContext, earlier_attempts
from builder.openstack import CloudTarget, connect, identity, tls_failure, verifies_tls
from builder.plugins import Artifact, PostProcessContext, PostProcessor, PostProcessResult
from builder.post_processors._disk import find_disk, render
from builder.ui import Progress

BUILDER_ID = "pybuild.post-processor.glance"
DISK_FORMATS = ("qcow2", "raw", "vmdk", "vdi", "vhd", "vhdx", "iso", "ploop", "ami", "ari", "aki")
_QEMU_TO_GLANCE = {"vpc": "vhd"}
_CHUNK = 1 << 20
_TIME_PARTS = re.compile(r"{{-?\s*(timestamp|uuid|isotime\b[^}]*)\s*-?}}")


@dataclass(kw_only=True)
class GlanceConfig(BaseConfig):
    # where
    cloud: str = opt("", help="clouds.yaml entry (default: OS_CLOUD, else the OS_* variables)")
    region: str = opt("", help="region name (default: the cloud's)")
    clouds: list[str] = opt([], help='upload to several clouds/regions in parallel: ["name", '
                                     '"name/region", ...] (overrides cloud/region)')
    auth_type: str = opt("", help='keystoneauth plugin; "none" talks to a Glance without Keystone')
    endpoint: str = opt("", help='Glance URL with auth_type = "none" (else the Keystone auth URL)')
    insecure: bool = opt(False, help="do not verify TLS certificates")
    # what
    image_name: str = opt(help="image name (Go template, e.g. \"debian-12-{{ timestamp }}\")",
                          required=True)
    disk_format: str = opt("", choices=("", *DISK_FORMATS),
                           help="Glance disk_format (default: the disk's real format)")
    container_format: str = opt("bare", help="Glance container_format")
    visibility: str = opt("private", choices=("private", "public", "shared", "community"),
                          help="image visibility")
    min_disk: int = opt(0, help="minimum disk size in GB")
    min_ram: int = opt(0, help="minimum RAM in MB")
    protected: bool = opt(False, help="protect the image from deletion")
    tags: list[str] = opt([], help="image tags")
    properties: dict[str, str] = opt({}, help="image properties (hw_qemu_guest_agent, os_distro...)")
    build_properties: bool = opt(True, help="add pybuild_* build metadata properties")
    use_import: bool = opt(False, help="interoperable import (stage + import) instead of a PUT upload")
    import_method: str = opt("glance-direct", help="import method with use_import")
    # retention
    family: str = opt("", help="image family (default: image_name without its timestamp part)")
    family_property: str = opt("pybuild_family", help="property that records the family")
    keep_last: int = opt(0, help="keep this many newest images of the family visible (0 = all)")
    retention: str = opt("hide", choices=("hide", "delete"),
                         help='what happens to older images: "hide" (os_hidden) or "delete"')
    # robustness
    retries: int = opt(3, help="retries for transient Glance errors")
    retry_delay: Duration = opt(Duration(2.0), help="first retry delay (doubles each retry)")
    timeout: Duration = opt(Duration(3600), help="how long to wait for the image to become active")
    cleanup_timeout: Duration = opt(Duration(120), help="how long to keep trying to delete a failed "
                                                        "upload while Glance is unreachable")
    verify_checksum: bool = opt(True, help="compare Glance's checksums with the local ones")

    def validate(self) -> list[str]:
        errors = []
        if not self.image_name.strip():
            errors.append("image_name: must not be empty")
        if self.keep_last < 0:
            errors.append("keep_last: must be >= 0")
        if self.retries < 0:
            errors.append("retries: must be >= 0")
        if self.auth_type == "none" and not self.endpoint:
            errors.append('endpoint: required with auth_type = "none"')
        if self.auth_type == "none" and self.clouds:
            errors.append('clouds: not used with auth_type = "none" (one endpoint)')
        for k, v in self.properties.items():
            if len(v) > 255:
                errors.append(f"properties: value of {k} is longer than 255 characters")
        return errors

    def targets(self) -> list[CloudTarget]:
        matrix = UploadContext.from_env()
        if matrix.clouds:  # a matrix cell's clouds
            return matrix.targets()
        if self.clouds:
            return [CloudTarget.parse(c) for c in self.clouds]
        return [CloudTarget(self.cloud, self.region)]


# --------------------------------------------------------------------------- errors


class GlanceError(BuildError):
    """An error answer from Glance (status 0 = no answer at all)."""

    def __init__(self, message: str, status: int = 0):
        self.status = status
        super().__init__(message, step="glance")

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.status == 429


def _check(resp: Any, what: str, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
    if resp.status_code in ok:
        return resp
    body = (resp.text or "").strip().replace("\n", " ")
    body = re.sub(r"<[^>]+>", " ", body)
    body = re.sub(r"\s+", " ", body).replace(f"{resp.status_code} {resp.reason}", "").strip()[:400]
    raise GlanceError(f"{what}: Glance answered {resp.status_code} {resp.reason}: {body}",
                      resp.status_code)


@contextlib.contextmanager
def _transport_errors(what: str) -> Iterator[None]:
    """Connection problems become a transient GlanceError (status 0); a certificate
    that does not verify, a permanent one."""
    from keystoneauth1 import exceptions as ks_exc
    from requests import exceptions as rq_exc

    try:
        yield
    except (ks_exc.SSLError, rq_exc.SSLError) as e:
        # 495 ("SSL certificate error"): not transient, retrying cannot help
        raise GlanceError(f"{what}: {tls_failure(e)}", 495) from None
    except (ks_exc.ConnectionError, rq_exc.ConnectionError, ConnectionError) as e:
        raise GlanceError(f"{what}: cannot reach Glance: {secrets.mask(str(e))}") from None


# --------------------------------------------------------------------------- streaming


class HashingReader:
    """The request body: yields the file in 1 MiB chunks, hashing (md5 + sha512) and
    counting as the HTTP client reads, and stops when ``abort()`` raises."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None], abort: Callable[[], None]):
        self.path = path
        self.size = path.stat().st_size
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha512 = hashlib.sha512()
        self.sent = 0
        self.complete = False
        self._on_bytes = on_bytes
        self._abort = abort

    def __len__(self) -> int:  # requests sends Content-Length, not chunked encoding
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        # each pass starts over: keystoneauth sends the body again after a 401 (a token
        # that expired before Glance checked it), and the digests must be of one copy
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha512 = hashlib.sha512()
        self.sent = 0
        self.complete = False
        with open(self.path, "rb") as f:
            while True:
                self._abort()
                chunk = f.read(_CHUNK)
                if not chunk:
                    break
                self.md5.update(chunk)
                self.sha512.update(chunk)
                self.sent += len(chunk)
                self._on_bytes(len(chunk))
                yield chunk
        self.complete = True


# --------------------------------------------------------------------------- one upload


@dataclass
class Upload:
    """The state of one cloud/region upload."""

    target: CloudTarget
    conn: Any = None
    image_id: str = ""
    image: dict[str, Any] = field(default_factory=dict)
    md5: str = ""
    sha512: str = ""
    error: BaseException | None = None
    hidden: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    leftover: list[str] = field(default_factory=list)  # images that could not be deleted


class _Uploader:
    def __init__(self, pp: GlanceUpload, ctx: PostProcessContext, disk: Path, disk_format: str,
                 name: str, family: str, progress: Progress, abort_event: threading.Event):
        self.cfg = pp.config
        self.ctx = ctx
        self.disk = disk
        self.disk_format = disk_format
        self.name = name
        self.family = family
        self.progress = progress
        self.abort_event = abort_event
        self._insecure_warned = threading.Event()
        self.matrix = UploadContext.from_env()
        # a matrix cell's clouds replace the template's own (and its Keystone-less endpoint)
        self.auth_type = "" if self.matrix.clouds else self.cfg.auth_type
        self.endpoint = "" if self.matrix.clouds else self.cfg.endpoint

    # -- helpers

    def _abort(self) -> None:
        if self.abort_event.is_set():
            raise Cancelled("Upload aborted.")
        self.ctx.cancel.check()

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._abort()
            time.sleep(min(0.2, max(0.0, end - time.monotonic())))

    def _say(self, up: Upload, text: str) -> None:
        self.ctx.ui.message(f"glance {up.target}: {text}")

    def image_body(self) -> dict[str, Any]:
        cfg = self.cfg
        body: dict[str, Any] = {
            "name": self.name,
            "disk_format": self.disk_format,
            "container_format": cfg.container_format,
            "visibility": cfg.visibility,
            "min_disk": cfg.min_disk,
            "min_ram": cfg.min_ram,
            "protected": cfg.protected,
        }
        tags = [*cfg.tags, *self.matrix.tags()]
        if tags:
            body["tags"] = tags
        if self.matrix.hidden:
            body["os_hidden"] = True  # a matrix base image: hidden until its run is over
        props: dict[str, str] = {}
        if cfg.build_properties:
            props.update({
                "pybuild_build_name": self.ctx.build_name,
                "pybuild_builder_type": self.ctx.build_type,
                "pybuild_version": builder.__version__,
                "pybuild_uploaded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            })
        if cfg.family_property and self.family:
            props[cfg.family_property] = self.family
        props.update({k: str(v) for k, v in cfg.properties.items()})
        props.update(self.matrix.properties())
        body.update(props)
        return body

    # -- steps

    def run(self, up: Upload) -> None:
        cfg = self.cfg
        with _transport_errors(f"connecting to {up.target}"):
            up.conn = connect(up.target, auth_type=self.auth_type, endpoint=self.endpoint,
                              insecure=cfg.insecure)
        if not verifies_tls(up.conn) and not self._insecure_warned.is_set():
            self._insecure_warned.set()  # once per upload, not per request as urllib3 would
            self.ctx.ui.warn(f"glance {up.target}: TLS certificate verification is off (insecure): "
                             "the cloud's identity is not checked; prefer cacert in clouds.yaml")
        attempt = 0
        while True:
            try:
                self.attempt(up)
                return
            except GlanceError as e:
                self.cleanup(up)
                if e.status == 403:
                    where = CloudTarget(up.target.cloud or up.conn.config.name or "",
                                        up.conn.config.get_region_name("image") or "")
                    raise GlanceError(f"{e}; {identity(up.conn)} on cloud {where} may not upload "
                                      "images: Glance's default policy needs the member (or admin) "
                                      "role in the project", 403) from None
                if not e.transient or attempt >= cfg.retries:
                    raise
                delay = float(cfg.retry_delay) * 2**attempt
                attempt += 1
                self._say(up, f"{e}; retry {attempt}/{cfg.retries} in {delay:.0f}s")
                self._sleep(delay)
            except BaseException:
                self.cleanup(up)
                raise

    def supersede(self, up: Upload) -> None:
        """Delete what an earlier attempt of this matrix cell in this run left in this
        cloud/region (a worker killed during or after its upload, or a create that Glance
        answered with an error after storing the record): one image per cell and region."""
        try:
            with _transport_errors("listing earlier attempts"):
                for image in earlier_attempts(up.conn, self.matrix):
                    delete_image(up.conn, image["id"])
                    self._say(up, f"deleted image {image['id']} ({image.get('status')}) of an earlier attempt "
                                  f"of matrix cell {self.matrix.cell} (run {self.matrix.run_id})")
        except GlanceSourceError as e:  # a 5xx is retried like any other Glance call
            raise GlanceError(str(e), e.status or 500) from None

    def attempt(self, up: Upload) -> None:
        img = up.conn.image
        if self.matrix.active:  # also what a create that failed with 5xx may have left
            self.supersede(up)
        with _transport_errors(f"creating image {self.name!r}"):
            resp = _check(img.post("/images", json=self.image_body()), f"creating image {self.name!r}")
        up.image_id = resp.json()["id"]
        self._say(up, f"created image {up.image_id} ({self.name}), uploading {self.disk.name}")
        advance = self.progress.task(f"{up.target} {self.disk.name}", self.disk.stat().st_size).advance
        reader = HashingReader(self.disk, advance, self._abort)
        headers = {"Content-Type": "application/octet-stream"}
        what = f"uploading to image {up.image_id}"
        with _transport_errors(what):
            if self.cfg.use_import:
                _check(img.put(f"/images/{up.image_id}/stage", data=reader, headers=headers,
                               connect_retries=0), f"staging image {up.image_id}")
                self._abort()
                _check(img.post(f"/images/{up.image_id}/import",
                                json={"method": {"name": self.cfg.import_method}}),
                       f"importing image {up.image_id}")
            else:
                _check(img.put(f"/images/{up.image_id}/file", data=reader, headers=headers,
                               connect_retries=0), what)
        self._abort()
        if not reader.complete:
            raise GlanceError(f"{what}: only {reader.sent} of {reader.size} bytes were sent")
        up.md5, up.sha512 = reader.md5.hexdigest(), reader.sha512.hexdigest()
        up.image = self.wait_active(up)
        self.verify(up, reader.size)

    def get(self, up: Upload) -> dict[str, Any]:
        with _transport_errors(f"reading image {up.image_id}"):
            data: dict[str, Any] = _check(up.conn.image.get(f"/images/{up.image_id}"),
                                          f"reading image {up.image_id}").json()
        return data

    def wait_active(self, up: Upload) -> dict[str, Any]:
        deadline = time.monotonic() + float(self.cfg.timeout)
        delay = 0.2
        while True:
            image = self.get(up)
            status = image.get("status")
            if status == "active":
                return image
            failed = image.get("os_glance_failed_import")
            if status in ("killed", "deleted", "deactivated") or failed:
                detail = f" (failed import to store {failed})" if failed else ""
                raise GlanceError(f"image {up.image_id} ended in status {status!r}{detail}", 422)
            if time.monotonic() > deadline:
                raise GlanceError(f"image {up.image_id} still {status!r} after "
                                  f"{float(self.cfg.timeout):.0f}s", 408)
            self._sleep(delay)
            delay = min(delay * 2, 5.0)

    def verify(self, up: Upload, size: int) -> None:
        image = up.image
        if not self.cfg.verify_checksum:
            return
        problems = []
        if image.get("size") not in (None, size):
            problems.append(f"size {image.get('size')} != local {size}")
        if image.get("checksum") and image["checksum"] != up.md5:
            problems.append(f"md5 {image['checksum']} != local {up.md5}")
        if image.get("os_hash_algo") == "sha512" and image.get("os_hash_value") != up.sha512:
            problems.append("sha512 differs from the local file's")
        if problems:
            raise GlanceError(f"image {up.image_id} does not match {self.disk.name}: "
                              + "; ".join(problems), 422)
        self._say(up, f"image {up.image_id} is active, checksums verified (md5 {up.md5})")

    def cleanup(self, up: Upload) -> None:
        """Delete the half-created image; retry while Glance is unreachable."""
        if not up.image_id or up.conn is None:
            return
        image_id, up.image_id = up.image_id, ""
        deadline = time.monotonic() + float(self.cfg.cleanup_timeout)
        delay = 0.5
        last = ""
        while True:
            try:
                with _transport_errors(f"deleting image {image_id}"):
                    resp = up.conn.image.delete(f"/images/{image_id}", connect_retries=0)
                if resp.status_code in (200, 204, 404):
                    self._say(up, f"deleted incomplete image {image_id}")
                    return
                last = f"Glance answered {resp.status_code}"
                if resp.status_code < 500:
                    break
            except GlanceError as e:
                last = str(e)
            except KeyboardInterrupt:
                last = "interrupted"
                break
            if time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
        msg = (f"could not delete incomplete image {image_id} on {up.target} ({last}); "
               f"delete it with: openstack image delete {image_id}")
        self.ctx.ui.error(msg)
        up.leftover.append(image_id)

    def delete_done(self, up: Upload) -> None:
        """Roll back a finished upload (another cloud failed)."""
        if up.image.get("id") and up.conn is not None:
            up.image_id = up.image["id"]
            self.cleanup(up)

    # -- retention

    def family_images(self, up: Upload) -> list[dict[str, Any]]:
        prop = self.cfg.family_property
        out: list[dict[str, Any]] = []
        url: str | None = "/images"
        params: dict[str, Any] | None = {prop: self.family, "limit": 200}
        while url:
            with _transport_errors("listing images"):
                resp = _check(up.conn.image.get(url, params=params), "listing images")
            data = resp.json()
            out.extend(i for i in data.get("images", []) if i.get(prop) == self.family)
            nxt = data.get("next")
            url = nxt.removeprefix("/v2") if nxt else None
            params = None
        return out

    def retain(self, up: Upload) -> None:
        keep = self.cfg.keep_last
        if keep <= 0 or not self.family:
            return
        images = [i for i in self.family_images(up)
                  if i.get("status") == "active" and not i.get("os_hidden")]
        images.sort(key=lambda i: (i.get("pybuild_uploaded_at") or i.get("created_at") or "",
                                   i.get("created_at") or ""), reverse=True)
        # the image just uploaded always stays, whatever the clocks say
        images.sort(key=lambda i: i.get("id") != up.image.get("id"))
        for old in images[keep:]:
            iid = old["id"]
            if self.cfg.retention == "delete":
                if old.get("protected"):
                    self._say(up, f"retention: {iid} is protected, not deleted")
                    continue
                with _transport_errors(f"deleting image {iid}"):
                    _check(up.conn.image.delete(f"/images/{iid}"), f"deleting image {iid}",
                           ok=(204, 404))
                up.deleted.append(iid)
                self._say(up, f"retention: deleted {old.get('name')} ({iid})")
            else:
                with _transport_errors(f"hiding image {iid}"):
                    set_hidden(up.conn, iid, True)
                up.hidden.append(iid)
                self._say(up, f"retention: hid {old.get('name')} ({iid})")


# --------------------------------------------------------------------------- component


def default_family(image_name: str) -> str:
    """``image_name`` without its time-dependent template parts, separators tidied."""
    text = _TIME_PARTS.sub("", image_name)
    text = re.sub(r"([-_.])[-_.]+", r"\1", text)
    return text.strip("-_. ")


class GlanceUpload(PostProcessor[GlanceConfig]):
    Config = GlanceConfig
    late_templates = ("image_name", "family")  # the family is derived from the unrendered name

    def post_process(self, ctx: PostProcessContext, artifact: Artifact) -> PostProcessResult:
        cfg = self.config
        disk, real_format = find_disk(artifact)
        real_format = _QEMU_TO_GLANCE.get(real_format, real_format)
        disk_format = cfg.disk_format or real_format
        if disk_format != real_format:
            ctx.ui.warn(f"disk_format is {disk_format!r} but {disk.name} is {real_format!r}; "
                        "Glance may refuse it")
        name = render(cfg.image_name, ctx)
        family = render(cfg.family, ctx) if cfg.family else render(default_family(cfg.image_name), ctx)
        if not name:
            raise BuildError("glance: image_name renders to an empty string")
        targets = cfg.targets()
        size = disk.stat().st_size
        ctx.ui.say(f"Uploading {disk.name} ({size / 2**20:.1f} MiB, {disk_format}) to Glance as "
                   f"{name!r} ({', '.join(map(str, targets))})...")
        abort_event = threading.Event()
        progress = Progress(ctx.ui, event="glance.progress", key="target")
        uploader = _Uploader(self, ctx, disk, disk_format, name, family, progress, abort_event)
        uploads = [Upload(t) for t in targets]
        try:
            self._run_all(uploader, uploads, abort_event, ctx.cancel)
        finally:
            progress.close()
        for up in uploads:
            ctx.ui.event("glance.uploaded", cloud=up.target.cloud, region=up.target.region,
                         image_id=up.image.get("id"), image_name=name, checksum=up.md5)
            try:
                uploader.retain(up)
            except PybuildError as e:
                ctx.ui.warn(f"glance {up.target}: retention failed: {e}")
        return PostProcessResult(self._artifact(uploads, name, family, disk_format, size), keep=False)

    def _run_all(self, uploader: _Uploader, uploads: list[Upload], abort_event: threading.Event,
                 cancel: CancelToken) -> None:
        def one(up: Upload) -> None:
            try:
                uploader.run(up)
            except BaseException as e:
                up.error = e
                abort_event.set()  # stop the other uploads: the build fails anyway

        if len(uploads) == 1:
            one(uploads[0])
        else:
            with ThreadPoolExecutor(len(uploads), thread_name_prefix="glance") as pool:
                futures = [pool.submit(one, up) for up in uploads]
                try:
                    while not all(f.done() for f in futures):
                        time.sleep(0.1)
                except BaseException:
                    abort_event.set()  # Ctrl-C in the main thread: every upload cleans up
                    for f in futures:
                        with contextlib.suppress(BaseException):
                            f.result()
                    for up in uploads:
                        uploader.delete_done(up)
                    raise
        failed = [up for up in uploads if up.error is not None]
        if not failed:
            return
        for up in uploads:  # all or nothing: a failed build leaves no images behind
            if up.error is None:
                uploader.delete_done(up)
        first = next((u for u in failed if not isinstance(u.error, Cancelled)), failed[0])
        err = first.error
        leftovers = [i for u in uploads for i in u.leftover]
        if isinstance(err, KeyboardInterrupt):
            raise err
        msg = f"glance upload to {first.target} failed: {err}"
        if leftovers:
            msg += "\nimages possibly left behind: " + ", ".join(leftovers)
        if isinstance(err, Cancelled):
            raise Cancelled(msg)
        raise BuildError(msg, step="glance") from err

    def _artifact(self, uploads: list[Upload], name: str, family: str, disk_format: str,
                  size: int) -> Artifact:
        images = []
        for up in uploads:
            img = up.image
            images.append({
                "cloud": up.target.cloud, "region": up.target.region, "image_id": img["id"],
                "image_name": name, "checksum": img.get("checksum", ""),
                "os_hash_algo": img.get("os_hash_algo", ""), "os_hash_value": img.get("os_hash_value", ""),
                "size": img.get("size", size), "status": img.get("status", ""),
                "hidden": up.hidden, "deleted": up.deleted,
            })
        data: dict[str, Any] = dict(images[0])
        data.update(images=images, family=family, disk_format=disk_format)
        where = ", ".join(f"{i['image_id']} on {CloudTarget(i['cloud'], i['region'])}" for i in images)
        return Artifact(builder_id=BUILDER_ID, id=",".join(i["image_id"] for i in images),
                        description=f"Glance image {name!r}: {where}", data=data)
