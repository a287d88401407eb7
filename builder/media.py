"""Installation media: ``iso_url``/``iso_urls``, ``iso_checksum`` and the download cache.

- URLs are tried in order: local paths (relative to the working directory) and
  ``file://`` URLs are checked and used **in place**; ``http(s)://`` URLs are
  downloaded into the cache.
- ``iso_checksum`` takes every Packer form: ``none``, bare hex (type from its length),
  ``md5:``/``sha1:``/``sha256:``/``sha512:``, and ``file:<url or path>`` naming a
  GNU (``hash  name``, ``hash *name``) or BSD (``SHA256 (name) = hash``) checksum
  file, whose line is found by the ISO's base name. Like Packer, validation resolves a
  ``file:`` checksum (fetches the checksum file: relative paths against the working
  directory), so a checksum file that cannot be read or has no line for the ISO fails
  ``validate``, not the build; the build reuses the resolved checksum.
- Cache: ``$PACKER_CACHE_DIR`` when set (so an existing Packer ISO cache is reused),
  else ``$PYBUILD_CACHE_DIR`` (default ``~/.cache/pybuild``), file name
  ``sha1(<type>:<hash>)`` (or ``sha1(url)`` without a checksum) ``.<iso_target_extension>``
  like Packer's. Concurrent builds share it safely: an ``flock`` on ``<target>.lock``
  serializes downloads of one file, data goes to ``<target>.part`` (resumed with an
  HTTP ``Range`` request after an interruption) and is renamed only once its checksum
  matched. A cached file whose checksum matches is used without a download.
- ``glance://CLOUD[/REGION]/IMAGE`` names an image in Glance (:mod:`builder.glance_source`):
  resolved by id or name, verified against Glance's ``os_hash_value`` (so ``iso_checksum``
  may be omitted; when given it must agree) and cached in the same directory.
- HTTP errors (connection, timeouts, 5xx, 429, short reads) are retried with backoff;
  Ctrl-C (:data:`builder.cancel.TOKEN`) ends a download between chunks.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder import secrets
from builder.cancel import TOKEN
from builder.config import BaseConfig, opt
from builder.errors import BuildError, Cancelled
from builder.ports import cache_dir as default_cache_dir
from builder.ui import Progress, human_bytes

if TYPE_CHECKING:
    import requests

    from builder.ui import BuildUI

log = logging.getLogger("pybuild.media")

ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
_HEX_LEN = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
_BSD_RE = re.compile(r"^(?P<algo>[A-Za-z0-9-]+)\s*\((?P<name>.*)\)\s*=\s*(?P<hash>[0-9a-fA-F]+)$")
_GNU_RE = re.compile(r"^\\?(?P<hash>[0-9a-fA-F]{32,128})\s+[ *]?(?P<name>.+)$")
CHUNK = 1024 * 1024
NET_CHUNK = 64 * 1024  # small, so Ctrl-C is noticed quickly on slow links
CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 60.0
USER_AGENT = "pybuild"
BACKOFF = 1.0  # seconds before the first retry; doubles, at most 30 s
VALIDATE_ATTEMPTS = 2  # tries to fetch a "file:" checksum at validate time


class MediaError(BuildError):
    """A download failed, or no URL gave a file with the expected checksum."""

    def __init__(self, message: str):
        super().__init__(message, step="download")


class ChecksumError(MediaError):
    pass


@dataclass(frozen=True)
class Checksum:
    algo: str
    hexdigest: str

    def __str__(self) -> str:
        return f"{self.algo}:{self.hexdigest}"

    def new(self) -> Any:
        return hashlib.new(self.algo)


@dataclass(kw_only=True)
class ISOConfig(BaseConfig):
    """Packer's ISO options (a mixin). With ``disk_image`` the URL names a disk image."""

    iso_url: str = opt("", help="URL or local path of the ISO (or disk image with disk_image = true).")
    iso_urls: list[str] = opt([], help="URLs tried in order; all must have the same checksum.")
    iso_checksum: str = opt(
        "",
        help='"none", bare hex, "sha256:…" (md5/sha1/sha256/sha512) or "file:<url or path>" '
        "of a GNU/BSD checksum file.",
    )
    iso_target_path: str = opt(
        "", help="Where to store the download (a directory if it has no extension). Default: the cache."
    )
    iso_target_extension: str = opt("iso", help="Extension of the cached file.")
    iso_skip_cache: bool = opt(
        False, help="Let QEMU read the URL directly (needs HTTP byte ranges; forces iso_checksum none)."
    )
    # a "file:" iso_checksum as validate() resolved it (against the working directory)
    _resolved_checksum: Checksum | None = field(default=None, init=False, repr=False, compare=False)

    def validate(self) -> list[str]:
        errs = super().validate()
        if self.iso_url and self.iso_urls:
            errs.append("iso_url: only one of iso_url or iso_urls must be specified")
        elif not self.iso_url and not self.iso_urls:
            errs.append("iso_url: one of iso_url or iso_urls must be specified")
        for u in self.urls():
            if not u.strip():
                errs.append("iso_urls: URLs must not be empty")
        glance = [u for u in self.urls() if u.strip().lower().startswith("glance://")]
        for u in glance:
            from builder.glance_source import syntax_error

            if syntax_error(u):
                errs.append(f"iso_url: {syntax_error(u)}")
        if glance and self.iso_skip_cache:
            errs.append("iso_skip_cache: QEMU cannot read a glance:// image directly")
        if not self.iso_skip_cache:
            if not self.iso_checksum.strip() and glance and len(glance) == len(self.urls()):
                pass  # Glance's os_hash_value verifies the image
            elif not self.iso_checksum.strip():
                errs.append('iso_checksum: a checksum is required ("sha256:…", "file:SHA256SUMS" or "none")')
            else:
                problem = checksum_syntax_error(self.iso_checksum)
                if problem:
                    errs.append(f"iso_checksum: {problem}")
                elif self.urls() and _split_algo(self.iso_checksum.strip())[1].lower().startswith("file:"):
                    try:
                        self._resolved_checksum = _resolve_for_urls(self.iso_checksum, self.urls(), Path.cwd(),
                                                                    VALIDATE_ATTEMPTS)
                    except MediaError as e:
                        errs.append(f"iso_checksum: {e}")
        ext = self.iso_target_extension
        if not ext or "/" in ext or ext.startswith("."):
            errs.append("iso_target_extension: must be a plain extension such as iso or qcow2")
        return errs

    def warnings(self) -> list[str]:
        out = []
        glance_only = all(u.strip().lower().startswith("glance://") for u in self.urls())
        if self.iso_checksum.strip().lower() == "none" and not self.iso_skip_cache and not glance_only:
            out.append(
                'iso_checksum is "none": the ISO is not verified and is downloaded again for every build.'
            )
        return out

    def urls(self) -> list[str]:
        return [self.iso_url] if self.iso_url else list(self.iso_urls)


