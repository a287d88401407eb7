"""Data sources: ``data "TYPE" "NAME"`` blocks, ``data.TYPE.NAME.ATTR`` everywhere a variable
is, and ``validate -evaluate-datasources`` (Packer runs no data source in ``validate``
without it). ``http`` is tested against a real HTTP server on 127.0.0.1, ``host-info``
against this machine's own tools."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from builder.config import UNKNOWN, BaseConfig, opt
from builder.errors import TemplateError
from builder.plugins import REGISTRY, DataSource, DataSourceContext
from builder.template.loader import load

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    requests: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        self.requests.append({"path": self.path, "headers": dict(self.headers)})
        if self.path == "/missing":
            self.send_error(404)
            return
        body = json.dumps({"version": "9.4", "token": self.headers.get("X-Token", "")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Served-By", "a")
        self.send_header("X-Served-By", "b")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    requests: list[dict[str, Any]] = []
    handler = type("H", (_Handler,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join()


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "t.pkr.hcl"
    p.write_text(text)
    return p


HTTP_TEMPLATE = """
data "http" "release" {
  url             = "%s/release.json"
  request_headers = { X-Token = var.token }
}
variable "token" { default = "s3cret" }
locals {
  release = jsondecode(data.http.release.body)
}
source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["echo ${local.release.version} ${data.http.release.status_code}"]
  }
}
"""


def test_http_data_source_against_a_real_server(tmp_path: Path, server: Server, monkeypatch) -> None:
    # a proxy in the environment is not used for loopback addresses (as Go's client)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    tpl = load(str(_write(tmp_path, HTTP_TEMPLATE % server.url)), env={})
    assert tpl.locals["release"].value == {"token": "s3cret", "version": "9.4"}
    out = tpl.data["http"]["release"]
    assert out["status_code"] == 200
    assert out["url"] == f"{server.url}/release.json"
    # duplicate response headers are joined, as Packer does
    assert out["response_headers"]["X-Served-By"] == "a, b"
    assert out["request_headers"] == out["response_headers"]  # Packer's name for them
    assert len(server.requests) == 1
    assert server.requests[0]["headers"]["X-Token"] == "s3cret"
    prov = tpl.builds[0].provisioners[0]
    assert prov.evaluate({"source": {"name": "n", "type": "null"}})["inline"] == ["echo 9.4 200"]


def test_http_error_status_is_a_located_error(tmp_path: Path, server: Server) -> None:
    p = _write(tmp_path, f'data "http" "x" {{\n  url = "{server.url}/missing"\n}}\n'
                         'locals { a = data.http.x.body }\n')
    with pytest.raises(TemplateError) as info:
        load(str(p), env={})
    d = info.value.diagnostics
    assert len(d) == 1, d  # the failed data source, not also the local that uses it
    assert (d[0].location.line, d[0].location.col) == (1, 1)
    assert "Response code: 404" in d[0].detail


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_validate_runs_data_sources_only_when_asked(tmp_path: Path, server: Server) -> None:
    p = _write(tmp_path, HTTP_TEMPLATE % server.url)
    r = _cli("validate", str(p))
    assert r.returncode == 0, r.stderr
    assert server.requests == []  # Packer's validate does not run data sources
    r = _cli("validate", "-evaluate-datasources", str(p))
    assert r.returncode == 0, r.stderr
    assert len(server.requests) == 1
    # with the flag, a failing data source fails validate
    bad = _write(tmp_path, f'data "http" "x" {{ url = "{server.url}/missing" }}\n')
    assert _cli("validate", str(bad)).returncode == 0
    r = _cli("validate", "-evaluate-datasources", str(bad))
    assert r.returncode != 0 and "Response code: 404" in r.stdout + r.stderr


def test_unknown_values_propagate_but_references_are_still_checked(tmp_path: Path) -> None:
    p = _write(tmp_path, r"""
data "null" "a" {
  input = jsonencode({ key = "v" })
}
locals {
  json  = jsondecode(data.null.a.output).key
  cond  = data.null.a.output == "{\"key\":\"v\"}" ? "yes" : "no"
  whole = data.null.a
  mixed = { known = 1, later = data.null.a.output }
  tried = try(data.null.a.output, "fallback")
}
source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  provisioner "shell-local" { inline = ["echo ${local.json}"] }
}
""")
    tpl = load(str(p), env={}, evaluate_datasources=False)
    loc = {n: v.value for n, v in tpl.locals.items()}
    assert loc["json"] is UNKNOWN and loc["cond"] is UNKNOWN and loc["tried"] is UNKNOWN
    assert loc["whole"] == {"output": UNKNOWN}
    assert loc["mixed"] == {"known": 1, "later": UNKNOWN}
    # executed, the same template has real values
    tpl = load(str(p), env={})
    assert tpl.locals["cond"].value == "yes"
    assert tpl.locals["json"].value == "v"
    # a misspelt output is an error even when nothing runs
    bad = _write(tmp_path, 'data "null" "a" { input = "x" }\nlocals { b = data.null.a.outptu }\n')
    with pytest.raises(TemplateError) as info:
        load(str(bad), env={}, evaluate_datasources=False)
    (d,) = info.value.diagnostics
    assert d.summary == "Unsupported attribute" and 'Did you mean "output"?' in d.detail
    assert (d.location.line, d.location.col) == (2, 25)


def test_data_sources_and_locals_form_one_graph(tmp_path: Path) -> None:
    p = _write(tmp_path, """
