"""ISO handling: checksum forms, checksum files, local media, downloads through a real
loopback HTTP server with Range support (resume, retries, cache, concurrency)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from builder import media, secrets
from builder.cancel import TOKEN
from builder.errors import Cancelled
from builder.media import (
    ChecksumError,
    ISOConfig,
    MediaError,
    check_byte_serving,
    fetch,
    parse_checksum,
    parse_checksum_file,
    target_path,
)
from builder.ui import UI, BuildUI

DATA = os.urandom(3 * 1024 * 1024 + 123)  # an "ISO" of a bit more than 3 chunks
SHA256 = hashlib.sha256(DATA).hexdigest()
SHA1 = hashlib.sha1(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()
SHA512 = hashlib.sha512(DATA).hexdigest()


# ----------------------------------------------------------------------------- fixtures


@dataclass
class Behaviour:
    files: dict[str, bytes] = field(default_factory=dict)
    fail_first: int = 0  # answer 500 to this many GETs
    cut_first: int = 0  # send half the body then close, this many times
    ignore_range: bool = False
    slow: float = 0.0  # seconds between 64 KiB chunks
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, Range
    lock: threading.Lock = field(default_factory=threading.Lock)


class _RangeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    b: Behaviour

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        b = self.b
        with b.lock:
            b.requests.append((self.command, self.path, self.headers.get("Range", "")))
            n_get = sum(1 for r in b.requests if r[0] == "GET")
        data = b.files.get(self.path.split("?")[0])
        if data is None:
            self.send_error(404)
            return
        if body and n_get <= b.fail_first:
            self.send_error(500)
            return
        start = 0
        rng = self.headers.get("Range", "")
        m = re.match(r"bytes=(\d+)-$", rng)
        if m and not b.ignore_range:
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Connection", "close")
        self.end_headers()
        if not body:
            return
        payload = data[start:]
        if n_get <= b.fail_first + b.cut_first:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        for i in range(0, len(payload), 65536):
            self.wfile.write(payload[i : i + 65536])
            if b.slow:
                time.sleep(b.slow)


@pytest.fixture
def http() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour(files={"/os.iso": DATA})
    handler = type("H", (_RangeHandler,), {"b": behaviour})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", behaviour
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PYBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(media, "BACKOFF", 0.01)
    TOKEN.reset()
    yield
    TOKEN.reset()
    secrets.clear()


@pytest.fixture
def ui() -> BuildUI:
    return UI(out=io.StringIO()).for_build("qemu.test")


def ui_text(ui: BuildUI) -> str:
    out = ui.root.out
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def gets(b: Behaviour) -> list[tuple[str, str, str]]:
    return [r for r in b.requests if r[0] == "GET"]


# ----------------------------------------------------------------------------- checksum specs


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ("none", None),
        ("NONE", None),
        (MD5, ("md5", MD5)),
        (SHA1, ("sha1", SHA1)),
        (SHA256, ("sha256", SHA256)),
        (SHA512, ("sha512", SHA512)),
        (SHA256.upper(), ("sha256", SHA256)),
        (f"md5:{MD5}", ("md5", MD5)),
        (f"sha1:{SHA1}", ("sha1", SHA1)),
        (f"sha256:{SHA256}", ("sha256", SHA256)),
        (f"SHA512:{SHA512}", ("sha512", SHA512)),
        (f"  sha256:{SHA256}\n", ("sha256", SHA256)),
    ],
)
def test_checksum_forms(spec: str, want: tuple[str, str] | None) -> None:
    assert parse_checksum(spec, "os.iso") == want


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("abc", "cannot tell the checksum type"),
        ("sha256:" + "a" * 63, "a sha256 checksum has 64 hex digits"),
        ("md5:" + "z" * 32, "not a hexadecimal checksum"),
        ("http://example.com/os.iso", "looks like a file name"),
    ],
)
def test_invalid_checksums(spec: str, message: str) -> None:
    with pytest.raises(MediaError, match=message):
        parse_checksum(spec, "os.iso")
    assert any(message in e for e in ISOConfig(iso_url="x.iso", iso_checksum=spec).validate())


GNU = f"{MD5}  other.iso\n{SHA256}  os.iso\n"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (f"{SHA256}  os.iso\n", ("sha256", SHA256)),
        (f"{SHA256} *os.iso\n", ("sha256", SHA256)),
        (f"{SHA256}  ./os.iso", ("sha256", SHA256)),  # no trailing newline
        (f"{'0' * 64}  a.iso\r\n{SHA256}  sub/dir/os.iso\r\n", ("sha256", SHA256)),  # CRLF, by basename
        (f"SHA256 (os.iso) = {SHA256}\n", ("sha256", SHA256)),  # BSD
        (f"MD5 (other.iso) = {'1' * 32}\nSHA1 (os.iso) = {SHA1}", ("sha1", SHA1)),
        (f"SHA512 (./os.iso) = {SHA512}\r\n", ("sha512", SHA512)),
        (f"# comment\n\n{MD5} *os.iso\n", ("md5", MD5)),
        (f"{SHA256}\n", ("sha256", SHA256)),  # a lone hash
    ],
)
def test_checksum_file_formats(text: str, want: tuple[str, str]) -> None:
    cs = parse_checksum_file(text, "http://mirror/path/os.iso?x=1")
    assert cs is not None
    assert (cs.algo, cs.hexdigest) == want


def test_signed_fedora_style_checksum_file() -> None:
    text = (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
        "# Fedora-Server-dvd-x86_64-40-1.14.iso: 2612854784 bytes\n"
        f"SHA256 (Fedora-Server-dvd-x86_64-40-1.14.iso) = {SHA256}\n"
        f"SHA256 (Fedora-Server-netinst-x86_64-40-1.14.iso) = {'f' * 64}\n"
        "-----BEGIN PGP SIGNATURE-----\n\n"
        "iQIzBAEBCAAdFiEEaKnJYu0nFQ1nWGYDr1YXKaBGi1AFAmYtbWgACgkQr1YXKaBG\n"
        "-----END PGP SIGNATURE-----\n"
    )
    cs = parse_checksum_file(text, "https://dl.example/Fedora-Server-dvd-x86_64-40-1.14.iso")
    assert cs is not None and (cs.algo, cs.hexdigest) == ("sha256", SHA256)


def test_checksum_file_without_entry() -> None:
    assert parse_checksum_file(f"{SHA256}  other.iso\n{SHA1}  more.iso\n", "os.iso") is None


def test_checksum_file_local_and_file_url(tmp_path: Path) -> None:
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(GNU)
    assert parse_checksum(f"file:{sums}", "os.iso") == ("sha256", SHA256)
    assert parse_checksum("file:SHA256SUMS", "/x/os.iso", tmp_path) == ("sha256", SHA256)
    assert parse_checksum("file:./SHA256SUMS", "os.iso", tmp_path) == ("sha256", SHA256)
    assert parse_checksum("file:file://./SHA256SUMS", "os.iso", tmp_path) == ("sha256", SHA256)
    assert parse_checksum(f"file:file://{sums}", "os.iso") == ("sha256", SHA256)
    # a type prefix restricts the lines considered
    assert parse_checksum(f"md5:file:{sums}", "other.iso") == ("md5", MD5)
    with pytest.raises(ChecksumError, match=r"no checksum for 'missing\.iso'"):
        parse_checksum(f"file:{sums}", "missing.iso")
    with pytest.raises(MediaError, match="cannot read checksum file"):
        parse_checksum(f"file:{tmp_path / 'nope'}", "os.iso")


def test_checksum_file_over_http(http: tuple[str, Behaviour]) -> None:
    base, b = http
    b.files["/SHA256SUMS"] = f"SHA256 (os.iso) = {SHA256}\n".encode()
    assert parse_checksum(f"file:{base}/SHA256SUMS", f"{base}/os.iso") == ("sha256", SHA256)
    with pytest.raises(MediaError, match="404"):
        parse_checksum(f"file:{base}/MISSING", "os.iso")


def test_checksum_file_over_http_retries_5xx(http: tuple[str, Behaviour]) -> None:
    base, b = http
    b.files["/SUMS"] = f"{SHA256}  os.iso\n".encode()
    b.fail_first = 2
    assert parse_checksum(f"file:{base}/SUMS", "os.iso", attempts=3) == ("sha256", SHA256)
    assert len(gets(b)) == 3


# ----------------------------------------------------------------------------- config


def test_config_validation() -> None:
    ok = ISOConfig(iso_url="a.iso", iso_checksum=f"sha256:{SHA256}")
    assert ok.validate() == []
    assert ok.warnings() == []
    assert any(
        "only one of iso_url or iso_urls" in e
        for e in ISOConfig(iso_url="a", iso_urls=["b"], iso_checksum="none").validate()
    )
    assert any("one of iso_url or iso_urls must" in e for e in ISOConfig(iso_checksum="none").validate())
    assert any("checksum is required" in e for e in ISOConfig(iso_url="a").validate())
    none = ISOConfig(iso_url="a", iso_checksum="none")
    assert none.validate() == []
    assert "not verified" in none.warnings()[0]
    assert ISOConfig(iso_url="http://x/a", iso_skip_cache=True).validate() == []
    assert ISOConfig(iso_urls=["a", "b"], iso_checksum="none").urls() == ["a", "b"]
    # a "file:" checksum is fetched by validate (tests/compat/test_issue15.py)
    assert any("cannot read checksum file" in e
               for e in ISOConfig(iso_url="a", iso_checksum="file:/nonexistent/SUMS").validate())


def test_target_path_like_packer(tmp_path: Path) -> None:
    from builder.media import Checksum

    cs = Checksum("sha256", SHA256)
    cfg = ISOConfig(iso_url="http://x/os.iso", iso_checksum=str(cs))
    key = hashlib.sha1(f"sha256:{SHA256}".encode()).hexdigest()
    assert target_path(cfg, cs, cfg.iso_url, tmp_path) == tmp_path / f"{key}.iso"
    url_key = hashlib.sha1(b"http://x/os.iso").hexdigest()
    assert target_path(cfg, None, cfg.iso_url, tmp_path) == tmp_path / f"{url_key}.iso"
    cfg.iso_target_extension = "QCOW2"
    assert target_path(cfg, cs, "", tmp_path).name == f"{key}.qcow2"
    cfg.iso_target_path = str(tmp_path / "dir")
    assert target_path(cfg, cs, "", tmp_path) == tmp_path / "dir" / f"{key}.qcow2"
    cfg.iso_target_path = str(tmp_path / "fixed.img")
    assert target_path(cfg, cs, "", tmp_path) == tmp_path / "fixed.img"


# ----------------------------------------------------------------------------- local media


def test_local_file_used_in_place(tmp_path: Path, ui: BuildUI) -> None:
    iso = tmp_path / "media" / "os.iso"
    iso.parent.mkdir()
    iso.write_bytes(DATA)
    cache = tmp_path / "cache"
    got = fetch(ISOConfig(iso_url="media/os.iso", iso_checksum=SHA256), ui=ui, base_dir=tmp_path)
    assert got == iso
    got = fetch(ISOConfig(iso_url=f"file://{iso}", iso_checksum=f"md5:{MD5}"), ui=ui)
    assert got == iso
    got = fetch(ISOConfig(iso_url="file://./media/os.iso", iso_checksum="none"), ui=ui, base_dir=tmp_path)
    assert got == iso
    assert "not verified" in ui_text(ui)
    assert not cache.exists() or not any(cache.glob("*.iso"))


def test_local_checksum_mismatch(tmp_path: Path) -> None:
    iso = tmp_path / "os.iso"
    iso.write_bytes(DATA[:-1])
    with pytest.raises(ChecksumError, match=f"expected sha256:{SHA256}"):
        fetch(ISOConfig(iso_url=str(iso), iso_checksum=SHA256))


def test_local_missing(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="file not found"):
        fetch(ISOConfig(iso_url=str(tmp_path / "nope.iso"), iso_checksum="none"))


def test_unsupported_scheme() -> None:
    with pytest.raises(MediaError, match="unsupported URL scheme"):
        fetch(ISOConfig(iso_url="s3://bucket/os.iso", iso_checksum="none"))


# ----------------------------------------------------------------------------- downloads


def test_download_then_cache_hit(http: tuple[str, Behaviour], tmp_path: Path, ui: BuildUI) -> None:
    base, b = http
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=f"sha256:{SHA256}")
    got = fetch(cfg, ui=ui)
    key = hashlib.sha1(f"sha256:{SHA256}".encode()).hexdigest()
    assert got == tmp_path / "cache" / f"{key}.iso"
    assert got.read_bytes() == DATA
    assert not got.with_name(got.name + ".part").exists()
    assert len(gets(b)) == 1
    assert f"Downloading {base}/os.iso" in ui_text(ui)
    assert "os.iso: 100% (3.0 MiB of 3.0 MiB)" in ui_text(ui)
    # second build: cache hit, no request at all
    assert fetch(cfg, ui=ui) == got
    assert len(gets(b)) == 1
    assert "Using cached file" in ui_text(ui)


def test_resume_after_truncated_part(http: tuple[str, Behaviour], tmp_path: Path, ui: BuildUI) -> None:
    base, b = http
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256)
    target = target_path(cfg, media.Checksum("sha256", SHA256), cfg.iso_url, tmp_path / "cache")
    target.parent.mkdir(parents=True)
    part = target.with_name(target.name + ".part")
    part.write_bytes(DATA[:1_000_000])
    assert fetch(cfg, ui=ui).read_bytes() == DATA
    assert gets(b) == [("GET", "/os.iso", "bytes=1000000-")]
    assert "Resuming download" in ui_text(ui)


def test_resume_when_server_ignores_range(http: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, b = http
    b.ignore_range = True
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256)
    target = target_path(cfg, media.Checksum("sha256", SHA256), cfg.iso_url, tmp_path / "cache")
    target.parent.mkdir(parents=True)
    target.with_name(target.name + ".part").write_bytes(b"garbage" * 1000)
    assert fetch(cfg).read_bytes() == DATA


def test_complete_part_is_checked_not_downloaded(http: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, b = http
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256)
    target = target_path(cfg, media.Checksum("sha256", SHA256), cfg.iso_url, tmp_path / "cache")
    target.parent.mkdir(parents=True)
    target.with_name(target.name + ".part").write_bytes(DATA)
    assert fetch(cfg).read_bytes() == DATA
    assert gets(b) == [("GET", "/os.iso", f"bytes={len(DATA)}-")]  # answered 416


def test_connection_cut_is_retried_and_resumed(http: tuple[str, Behaviour], ui: BuildUI) -> None:
    base, b = http
    b.cut_first = 2
    got = fetch(ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256), ui=ui, attempts=3)
    assert got.read_bytes() == DATA
    ranges = [r[2] for r in gets(b)]
    assert ranges[0] == ""
    assert ranges[1].startswith("bytes=") and ranges[2].startswith("bytes=")
    assert "Retrying download" in ui_text(ui)


def test_server_errors_are_retried(http: tuple[str, Behaviour]) -> None:
    base, b = http
    b.fail_first = 2
    assert fetch(ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256), attempts=3).read_bytes() == DATA
    assert len(gets(b)) == 3


def test_retries_are_bounded(http: tuple[str, Behaviour]) -> None:
    base, b = http
    b.fail_first = 10
    with pytest.raises(MediaError, match="failed after 2 attempts: HTTP 500"):
        fetch(ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256), attempts=2)
    assert len(gets(b)) == 2


def test_not_found_is_not_retried(http: tuple[str, Behaviour]) -> None:
    base, b = http
    with pytest.raises(MediaError, match="HTTP 404"):
        fetch(ISOConfig(iso_url=f"{base}/missing.iso", iso_checksum=SHA256), attempts=5)
    assert len(gets(b)) == 1


def test_checksum_mismatch_leaves_nothing(http: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, _ = http
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(ChecksumError, match=f"expected sha256:{wrong}, got sha256:{SHA256}"):
        fetch(ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=wrong))
    leftovers = [p.name for p in (tmp_path / "cache").iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


def test_corrupt_cache_is_downloaded_again(http: tuple[str, Behaviour], ui: BuildUI) -> None:
    base, b = http
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256)
    got = fetch(cfg)
    got.write_bytes(b"bit rot")
    assert fetch(cfg, ui=ui).read_bytes() == DATA
    assert len(gets(b)) == 2
    assert "wrong checksum" in ui_text(ui)


def test_iso_urls_tried_in_order(http: tuple[str, Behaviour], ui: BuildUI) -> None:
    base, b = http
    cfg = ISOConfig(iso_urls=[f"{base}/gone.iso", f"{base}/os.iso"], iso_checksum=SHA256)
    assert fetch(cfg, ui=ui).read_bytes() == DATA
    assert [r[1] for r in gets(b)] == ["/gone.iso", "/os.iso"]
    assert "gone.iso failed" in ui_text(ui)


def test_all_urls_fail_lists_each(http: tuple[str, Behaviour]) -> None:
    base, _ = http
    cfg = ISOConfig(iso_urls=[f"{base}/a.iso", f"{base}/b.iso"], iso_checksum=SHA256)
    with pytest.raises(MediaError) as ei:
        fetch(cfg)
    assert "a.iso: " in str(ei.value) and "b.iso: " in str(ei.value)


def test_checksum_none_downloads_every_time(http: tuple[str, Behaviour]) -> None:
    base, b = http
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum="none")
    assert fetch(cfg).read_bytes() == DATA
    assert fetch(cfg).read_bytes() == DATA
    assert len(gets(b)) == 2


def test_concurrent_builds_download_once(http: tuple[str, Behaviour]) -> None:
    base, b = http
    b.slow = 0.005
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256)
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(fetch(cfg))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(set(results)) == 1 and len(results) == 3
    assert results[0].read_bytes() == DATA
    assert len(gets(b)) == 1


def test_cancel_stops_a_download(http: tuple[str, Behaviour], tmp_path: Path) -> None:
    base, b = http
    b.slow = 0.05  # ~2.5 s for the whole file
    cfg = ISOConfig(iso_url=f"{base}/os.iso", iso_checksum=SHA256)
    timer = threading.Timer(0.3, TOKEN.cancel, args=("SIGINT",))
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            fetch(cfg)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 2.0
    # nothing half-downloaded is mistaken for the ISO; the .part can be resumed later
    assert not any((tmp_path / "cache").glob("*.iso"))
    TOKEN.reset()
    b.slow = 0
    assert fetch(cfg).read_bytes() == DATA
    assert gets(b)[-1][2].startswith("bytes=")


def test_url_password_is_masked(http: tuple[str, Behaviour]) -> None:
    base, _ = http
    url = base.replace("http://", "http://user:pa55word-x@") + "/missing.iso"
    with pytest.raises(MediaError):
        fetch(ISOConfig(iso_url=url, iso_checksum=SHA256))
    assert secrets.mask(url) == url.replace("pa55word-x", secrets.MASK)


def test_byte_serving_check(http: tuple[str, Behaviour]) -> None:
    base, _ = http
    check_byte_serving(f"{base}/os.iso")
    with pytest.raises(MediaError, match="404"):
        check_byte_serving(f"{base}/nope.iso")
    with pytest.raises(MediaError, match="iso_skip_cache"):
        fetch(ISOConfig(iso_url=f"{base}/os.iso", iso_skip_cache=True))