# --------------------------------------------------------------------------- checksums


def checksum_syntax_error(spec: str) -> str:
    """Why ``spec`` is not a valid ``iso_checksum`` (without fetching checksum files); "" if OK."""
    s = spec.strip()
    if s.lower() == "none":
        return ""
    algo, value = _split_algo(s)
    if value.lower().startswith("file:"):
        return "" if value[5:].strip() else "file: needs a URL or path"
    if value.lower().endswith(".iso"):
        return f"{spec!r} looks like a file name; use file:{value} for a checksum file"
    if not _HEX_RE.match(value):
        return f"{spec!r} is not a hexadecimal checksum (expected e.g. sha256:<64 hex digits>)"
    if algo:
        want = {v: k for k, v in _HEX_LEN.items()}[algo]
        if len(value) != want:
            return f"a {algo} checksum has {want} hex digits, got {len(value)}"
    elif len(value) not in _HEX_LEN:
        return (
            f"cannot tell the checksum type from {len(value)} hex digits; "
            'write it as "sha256:…" (md5, sha1, sha256, sha512)'
        )
    return ""


def _split_algo(s: str) -> tuple[str, str]:
    head, sep, rest = s.partition(":")
    if sep and head.lower() in ALGORITHMS:
        return head.lower(), rest.strip()
    return "", s


