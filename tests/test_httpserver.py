"""The build HTTP server, tested with real requests over loopback (incl. hostile ones)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from builder import secrets
from builder.errors import TemplateError
from builder.httpserver import HTTPConfig, HTTPServer, _Handler, render_http
from builder.ports import reserve_port

SECRET = "TOP-SECRET-OUTSIDE-FILE"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBUILD_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An http directory with plain files, templates, and symlinks in and out."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    root = tmp_path / "http"
    (root / "sub").mkdir(parents=True)
    (root / "hello.txt").write_text("hello\n")
    (root / "sub" / "nested.cfg").write_text("nested\n")
    (root / "ks.cfg.j2").write_text(
        "url --url http://{{ HTTPIP }}:{{ HTTPPort }}/repo\n"
        "rootpw {{ password }}\n"
        "# {{ build_name }} {{ SSHPublicKey }}\n"
    )
    (root / "both.cfg").write_text("plain wins\n")
    (root / "both.cfg.j2").write_text("template loses\n")
    (root / "broken.cfg.j2").write_text("line one\nline two {{ not_defined }}\n")
    (root / "syntax.cfg.j2").write_text("a\nb\n{% if %}\n")
    (root / "raw.bin").write_bytes(bytes(range(256)) * 10)
    os.symlink(outside / "secret.txt", root / "leak.txt")
    os.symlink(outside, root / "leakdir")
    os.symlink(root / "hello.txt", root / "alias.txt")
    return root


class Recorder:
    """on_request calls, reported by server threads after the response went out."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, ...]] = []
        self._cond = threading.Condition()
        self._seen = 0

    def __call__(self, *entry: Any) -> None:
        with self._cond:
            self.entries.append(entry)
            self._cond.notify_all()

    def next(self) -> tuple[Any, ...]:
        """The next entry not yet returned (waits up to 5 s)."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.entries) > self._seen, 5), "no request logged"
            self._seen += 1
            return self.entries[self._seen - 1]


@pytest.fixture
def log() -> Recorder:
    return Recorder()


@pytest.fixture
def server(site: Path, log: Recorder) -> Iterator[HTTPServer]:
    cfg = HTTPConfig(http_directory=str(site))
    assert cfg.validate() == []
    srv = HTTPServer(
        cfg,
        render_vars={"password": "pw123", "build_name": "qemu.test", "SSHPublicKey": "ssh-ed25519 AAA"},
        on_request=log,
    )
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def raw(port: int, request: bytes, timeout: float = 5.0) -> tuple[int, bytes]:
    """Send bytes as they are (no client-side normalisation); return status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def get(port: int, target: str) -> tuple[int, bytes]:
    return raw(port, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))


# ----------------------------------------------------------------------------- serving


def test_serves_files_and_reports_requests(server: HTTPServer, log: Recorder) -> None:
    r = requests.get(server.url_for_host() + "/hello.txt", timeout=5)
    assert r.status_code == 200
    assert r.text == "hello\n"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert log.next() == ("GET", "/hello.txt", 200, 6, "127.0.0.1")
    r = requests.get(server.url_for_host() + "/sub/nested.cfg", timeout=5)
    assert r.text == "nested\n"
    assert log.next()[:3] == ("GET", "/sub/nested.cfg", 200)
    r = requests.get(server.url_for_host() + "/raw.bin", timeout=5)
    assert r.content == bytes(range(256)) * 10
    assert log.next()[2:4] == (200, 2560)