locals { prefix = "img" }
data "null" "name" { input = "${local.prefix}-${var.v}" }
data "null" "upper" { input = upper(data.null.name.output) }
variable "v" { default = "1" }
locals { final = data.null.upper.output }
""")
    assert load(str(p), env={}).locals["final"].value == "IMG-1"
    cyc = _write(tmp_path, """
data "null" "a" { input = local.b }
locals { b = data.null.a.output }
""")
    with pytest.raises(TemplateError) as info:
        load(str(cyc), env={})
    summaries = [d.summary for d in info.value.diagnostics]
    assert any("Cyclic" in s for s in summaries), summaries


def test_data_source_config_errors_are_located_and_all_reported(tmp_path: Path) -> None:
    p = _write(tmp_path, """
data "null" "a" {}
data "http" "b" {
  url    = "ftp://x"
  method = "FETCH"
}
data "null" "a" { input = "dup" }
data "nope" "c" {}
""")
    with pytest.raises(TemplateError) as info:
        load(str(p), env={}, evaluate_datasources=False)
    got = sorted((d.location.line, d.summary) for d in info.value.diagnostics)
    assert got == [
        (2, 'Missing required argument "input" in data "null" "a"'),
        (4, 'data "http" "b": url: "ftp://x" is not an http:// or https:// URL'),
        (5, 'Invalid value for "method" in data "http" "b"'),
        (7, "Duplicate data block"),
        (8, 'Unknown data source type "nope"'),
    ], got


def test_host_info_matches_this_machine(tmp_path: Path) -> None:
    p = _write(tmp_path, 'data "host-info" "this" {}\nlocals { os = try(data.host-info.this.os_type, "?") }\n')
    tpl = load(str(p), env={})
    facts = tpl.data["host-info"]["this"]
    assert set(facts) == {"os_type", "version", "architecture", "platform", "family"}
    assert tpl.locals["os"].value == "linux"
    uname = subprocess.run(["uname", "-s"], capture_output=True, text=True, check=True).stdout.strip()
    assert facts["os_type"] == uname.lower()
    dpkg = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True)
    assert facts["architecture"] == dpkg.stdout.strip()  # Debian's names are Go's for amd64/arm64
    release = platform.freedesktop_os_release()
    assert facts["platform"] == release["ID"] == "debian"
    assert facts["family"] == "debian"
    assert facts["version"] == Path("/etc/debian_version").read_text().strip()
    assert facts["version"].split(".")[0] == release["VERSION_ID"]


@dataclass(kw_only=True)
class _EchoConfig(BaseConfig):
    words: list[str] = opt(required=True)
    sep: str = opt(" ")


class _Echo(DataSource[_EchoConfig]):
    Config = _EchoConfig
    outputs = ("joined", "count")

    def execute(self, ctx: DataSourceContext) -> dict[str, Any]:
        return {"joined": self.config.sep.join(self.config.words), "count": len(self.config.words)}


def test_a_plugin_data_source_uses_the_same_api(tmp_path: Path) -> None:
    REGISTRY.register("data-source", "test-echo", _Echo, origin="test")
    p = _write(tmp_path, 'data "test-echo" "e" {\n  words = ["a", "b"]\n  sep = "+"\n}\n'
                         "locals { j = data.test-echo.e.joined }\n")
    tpl = load(str(p), env={})
    assert tpl.locals["j"].value == "a+b"
    assert tpl.data["test-echo"]["e"]["count"] == 2
    assert "test-echo" in REGISTRY.names("data-source")


def test_a_cycle_through_a_local_and_a_data_source_names_every_link(tmp_path: Path) -> None:
    # locals and data sources share one Resolver: the chain crosses from one kind to the other
    p = _write(tmp_path, """locals {
  a = data.null.x.output
}
data "null" "x" { input = local.a }
""")
    with pytest.raises(TemplateError) as info:
        load(str(p), env={})
    cycles = [d for d in info.value.diagnostics if "Cyclic" in d.summary]
    assert [(d.summary, d.detail) for d in cycles] == [
        ("Cyclic local value reference", "local.a depends on itself: local.a -> data.null.x -> local.a.")]
    assert (cycles[0].location.line, cycles[0].location.col) == (4, 27)
    assert len(info.value.diagnostics) == 1  # the cycle is reported once, not again per reference