def _basename(url_or_path: str) -> str:
    path = urllib.parse.urlsplit(url_or_path).path if "://" in url_or_path else url_or_path
    return urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1])


def parse_checksum_file(text: str, filename: str, algo: str = "") -> Checksum | None:
    """Find ``filename``'s checksum (matched by base name) in a GNU or BSD checksum file.

    A file holding a single bare hash (``hash`` or ``hash  name`` with one line) also
    counts, as for go-getter. Returns None when no line matches.
    """
    want = _basename(filename)
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    for line in lines:
        m = _BSD_RE.match(line)
        if m:
            a = m.group("algo").lower().replace("-", "")
            if a in ALGORITHMS and (not algo or a == algo) and _basename(m.group("name").strip()) == want:
                return Checksum(a, m.group("hash").lower())
            continue
        m = _GNU_RE.match(line)
        if m:
            name = m.group("name").strip()
            if name.startswith("*"):
                name = name[1:]
            h = m.group("hash").lower()
            a = algo or _HEX_LEN.get(len(h), "")
            if a and len(h) == {v: k for k, v in _HEX_LEN.items()}[a] and _basename(name) == want:
                return Checksum(a, h)
    if len(lines) == 1 and _HEX_RE.match(lines[0]):
        h = lines[0].lower()
        a = algo or _HEX_LEN.get(len(h), "")
        if a:
            return Checksum(a, h)
    return None


def _read_checksum_source(src: str, base_dir: Path, attempts: int) -> str:
    if src.startswith(("http://", "https://")):
        import requests  # not at module load: start-up time (see builder.communicator)

        last: Exception | None = None
        for i in range(max(1, attempts)):
            TOKEN.check()
            try:
                r = requests.get(
                    src, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), headers={"User-Agent": USER_AGENT}
                )
                if r.status_code >= 500 or r.status_code == 429:
                    raise _Retryable(f"HTTP {r.status_code}")
                r.raise_for_status()
                return r.text
            except (_Retryable, requests.ConnectionError, requests.Timeout) as e:
                last = e
                if i + 1 < attempts:
                    TOKEN.sleep(min(BACKOFF * 2.0**i, 30.0))
            except requests.RequestException as e:
                raise MediaError(f"cannot download checksum file {src}: {_reason(e)}") from None
        raise MediaError(f"cannot download checksum file {src}: {_reason(last)}")
    path = _local_path(src, base_dir)
    if path is None:
        raise MediaError(f"unsupported checksum file location {src!r}")
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise MediaError(f"cannot read checksum file {path}: {e.strerror}") from None


def _reason(e: BaseException | None) -> str:
    """A short reason for a failed request (requests' connection errors nest the useful part)."""
    text = str(e)
    m = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if m:
        return m.group(1).strip()
    if "Read timed out" in text or "timed out" in text:
        return "timed out"
    return text


def parse_checksum(
    spec: str, filename: str, base_dir: Path | None = None, *, attempts: int = 3
) -> tuple[str, str] | None:
    """Resolve ``iso_checksum`` for ``filename`` to ``(algorithm, hexdigest)``; None for "none".

    ``file:`` checksum files (local paths relative to ``base_dir``, ``file://`` or
    ``http(s)://`` URLs) are read now. Raises :class:`MediaError` for invalid specs or
    when the file has no line for ``filename``.
    """
    cs = resolve_checksum(spec, filename, base_dir or Path.cwd(), attempts=attempts)
    return None if cs is None else (cs.algo, cs.hexdigest)


def resolve_checksum(spec: str, filename: str, base_dir: Path, *, attempts: int = 3) -> Checksum | None:
    s = spec.strip()
    if not s or s.lower() == "none":
        return None
    algo, value = _split_algo(s)
    if value.lower().startswith("file:"):
        src = value[5:].strip()
        text = _read_checksum_source(src, base_dir, attempts)
        cs = parse_checksum_file(text, filename, algo)
        if cs is None:
            raise ChecksumError(f"no checksum for {_basename(filename)!r} found in checksum file {src}")
        return cs
    problem = checksum_syntax_error(s)
    if problem:
        raise MediaError(f"invalid iso_checksum: {problem}")
    value = value.lower()
    return Checksum(algo or _HEX_LEN[len(value)], value)


