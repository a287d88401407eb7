"""Property tests of the HTTP server's path handling (hypothesis, > 10,000 examples in all).

Whatever the request target, the mapping never names a path outside the served
directory and never raises anything but BadPath; the full lookup never serves a file
outside (symlinks included) and never answers other than 200/400/404.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.httpserver import BadPath, HTTPConfig, HTTPServer, _Site, normalize_url_path, resolve_in_root

SECRET = "SECRET-OUTSIDE-MARKER"

# pieces that make traversal attempts likely, plus arbitrary text
_PIECES = st.sampled_from(
    [
        "..",
        ".",
        "/",
        "//",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "\\",
        "%00",
        "\x00",
        "%25",
        "%252e",
        "%c0%ae",
        "%e2%80%ae",
        "~",
        "leak",
        "leakdir",
        "sub",
        "hello.txt",
        "ks.cfg",
        ".j2",
        "?",
        "#",
        "http://h",
        "file:",
        "%ff",
        "\u2025",
        "\uff0e",
        "\r",
        "\n",
        " ",
        "*",
        "etc",
        "passwd",
    ]
)
TARGETS = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=14).map("".join),
    st.lists(_PIECES, max_size=10).map(lambda xs: "/" + "/".join(xs)),
)

FUZZ = settings(
    max_examples=5000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fuzz")
    outside = base / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET)
    root = base / "root"
    (root / "sub").mkdir(parents=True)
    (root / "hello.txt").write_text("hello")
    (root / "sub" / "x.txt").write_text("x")
    (root / "ks.cfg.j2").write_text("{{ HTTPIP }}")
    os.symlink(outside / "passwd", root / "leak")
    os.symlink(outside, root / "leakdir")
    os.symlink("../../outside", root / "sub" / "up")
    return root.resolve()


@FUZZ
@given(TARGETS)
@example("http://[/x")  # urlsplit raised ValueError ("Invalid IPv6 URL"), found by this test
@example("/sub/up/passwd")
@example("%2e%2e/%2e%2e/outside/passwd")
def test_mapping_never_leaves_root(tree: Path, target: str) -> None:
    try:
        rel = normalize_url_path(target)
    except BadPath:
        return
    parts = rel.split("/") if rel else []
    assert not rel.startswith("/")
    assert ".." not in parts and "." not in parts and "" not in parts
    assert "\x00" not in rel and "\\" not in rel
    real = resolve_in_root(tree, rel)
    if real is not None:
        assert real == tree or tree in real.parents


@pytest.fixture(scope="module")
def site(tree: Path) -> _Site:
    return _Site(HTTPConfig(http_directory=str(tree)), {}, Path("/"))


@FUZZ
@given(TARGETS)
@example("/leak")
@example("/leakdir/passwd")
@example("/sub/up/passwd")
def test_lookup_never_serves_outside(site: _Site, tree: Path, target: str) -> None:
    errors: list[str] = []
    reply = site.lookup(target, errors.append)
    assert reply.status in (200, 400, 404)
    assert SECRET.encode() not in reply.body
    if reply.file is not None:
        assert tree in reply.file.resolve().parents
        assert SECRET not in reply.file.read_text(errors="replace")
    assert errors == []


@pytest.fixture(scope="module")
def live(tree: Path) -> Iterator[HTTPServer]:
    mp = pytest.MonkeyPatch()
    mp.setenv("PYBUILD_CACHE_DIR", str(tree.parent / "cache"))
    srv = HTTPServer(HTTPConfig(http_directory=str(tree)))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        mp.undo()


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    st.binary(min_size=1, max_size=60).filter(lambda b: b" " not in b and b"\r" not in b and b"\n" not in b)
)
def test_live_server_raw_targets(live: HTTPServer, target: bytes) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as s:
        s.sendall(b"GET " + target + b" HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    assert status in (200, 400, 404)
    assert SECRET.encode() not in data
