"""Packer's ``http`` data source: one HTTP request while the template loads.

Options as Packer's: ``url`` (required), ``request_headers``, and the newer ``method``
and ``request_body``. Outputs: ``url``, ``body`` (the response text), ``status_code``,
and the response headers as ``response_headers``; Packer publishes them under the
name ``request_headers`` (a quirk of its output table), so that name holds them too.
A status outside 200–299 fails the load, as in Packer; so does a body that is not
UTF-8 text. Duplicate response headers are joined with ", " (RFC 9110). Proxies come from
the environment (``https_proxy``, ``no_proxy``...) except for loopback addresses, which
are always reached directly (as Go's client, hence Packer, does).
"""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from builder.config import BaseConfig, opt
from builder.errors import PybuildError
from builder.plugins import DataSource, DataSourceContext

TIMEOUT = 60.0


@dataclass(kw_only=True)
class HttpConfig(BaseConfig):
    url: str = opt(required=True, help="The URL to request (http or https).")
    request_headers: dict[str, str] = opt({}, help="Extra HTTP headers to send.")
    method: str = opt("GET", help="The HTTP method.",
                      choices=("HEAD", "GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"))
    request_body: str = opt("", help="The request body (for POST, PUT, PATCH).")

    def validate(self) -> list[str]:
        if not self.url:
            return ["url: the url must be specified"]
        if not self.url.startswith(("http://", "https://")):
            return [f'url: "{self.url}" is not an http:// or https:// URL']
        return []


class HttpDataSource(DataSource[HttpConfig]):
    Config = HttpConfig
    outputs = ("url", "body", "status_code", "response_headers", "request_headers")

    def execute(self, ctx: DataSourceContext) -> dict[str, Any]:
        c = self.config
        body = c.request_body.encode() if c.request_body else None
        req = urllib.request.Request(c.url, data=body, method=c.method, headers=dict(c.request_headers))
        try:
            with _opener(c.url).open(req, timeout=TIMEOUT) as resp:
                status = resp.status
                raw = resp.read()
                headers = _joined(resp.headers.items())
        except urllib.error.HTTPError as e:
            raise PybuildError(f"HTTP request to {c.url} failed. Response code: {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise PybuildError(f"HTTP request to {c.url} failed: {reason}") from None
        if not 200 <= status < 300:
            raise PybuildError(f"HTTP request to {c.url} failed. Response code: {status}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PybuildError(
                f"the response from {c.url} is not UTF-8 text ({headers.get('Content-Type', 'no Content-Type')})"
            ) from None
        return {"url": c.url, "body": text, "status_code": status,
                "response_headers": headers, "request_headers": headers}


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return urllib.request.build_opener(urllib.request.ProxyHandler({})) if loopback else \
        urllib.request.build_opener()


def _joined(items: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in items:
        key = "-".join(p.capitalize() for p in k.split("-"))  # Go's canonical header form
        out[key] = f"{out[key]}, {v}" if key in out else v
    return out


__all__ = ["HttpConfig", "HttpDataSource"]