def test_head_has_length_but_no_body(server: HTTPServer, log: Recorder) -> None:
    r = requests.head(server.url_for_host() + "/hello.txt", timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Length"] == "6"
    assert r.content == b""
    assert log.next()[:4] == ("HEAD", "/hello.txt", 200, 0)


def test_template_rendered_on_each_request(server: HTTPServer) -> None:
    url = server.url_for_host() + "/ks.cfg"
    text = requests.get(url, timeout=5).text
    assert text == (
        f"url --url http://10.0.2.2:{server.port}/repo\nrootpw pw123\n# qemu.test ssh-ed25519 AAA\n"
    )
    # render_vars is live: a later step may add or change values
    server.render_vars["password"] = "changed"
    assert "rootpw changed" in requests.get(url, timeout=5).text


def test_plain_file_wins_over_template(server: HTTPServer) -> None:
    assert requests.get(server.url_for_host() + "/both.cfg", timeout=5).text == "plain wins\n"


def test_template_source_is_not_served_under_its_own_name(server: HTTPServer) -> None:
    r = requests.get(server.url_for_host() + "/ks.cfg.j2", timeout=5)
    assert r.status_code == 404
    assert "Did you mean /ks.cfg?" in r.text


def test_render_error_is_500_with_line(server: HTTPServer, log: Recorder) -> None:
    r = requests.get(server.url_for_host() + "/broken.cfg", timeout=5)
    assert r.status_code == 500
    assert "broken.cfg.j2:2" in r.text
    assert "not_defined" in r.text
    assert log.next()[2] == 500
    assert server.errors and "broken.cfg.j2:2" in server.errors[-1]
    r = requests.get(server.url_for_host() + "/syntax.cfg", timeout=5)
    assert r.status_code == 500
    assert "syntax.cfg.j2:3" in r.text
    # the server keeps working after errors
    assert requests.get(server.url_for_host() + "/hello.txt", timeout=5).status_code == 200


def test_render_error_message_is_masked(site: Path) -> None:
    secrets.add("hunter2-secret")
    try:
        (site / "m.cfg.j2").write_text("{{ undefined_var_hunter2-secret }}\n")
        got: list[str] = []
        with HTTPServer(HTTPConfig(http_directory=str(site)), on_error=got.append) as srv:
            r = requests.get(srv.url_for_host() + "/m.cfg", timeout=5)
        assert r.status_code == 500
        assert got
        assert "hunter2-secret" not in got[0]
    finally:
        secrets.clear()


def test_not_found_suggests_closest(server: HTTPServer) -> None:
    r = requests.get(server.url_for_host() + "/ks.cgf", timeout=5)
    assert r.status_code == 404
    assert r.text.strip() == "/ks.cgf not found. Did you mean /ks.cfg?"
    r = requests.get(server.url_for_host() + "/zzzzzzzzzzzzzz", timeout=5)
    assert r.text.strip() == "/zzzzzzzzzzzzzz not found."


def test_directory_listing_and_symlink_inside(server: HTTPServer) -> None:
    r = requests.get(server.url_for_host() + "/", timeout=5)
    assert r.status_code == 200
    assert 'href="/ks.cfg"' in r.text
    assert "leak" not in r.text
    assert requests.get(server.url_for_host() + "/alias.txt", timeout=5).text == "hello\n"


def test_query_string_is_ignored(server: HTTPServer) -> None:
    assert requests.get(server.url_for_host() + "/hello.txt?x=1#frag", timeout=5).text == "hello\n"


# ----------------------------------------------------------------------------- hostile requests


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/../outside/secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e%2foutside%2fsecret.txt",
        "/sub/..%2f..%2foutside/secret.txt",
        "/..%5c..%5coutside%5csecret.txt",
        "/hello.txt%00.png",
        "/%00",
        "/%ff%fe",
        "http://evil.example/../outside/secret.txt",
    ],
)
def test_traversal_is_bad_request(server: HTTPServer, target: str) -> None:
    status, body = get(server.port, target)
    assert status == 400
    assert SECRET.encode() not in body
    assert b"root:" not in body