def file_digest(path: Path, algo: str, *, progress: Callable[[int], None] | None = None) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        while True:
            TOKEN.check()
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            h.update(chunk)
            if progress:
                progress(len(chunk))
    return h.hexdigest()


# --------------------------------------------------------------------------- locations


def _local_path(url: str, base_dir: Path) -> Path | None:
    """The local file a URL or path names (relative paths against ``base_dir``), else None."""
    if url.startswith("file://"):
        rest = url[len("file://") :]
        parsed = urllib.parse.urlsplit(url)
        if rest.startswith(("./", "../")) or (parsed.netloc in (".", "..")):
            # file://./relative — Packer/go-getter's spelling of a relative path
            p = Path(urllib.parse.unquote(rest.split("?", 1)[0]))
        else:
            if parsed.netloc not in ("", "localhost"):
                return None
            p = Path(urllib.parse.unquote(parsed.path))
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        return None
    else:
        p = Path(url).expanduser()
    return p if p.is_absolute() else base_dir / p


def target_path(config: ISOConfig, checksum: Checksum | None, url: str, cache: Path) -> Path:
    """Packer's cache target: ``<cache>/sha1(<type>:<hash> or url).<ext>``, or iso_target_path."""
    key = str(checksum) if checksum is not None else url
    name = hashlib.sha1(key.encode()).hexdigest() + "." + config.iso_target_extension.lower()
    if config.iso_target_path:
        t = Path(config.iso_target_path).expanduser()
        if not t.suffix:  # no extension: a directory
            return t / name
        return t
    return cache / name


# --------------------------------------------------------------------------- download


class _Retryable(Exception):
    pass


class _FileLock:
    """An exclusive flock on ``path``, waited for cooperatively (Ctrl-C ends the wait)."""

    def __init__(self, path: Path, ui: BuildUI | None):
        self.path = path
        self.ui = ui
        self.fd = -1

    def __enter__(self) -> _FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        told = False
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(self.fd)
                    raise
            if not told and self.ui is not None:
                self.ui.message(f"Waiting for another build downloading to {self.path.with_suffix('')}...")
                told = True
            try:
                TOKEN.sleep(0.2)
            except Cancelled:
                os.close(self.fd)
                raise

    def __exit__(self, *exc: object) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def _register_url_secrets(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        secrets.add(parts.password)
        secrets.add(urllib.parse.unquote(parts.password))


def _download(
    url: str,
    part: Path,
    checksum: Checksum | None,
    ui: BuildUI | None,
    attempts: int,
    session: requests.Session,
) -> None:
    """Download ``url`` into ``part``, resuming what is there; verify ``checksum``."""
    last: str = ""
    for attempt in range(max(1, attempts)):
        TOKEN.check()
        if attempt:
            delay = min(BACKOFF * 2.0 ** (attempt - 1), 30.0)
            if ui is not None:
                ui.message(f"Retrying download in {delay:.1f}s ({last})")
            TOKEN.sleep(delay)
        try:
            _download_once(url, part, checksum, ui, session)
            return
        except _Retryable as e:
            last = str(e)
            log.debug("download attempt %d of %s failed: %s", attempt + 1, url, e)
    raise MediaError(f"download of {url} failed after {max(1, attempts)} attempts: {last}")


def _download_once(
    url: str, part: Path, checksum: Checksum | None, ui: BuildUI | None, session: requests.Session
) -> None:
    import requests  # not at module load: start-up time (see builder.communicator)

    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        resp = session.get(url, stream=True, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    except (requests.ConnectionError, requests.Timeout) as e:
        raise _Retryable(f"{type(e).__name__}: {e}") from None
    except requests.RequestException as e:
        raise MediaError(f"cannot download {url}: {e}") from None
    with resp:
        if resp.status_code == 416 and have:
            # the .part is as long as (or longer than) the file: check it as it is
            total = _range_total(resp.headers.get("Content-Range", ""))
            if total is not None and total != have:
                part.unlink()
                raise _Retryable(f"partial file longer than the remote file ({have} > {total} bytes)")
            return
        if resp.status_code >= 500 or resp.status_code in (408, 429):
            raise _Retryable(f"HTTP {resp.status_code} {resp.reason}")
        if resp.status_code >= 400:
            raise MediaError(f"cannot download {url}: HTTP {resp.status_code} {resp.reason}")
        if resp.status_code == 206 and have:
            start = _range_start(resp.headers.get("Content-Range", ""))
            if start != have:
                part.unlink()  # start over on the next attempt
                raise _Retryable(f"server resumed at byte {start}, expected {have}")
            mode = "ab"
            total = _range_total(resp.headers.get("Content-Range", ""))
            if ui is not None:
                ui.message(f"Resuming download at {human_bytes(have)}")
        else:
            mode, have = "wb", 0
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        display = Progress(ui, event="download_progress", key="url")
        progress = display.task(_basename(url) or url, total, have)
        try:
            with open(part, mode) as fh:
                try:
                    for chunk in resp.iter_content(NET_CHUNK):
                        TOKEN.check()
                        fh.write(chunk)
                        progress.advance(len(chunk))
                except (
                    requests.ConnectionError,
                    requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                ) as e:
                    raise _Retryable(f"connection lost after {human_bytes(progress.done)}: {e}") from None
        finally:
            display.close()
        size = part.stat().st_size
        if total is not None and size < total:
            raise _Retryable(f"short read: {size} of {total} bytes")


def _range_start(header: str) -> int | None:
    m = re.match(r"bytes (\d+)-\d+/(\d+|\*)", header.strip())
    return int(m.group(1)) if m else None


def _range_total(header: str) -> int | None:
    m = re.match(r"bytes (?:\d+-\d+|\*)/(\d+)", header.strip())
    return int(m.group(1)) if m else None


def _verify(path: Path, checksum: Checksum, ui: BuildUI | None) -> str:
    """The file's digest ("" when it matches ``checksum``, else the digest found)."""
    if ui is not None and path.stat().st_size > 256 * CHUNK:
        ui.message(f"Verifying {checksum.algo} checksum of {path.name}...")
    got = file_digest(path, checksum.algo)
    if got != checksum.hexdigest:
        log.debug("checksum mismatch for %s: got %s, want %s", path, got, checksum.hexdigest)
        return got
    return ""


def _fetch_http(
    url: str,
    config: ISOConfig,
    checksum: Checksum | None,
    ui: BuildUI | None,
    cache: Path,
    attempts: int,
    session: requests.Session,
) -> Path:
    target = target_path(config, checksum, url, cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    with _FileLock(target.with_name(target.name + ".lock"), ui):
        if target.exists() and checksum is not None:
            if not _verify(target, checksum, ui):
                if ui is not None:
                    ui.message(f"Using cached file {target}")
                return target
            if ui is not None:
                ui.message(f"Cached file {target} has a wrong checksum; downloading it again")
            target.unlink()
        if checksum is None:
            part.unlink(missing_ok=True)  # unverifiable: never resume
        if ui is not None:
            ui.say(f"Downloading {url} to {target}")
        _download(url, part, checksum, ui, attempts, session)
        got = _verify(part, checksum, ui) if checksum is not None else ""
        if checksum is not None and got:
            part.unlink(missing_ok=True)
            raise ChecksumError(
                f"checksum mismatch for {secrets.mask(url)}: expected {checksum}, got {checksum.algo}:{got}"
            )
        os.replace(part, target)
        return target


def fetch(
    config: ISOConfig,
    *,
    ui: BuildUI | None = None,
    cache_dir: Path | None = None,
    base_dir: Path | None = None,
    attempts: int = 3,
) -> Path:
    """The verified local file for ``config``'s ISO (or disk image): in place or cached.

    Tries each URL in order and returns the first that gives a file with the right
    checksum; raises :class:`MediaError` listing every URL's failure otherwise.
    ``iso_skip_cache`` is the builder's business (QEMU reads the URL; see
    :func:`check_byte_serving`), so it is an error here.
    """
    if config.iso_skip_cache:
        raise MediaError("iso_skip_cache is set: QEMU reads the URL itself, there is nothing to fetch")
    base = base_dir or Path.cwd()
    cache = cache_dir or iso_cache_dir()
    urls = config.urls()
    if not urls:
        raise MediaError("no iso_url or iso_urls given")
    for u in urls:
        _register_url_secrets(u)
    checksum = config._resolved_checksum if base_dir is None else None
    if checksum is None:
        checksum = _resolve_for_urls(config.iso_checksum, urls, base, attempts)
    if checksum is None and ui is not None:
        for w in config.warnings():
            ui.warn(w)
    failures: list[tuple[str, MediaError]] = []
    sessions: list[requests.Session] = []  # one, made when a URL is remote
    try:
        for url in urls:
            TOKEN.check()
            try:
                if url.strip().lower().startswith("glance://"):
                    from builder.glance_source import fetch as fetch_glance

                    return fetch_glance(url, checksum=checksum, ui=ui, cache=cache, attempts=attempts).path
                local = _local_path(url, base)
                if local is not None:
                    return _use_local(local, checksum, ui)
                if url.startswith(("http://", "https://")):
                    if not sessions:
                        import requests  # not at module load: start-up time (see builder.communicator)

                        sessions.append(requests.Session())
                    return _fetch_http(url, config, checksum, ui, cache, attempts, sessions[0])
                raise MediaError(
                    f"unsupported URL scheme in {url!r} (use a path, file://, http://, https:// or glance://)"
                )
            except Cancelled:
                raise
            except MediaError as e:
                failures.append((secrets.mask(url), e))
                if ui is not None and len(urls) > 1:
                    ui.message(f"{secrets.mask(url)} failed: {e}")
    finally:
        for session in sessions:
            session.close()
    if len(failures) == 1:
        raise failures[0][1]
    cls = ChecksumError if all(isinstance(e, ChecksumError) for _, e in failures) else MediaError
    raise cls("no URL gave a usable file:\n" + "\n".join(f"  {u}: {e}" for u, e in failures))


def iso_cache_dir() -> Path:
    """Where downloads go: ``$PACKER_CACHE_DIR`` (Packer's cache, same file names), else pybuild's cache."""
    packer = os.environ.get("PACKER_CACHE_DIR", "")
    return Path(packer).expanduser() if packer else default_cache_dir()


def _resolve_for_urls(spec: str, urls: list[str], base: Path, attempts: int) -> Checksum | None:
    err: MediaError | None = None
    for u in urls:
        try:
            return resolve_checksum(spec, u, base, attempts=attempts)
        except ChecksumError as e:  # no line for this name: another URL's name may have one
            err = e
    assert err is not None
    raise err


def _use_local(path: Path, checksum: Checksum | None, ui: BuildUI | None) -> Path:
    if not path.is_file():
        raise MediaError(f"file not found: {path}")
    if checksum is not None:
        if ui is not None:
            ui.message(f"Verifying {checksum.algo} checksum of {path}")
        got = file_digest(path, checksum.algo)
        if got != checksum.hexdigest:
            raise ChecksumError(
                f"checksum mismatch for {path}: expected {checksum}, got {checksum.algo}:{got}"
            )
    return path


def check_byte_serving(url: str, *, timeout: float = CONNECT_TIMEOUT) -> None:
    """For ``iso_skip_cache``: the URL must answer HEAD with 2xx and ``Accept-Ranges: bytes``."""
    import requests  # not at module load: start-up time (see builder.communicator)

    try:
        r = requests.head(url, allow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except requests.RequestException as e:
        raise MediaError(f"cannot reach {url}: {e}") from None
    if not 200 <= r.status_code < 300:
        raise MediaError(f"{url}: HTTP {r.status_code} {r.reason}")
    if r.headers.get("Accept-Ranges", "").lower() != "bytes":
        raise MediaError(f"{url}: no byte serving support (Accept-Ranges: bytes), required by iso_skip_cache")


__all__ = [
    "Checksum",
    "ChecksumError",
    "ISOConfig",
    "MediaError",
    "check_byte_serving",
    "checksum_syntax_error",
    "fetch",
    "file_digest",
    "iso_cache_dir",
    "parse_checksum",
    "parse_checksum_file",
    "resolve_checksum",
    "target_path",
]