@pytest.mark.parametrize(
    "target",
    [
        "/%252e%252e%252foutside%252fsecret.txt",  # double-encoded: a literal odd name
        "//etc/passwd",
        "/etc/passwd",
        "/leak.txt",  # symlink to a file outside
        "/leakdir/secret.txt",  # symlink to a directory outside
        "/leakdir/",
        "http://evil.example/etc/passwd",
        "/" + "a" * 5000,
    ],
)
def test_outside_paths_are_not_found(server: HTTPServer, target: str) -> None:
    status, body = get(server.port, target)
    assert status == 404
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_absolute_form_inside_root_is_served(server: HTTPServer) -> None:
    status, body = get(server.port, "http://10.0.2.2:8000/hello.txt")
    assert (status, body) == (200, b"hello\n")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"])
def test_other_methods_are_405(server: HTTPServer, method: str, log: Recorder) -> None:
    status, body = raw(
        server.port,
        f"{method} /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc".encode(),
    )
    assert status == 405
    assert b"GET or HEAD" in body
    assert log.next()[:3] == (method, "/hello.txt", 405)


def test_garbage_request_line_does_not_kill_server(server: HTTPServer) -> None:
    status, _ = raw(server.port, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n")
    assert status == 400
    assert requests.get(server.url_for_host() + "/hello.txt", timeout=5).status_code == 200


def test_log_escapes_control_characters(server: HTTPServer, log: Recorder) -> None:
    get(server.port, "/a\x1b[31mred")
    path = log.next()[1]
    assert "\x1b" not in path
    assert "\\x1b" in path


def test_slow_client_does_not_block_others(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Handler, "timeout", 1.5)
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        slow.sendall(b"GET /hel")  # never finishes its request line
        t0 = time.monotonic()
        r = requests.get(server.url_for_host() + "/hello.txt", timeout=5)
        assert r.status_code == 200
        assert time.monotonic() - t0 < 1.0
        # the server drops the idle connection after its socket timeout
        t0 = time.monotonic()
        assert slow.recv(100) == b""
        assert time.monotonic() - t0 < 5
    finally:
        slow.close()


def test_many_parallel_clients(server: HTTPServer) -> None:
    errors: list[BaseException] = []
    bodies: list[bytes] = []
    expected = requests.get(server.url_for_host() + "/ks.cfg", timeout=10).content
    assert expected

    def worker() -> None:
        try:
            for _ in range(10):
                r = requests.get(server.url_for_host() + "/ks.cfg", timeout=10)
                assert r.status_code == 200
                bodies.append(r.content)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [t for t in threads if t.is_alive()] == []  # every client finished...
    assert errors == []
    assert bodies == [expected] * 80  # ...and every response came back whole


# ----------------------------------------------------------------------------- http_content


def test_http_content_served_verbatim(tmp_path: Path) -> None:
    cfg = HTTPConfig(http_content={"/ks.cfg": "rootpw {{ password }}\n", "preseed.cfg": "d-i x\n"})
    assert cfg.validate() == []
    with HTTPServer(cfg, render_vars={"password": "x"}) as srv:
        assert requests.get(srv.url_for_host() + "/ks.cfg", timeout=5).text == "rootpw {{ password }}\n"
        assert requests.get(srv.url_for_host() + "/preseed.cfg", timeout=5).text == "d-i x\n"
        r = requests.get(srv.url_for_host() + "/ks.cf", timeout=5)
        assert r.status_code == 404
        assert r.text.strip() == "/ks.cf not found. Did you mean /ks.cfg?"
        status, _ = get(srv.port, "/../ks.cfg")
        assert status == 400


# ----------------------------------------------------------------------------- lifecycle


def test_port_range_and_release(tmp_path: Path, site: Path) -> None:
    probe = reserve_port(20000, 60000)
    port = probe.port
    probe.release()
    cfg = HTTPConfig(http_directory=str(site), http_port_min=port, http_port_max=port)
    srv = HTTPServer(cfg)
    assert srv.start() == port
    assert srv.start() == port  # idempotent
    assert srv.url_for_guest() == f"http://10.0.2.2:{port}"
    assert srv.url_for_guest("192.168.1.5") == f"http://192.168.1.5:{port}"
    srv.stop()
    srv.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/hello.txt", timeout=2)
    # the port lease was released
    with reserve_port(port, port) as lease:
        assert lease.port == port


def test_relative_directory_uses_base_dir(site: Path) -> None:
    with HTTPServer(HTTPConfig(http_directory="http"), base_dir=site.parent) as srv:
        assert requests.get(srv.url_for_host() + "/hello.txt", timeout=5).text == "hello\n"


def test_binds_loopback_by_default(server: HTTPServer) -> None:
    assert server._httpd is not None
    assert server._httpd.socket.getsockname()[0] == "127.0.0.1"


# ----------------------------------------------------------------------------- config


def test_validate(tmp_path: Path) -> None:
    assert HTTPConfig().validate() == []
    errs = HTTPConfig(http_directory=str(tmp_path), http_content={"/a": "b"}).validate()
    assert any("only one of http_directory or http_content" in e for e in errs)
    errs = HTTPConfig(http_directory=str(tmp_path / "missing")).validate()
    assert any("does not exist" in e for e in errs)
    errs = HTTPConfig(http_port_min=9000, http_port_max=8000).validate()
    assert any("less than or equal" in e for e in errs)
    errs = HTTPConfig(http_interface="eth0", http_bind_address="0.0.0.0").validate()
    assert any("only one of http_interface or http_bind_address" in e for e in errs)
    errs = HTTPConfig(http_network_protocol="unix").validate()
    assert any("not supported" in e for e in errs)
    assert HTTPConfig().http_bind_address == "127.0.0.1"


def test_interface_lo_resolves() -> None:
    assert HTTPConfig(http_interface="lo").bind_host() == "127.0.0.1"


# ----------------------------------------------------------------------------- render-http


def test_render_http_writes_served_files(site: Path, tmp_path: Path) -> None:
    for bad in ("broken.cfg.j2", "syntax.cfg.j2"):
        (site / bad).unlink()
    out = tmp_path / "out"
    written = render_http(
        HTTPConfig(http_directory=str(site), http_port_min=8123),
        {"password": "pw", "build_name": "b", "SSHPublicKey": "k"},
        out,
    )
    names = sorted(str(p.relative_to(out)) for p in written)
    assert names == ["alias.txt", "both.cfg", "hello.txt", "ks.cfg", "raw.bin", "sub/nested.cfg"]
    assert (out / "ks.cfg").read_text().startswith("url --url http://10.0.2.2:8123/repo\nrootpw pw\n")
    assert (out / "both.cfg").read_text() == "plain wins\n"
    assert not (out / "leak.txt").exists()
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in written)


def test_render_http_collects_errors_with_lines(site: Path, tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as ei:
        render_http(HTTPConfig(http_directory=str(site)), {"password": "x"}, tmp_path / "out")
    diags = {d.summary: d for d in ei.value.diagnostics}
    assert diags["cannot render broken.cfg"].location is not None
    assert diags["cannot render broken.cfg"].location.line == 2
    assert diags["cannot render syntax.cfg"].location.line == 3  # type: ignore[union-attr]
    # ks.cfg also fails: build_name / SSHPublicKey are not given here
    assert "cannot render ks.cfg" in diags


def test_render_http_content(tmp_path: Path) -> None:
    written = render_http(HTTPConfig(http_content={"/a/b.cfg": "x {{ y }}", "c": "z"}), {}, tmp_path / "o")
    assert sorted(p.read_text() for p in written) == ["x {{ y }}", "z"]


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback")
def test_ipv6_loopback(site: Path) -> None:
    with HTTPServer(HTTPConfig(http_directory=str(site), http_bind_address="::1")) as srv:
        assert srv.url_for_host() == f"http://[::1]:{srv.port}"
        assert requests.get(srv.url_for_host() + "/hello.txt", timeout=5).text == "hello\n"
