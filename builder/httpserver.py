"""The build's HTTP server: serves ``http_directory`` or ``http_content`` to the guest.

Installers fetch kickstart/preseed/autoinstall files from it
(``http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg``).

- **Loopback by default.** Packer binds ``0.0.0.0``; pybuild binds ``127.0.0.1``
  because QEMU user networking (SLiRP) reaches the host's loopback at ``10.0.2.2``,
  so nothing on the LAN can read files that often hold passwords. Set
  ``http_bind_address = "0.0.0.0"`` for bridged guests.
- **GET and HEAD only**, 405 for anything else.
- **No way out of the directory**: the request path is decoded once and must be made
  of plain names (no ``..``, NUL, backslash); the resolved file, after following
  symlinks, must lie inside the served directory. Violations are 400 or 404.
- **jinja2 templates**: ``ks.cfg.j2`` is rendered on every request and served as
  ``/ks.cfg`` (unless a plain ``ks.cfg`` exists), with the template variables,
  ``build_name``, ``HTTPIP``, ``HTTPPort``, ``SSHPublicKey``. ``http_content`` values
  are served verbatim, as in Packer.
- **Helpful 404**: ``/ks.cgf not found. Did you mean /ks.cfg?``
- **Every request is reported** to ``on_request(method, path, status, bytes, client)``.
"""

from __future__ import annotations

import difflib
import fcntl
import html
import logging
import mimetypes
import os
import shutil
import socket
import stat
import struct
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jinja2

from builder import secrets
from builder.config import BaseConfig, opt
from builder.errors import BuildError, Diagnostic, Location, TemplateError
from builder.ports import PortLease, reserve_port

log = logging.getLogger("pybuild.http")

TEMPLATE_SUFFIX = ".j2"
DEFAULT_BIND = "127.0.0.1"
GUEST_HOST_IP = "10.0.2.2"  # the host's loopback as seen from a SLiRP guest
MAX_LISTED = 10000  # files considered for did-you-mean and directory walks

RequestCallback = Callable[[str, str, int, int, str], None]
RenderVars = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


@dataclass(kw_only=True)
class HTTPConfig(BaseConfig):
    """Packer's HTTP server options (a mixin for builder configurations)."""

    http_directory: str = opt(
        "", help="Directory served over HTTP to the guest (relative to the working directory)."
    )
    http_content: dict[str, str] = opt(
        {}, help='URL path → content served verbatim, e.g. {"/ks.cfg" = templatefile(...)}.'
    )
    http_port_min: int = opt(8000, help="Lowest port the HTTP server may use.")
    http_port_max: int = opt(9000, help="Highest port the HTTP server may use (inclusive).")
    http_bind_address: str = opt(
        DEFAULT_BIND,
        help="Address the HTTP server listens on. pybuild defaults to 127.0.0.1 (Packer: 0.0.0.0); "
        "QEMU user networking reaches it at 10.0.2.2.",
    )
    http_interface: str = opt("", help="Listen on the first IPv4 address of this network interface.")
    http_network_protocol: str = opt(
        "tcp", help="tcp, tcp4 or tcp6.", choices=("tcp", "tcp4", "tcp6", "unix", "unixpacket")
    )

    def __post_init__(self) -> None:
        # Packer: 0 means "not set"
        self.http_port_min = self.http_port_min or 8000
        self.http_port_max = self.http_port_max or 9000

    def validate(self) -> list[str]:
        errs = super().validate()
        if self.http_directory and self.http_content:
            errs.append("http_directory: only one of http_directory or http_content can be set")
        if self.http_directory and not Path(self.http_directory).is_dir():
            errs.append(f"http_directory: directory {self.http_directory!r} does not exist")
        if not (0 < self.http_port_min <= 65535) or not (0 < self.http_port_max <= 65535):
            errs.append("http_port_min: ports must be between 1 and 65535")
        elif self.http_port_min > self.http_port_max:
            errs.append(
                f"http_port_min: http_port_min ({self.http_port_min}) must be less than or equal"
                f" to http_port_max ({self.http_port_max})"
            )
        if self.http_interface and self.http_bind_address not in ("", DEFAULT_BIND):
            errs.append("http_interface: only one of http_interface or http_bind_address can be set")
        if self.http_network_protocol in ("unix", "unixpacket"):
            errs.append(
                f"http_network_protocol: {self.http_network_protocol!r} is not supported by pybuild"
                " (use tcp, tcp4 or tcp6)"
            )
        for key in self.http_content:
            if "\x00" in key:
                errs.append("http_content: keys must not contain NUL")
        return errs

    @property
    def http_enabled(self) -> bool:
        return bool(self.http_directory or self.http_content)

    def bind_host(self) -> str:
        """The address to listen on, after ``http_interface`` and the protocol."""
        if self.http_interface:
            return interface_ipv4(self.http_interface)
        host = self.http_bind_address or DEFAULT_BIND
        if self.http_network_protocol == "tcp6" and host in ("0.0.0.0", DEFAULT_BIND):
            return "::1" if host == DEFAULT_BIND else "::"
        return host


def interface_ipv4(name: str) -> str:
    """First IPv4 address of a network interface (SIOCGIFADDR)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        packed = struct.pack("256s", name.encode()[:15])
        res = fcntl.ioctl(sock.fileno(), 0x8915, packed)  # SIOCGIFADDR
    except OSError as e:
        raise BuildError(f"http_interface {name!r}: no IPv4 address ({e.strerror})") from None
    finally:
        sock.close()
    return socket.inet_ntoa(res[20:24])


# --------------------------------------------------------------------------- paths


class BadPath(ValueError):
    """A request path that can never name a served file (answered with 400)."""


def normalize_url_path(target: str) -> str:
    """Map a request target to a relative POSIX path made of plain names ("" = the root).

    Accepts origin-form (``/a/b``) and absolute-form (``http://host/a/b``) targets,
    drops query and fragment, percent-decodes exactly once. Raises :class:`BadPath`
    for ``..``, NUL, backslashes, control characters and invalid UTF-8.
    """
    if not target.startswith("/") and "://" in target:
        try:
            target = urllib.parse.urlsplit(target).path or "/"
        except ValueError as e:  # e.g. "Invalid IPv6 URL"
            raise BadPath(str(e)) from None
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = urllib.parse.unquote_to_bytes(path).decode("utf-8")
    except UnicodeError:
        raise BadPath("path is not valid UTF-8") from None
    if "\\" in decoded:
        raise BadPath("backslash in path")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        raise BadPath("control character in path")
    parts = []
    for part in decoded.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise BadPath("'..' in path")
        parts.append(part)
    return "/".join(parts)


def resolve_in_root(root: Path, rel: str) -> Path | None:
    """The file or directory ``rel`` names under ``root``, or None if it escapes or is missing.

    ``root`` must already be resolved. Symlinks are followed and the result must stay
    inside ``root``.
    """
    if rel.startswith("/") or "\x00" in rel or ".." in rel.split("/"):
        return None
    try:
        real = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if real != root and root not in real.parents:
        return None
    return real


# --------------------------------------------------------------------------- content


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    file: Path | None = None
    size: int = 0
    headers: tuple[tuple[str, str], ...] = ()


def _guess_type(name: str, sample: bytes) -> str:
    ctype, _ = mimetypes.guess_type(name)
    if ctype:
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        return ctype
    try:
        sample[:512].decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character cut at 512 is still text
        try:
            sample[:508].decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    return "text/plain; charset=utf-8"


def _render_error_message(exc: Exception, template_path: Path) -> tuple[str, int]:
    """A one-line message naming the template line, and that line number (0 if unknown)."""
    line = getattr(exc, "lineno", None) or 0
    if not line:
        for frame, lineno in reversed(list(traceback.walk_tb(exc.__traceback__))):
            if frame.f_code.co_filename == str(template_path):
                line = lineno
                break
    where = f"{template_path.name}:{line}" if line else template_path.name
    return f"{where}: {type(exc).__name__}: {exc}", line


def _safe_log_text(text: str, limit: int = 300) -> str:
    """Request paths are attacker-controlled: escape control characters, cut to ``limit``."""
    out = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:limit])
    return out + ("..." if len(text) > limit else "")


class _Site:
    """What is served (directory or content map) and how templates render; no sockets."""

    def __init__(self, config: HTTPConfig, render_vars: RenderVars, base_dir: Path):
        self.content = {("/" + k.lstrip("/")): v for k, v in config.http_content.items()}
        self.root: Path | None = None
        if config.http_directory:
            self.root = (base_dir / config.http_directory).resolve()
        self.render_vars = render_vars
        self.extra_vars: dict[str, Any] = {}
        self._listing: tuple[float, list[str]] | None = None
        self.env: jinja2.Environment | None = None
        if self.root is not None:
            self.env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(str(self.root)),
                undefined=jinja2.StrictUndefined,
                autoescape=False,
                keep_trailing_newline=True,
                auto_reload=True,
            )

    def context(self) -> dict[str, Any]:
        rv = self.render_vars() if callable(self.render_vars) else self.render_vars
        ctx: dict[str, Any] = {"HTTPIP": GUEST_HOST_IP}
        ctx.update(self.extra_vars)
        ctx.update(rv)
        return ctx

    def served_paths(self, max_age: float = 0.0) -> list[str]:
        """URL paths this site serves; a listing up to ``max_age`` seconds old may be reused."""
        if self.root is None:
            return sorted(self.content)
        now = time.monotonic()
        cached = self._listing
        if cached is not None and now - cached[0] <= max_age:
            return cached[1]
        paths = sorted("/" + rel for rel, _ in self.walk())
        self._listing = (now, paths)
        return paths

    def walk(self) -> Iterator[tuple[str, Path]]:
        """(served relative path, source file) for every file under the root, inside it."""
        assert self.root is not None
        count = 0
        seen: set[str] = set()
        plain: list[tuple[str, Path]] = []
        templates: list[tuple[str, Path]] = []
        # symlinked directories are not walked (no cycles); the server still serves
        # their files when they resolve inside the root
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames.sort()
            for name in sorted(filenames):
                count += 1
                if count > MAX_LISTED:
                    return
                rel = str((Path(dirpath) / name).relative_to(self.root))
                real = resolve_in_root(self.root, rel)
                if real is None or not real.is_file():
                    continue
                if rel.endswith(TEMPLATE_SUFFIX):
                    templates.append((rel[: -len(TEMPLATE_SUFFIX)], real))
                else:
                    plain.append((rel, real))
        for rel, real in plain:
            seen.add(rel)
            yield rel, real
        for rel, real in templates:
            if rel and rel not in seen:
                yield rel, real

    def render(self, rel_template: str) -> str:
        assert self.env is not None and self.root is not None
        tmpl = self.env.get_template(rel_template)
        return tmpl.render(self.context())

    def not_found(self, shown: str) -> _Reply:
        # a 404 flood must not walk the directory for each request
        close = difflib.get_close_matches(shown, self.served_paths(max_age=2.0), n=1, cutoff=0.5)
        msg = f"{shown} not found."
        if close:
            msg = f"{shown} not found. Did you mean {close[0]}?"
        return _Reply(HTTPStatus.NOT_FOUND, (msg + "\n").encode())

    def lookup(self, target: str, on_error: Callable[[str], None]) -> _Reply:
        try:
            rel = normalize_url_path(target)
        except BadPath as e:
            return _Reply(HTTPStatus.BAD_REQUEST, f"bad request path: {e}\n".encode())
        shown = "/" + rel
        if self.root is None:
            if shown in self.content:
                body = self.content[shown].encode("utf-8")
                return _Reply(HTTPStatus.OK, body, _guess_type(shown, body))
            return self.not_found(shown)
        if rel.endswith(TEMPLATE_SUFFIX):
            # templates are only served rendered, under their name without .j2
            return self.not_found(shown)
        real = resolve_in_root(self.root, rel)
        if real is not None and real.is_dir():
            index = resolve_in_root(self.root, f"{rel}/index.html" if rel else "index.html")
            if index is not None and index.is_file():
                real = index
            else:
                return self.listing(rel, real)
        if real is not None and real.is_file():
            size = real.stat().st_size
            with open(real, "rb") as fh:
                sample = fh.read(512)
            return _Reply(HTTPStatus.OK, content_type=_guess_type(real.name, sample), file=real, size=size)
        tmpl = resolve_in_root(self.root, rel + TEMPLATE_SUFFIX) if rel else None
        if tmpl is not None and tmpl.is_file():
            rel_template = str(tmpl.relative_to(self.root))
            try:
                text = self.render(rel_template)
            except Exception as e:  # any template failure is a 500
                msg, _ = _render_error_message(e, tmpl)
                msg = secrets.mask(msg)
                on_error(f"error rendering {shown} from {msg}")
                return _Reply(HTTPStatus.INTERNAL_SERVER_ERROR, f"error rendering {shown}: {msg}\n".encode())
            body = text.encode("utf-8")
            return _Reply(HTTPStatus.OK, body, _guess_type(rel, body))
        return self.not_found(shown)

    def listing(self, rel: str, real: Path) -> _Reply:
        assert self.root is not None
        names = []
        for entry in sorted(real.iterdir())[:MAX_LISTED]:
            inside = resolve_in_root(self.root, str(entry.relative_to(self.root)))
            if inside is None:
                continue
            name = entry.name
            if name.endswith(TEMPLATE_SUFFIX) and entry.is_file():
                name = name[: -len(TEMPLATE_SUFFIX)]
            elif inside.is_dir():
                name += "/"
            names.append(name)
        prefix = f"/{rel}/" if rel else "/"
        items = "\n".join(
            f'<a href="{html.escape(urllib.parse.quote(prefix + n), quote=True)}">{html.escape(n)}</a>'
            for n in dict.fromkeys(names)
        )
        body = f"<pre>\n{items}\n</pre>\n".encode()
        return _Reply(HTTPStatus.OK, body, "text/html; charset=utf-8")


# --------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "pybuild"
    sys_version = ""
    protocol_version = "HTTP/1.0"
    default_request_version = "HTTP/1.0"  # errors for unparsable requests get a status line
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"
    timeout = 30.0  # per-connection socket timeout: a slow client only blocks its own thread

    _status: int | None = None
    _sent: int = 0

    def handle_one_request(self) -> None:
        self._status = None
        self._sent = 0
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True
        if self._status is not None:
            self.server.owner._report(
                self.command or "-",
                _safe_log_text(self.path if hasattr(self, "path") else "-"),
                self._status,
                self._sent,
                self.client_address[0] if self.client_address else "",
            )

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        try:
            self._status = int(code)
        except (TypeError, ValueError):
            self._status = 0

    def log_error(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)

    def __getattr__(self, name: str) -> Any:
        # every method other than GET/HEAD: 405 instead of the default 501
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        body = f"method {self.command} not allowed; use GET or HEAD\n".encode()
        self._send(_Reply(HTTPStatus.METHOD_NOT_ALLOWED, body, headers=(("Allow", "GET, HEAD"),)), True)

    def do_GET(self) -> None:
        self._send(self.server.owner._site.lookup(self.path, self.server.owner._render_failed), True)

    def do_HEAD(self) -> None:
        self._send(self.server.owner._site.lookup(self.path, self.server.owner._render_failed), False)

    def _send(self, reply: _Reply, with_body: bool) -> None:
        size = reply.size if reply.file is not None else len(reply.body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", "no-store")
        for k, v in reply.headers:
            self.send_header(k, v)
        self.end_headers()
        if not with_body:
            return
        if reply.file is None:
            self.wfile.write(reply.body)
            self._sent = len(reply.body)
            return
        with open(reply.file, "rb") as fh:
            while True:
                chunk = fh.read(256 * 1024)
                if not chunk:
                    break
                self.wfile.write(chunk)
                self._sent += len(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64
    owner: HTTPServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("http: error while handling a request from %s", client_address, exc_info=True)


class HTTPServer:
    """Serve ``http_directory``/``http_content`` on a leased port until :meth:`stop`.

    ``render_vars`` is read at each request (a mapping the caller may still fill, e.g.
    with ``SSHPublicKey`` created after the server started, or a callable returning one).
    """

    def __init__(
        self,
        config: HTTPConfig,
        *,
        render_vars: RenderVars | None = None,
        on_request: RequestCallback | None = None,
        on_error: Callable[[str], None] | None = None,
        base_dir: Path | None = None,
    ):
        self.config = config
        self.on_request = on_request
        self.on_error = on_error
        self._site = _Site(config, render_vars if render_vars is not None else {}, base_dir or Path.cwd())
        self._lease: PortLease | None = None
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.port = 0
        self.errors: list[str] = []

    @property
    def render_vars(self) -> Any:
        """The mapping (or callable) given as ``render_vars``; a dict may be updated live."""
        return self._site.render_vars

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> int:
        """Lease a port in ``http_port_min..http_port_max``, start serving, return the port."""
        with self._lock:
            if self._httpd is not None:
                return self.port
            host = self.config.bind_host()
            lease = reserve_port(self.config.http_port_min, self.config.http_port_max, host, purpose="http")
            try:
                sock = lease.take_socket()
                httpd = _Server((host, lease.port), _Handler, bind_and_activate=False)
                httpd.socket.close()
                httpd.socket = sock
                httpd.server_address = sock.getsockname()[:2]
                httpd.server_name, httpd.server_port = host, lease.port
                httpd.server_activate()
                httpd.owner = self
            except BaseException:
                lease.release()
                raise
            self._lease = lease
            self._httpd = httpd
            self.port = lease.port
            self._site.extra_vars["HTTPPort"] = self.port
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"http-{self.port}",
                daemon=True,
            )
            self._thread.start()
            log.debug("HTTP server listening on %s:%d", host, self.port)
            return self.port

    def stop(self) -> None:
        """Stop serving and release the port. Idempotent; safe if start() failed."""
        with self._lock:
            httpd, self._httpd = self._httpd, None
            thread, self._thread = self._thread, None
            lease, self._lease = self._lease, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(5)
        if lease is not None:
            lease.release()

    def __enter__(self) -> HTTPServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url_for_guest(self, ip: str = GUEST_HOST_IP) -> str:
        """Base URL as the guest sees it (``http://10.0.2.2:PORT``)."""
        host = f"[{ip}]" if ":" in ip else ip
        return f"http://{host}:{self.port}"

    def url_for_host(self) -> str:
        """Base URL for a request from this host (self-test, logs)."""
        if self._httpd is None:
            raise RuntimeError("HTTP server is not running")
        host = str(self._httpd.server_address[0])
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    def served_paths(self) -> list[str]:
        return self._site.served_paths()

    def _report(self, method: str, path: str, status: int, nbytes: int, client: str) -> None:
        log.debug("%s %s %d %d %s", method, path, status, nbytes, client)
        if self.on_request is not None:
            try:
                self.on_request(method, path, status, nbytes, client)
            except Exception:
                log.exception("on_request callback failed")

    def _render_failed(self, message: str) -> None:
        self.errors.append(message)
        log.error("%s", message)
        if self.on_error is not None:
            try:
                self.on_error(message)
            except Exception:
                log.exception("on_error callback failed")


# --------------------------------------------------------------------------- render-http


def render_http(
    config: HTTPConfig,
    render_vars: Mapping[str, Any],
    out_dir: Path,
    *,
    base_dir: Path | None = None,
) -> list[Path]:
    """Write every file the server would serve into ``out_dir`` (``pybuild render-http``).

    Templates are rendered (``HTTPPort`` defaults to ``http_port_min``); all template
    errors are collected into one :class:`TemplateError`. Files are written mode 0600.
    """
    site = _Site(config, render_vars, base_dir or Path.cwd())
    site.extra_vars["HTTPPort"] = config.http_port_min
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    diags: list[Diagnostic] = []

    def write(rel: str, data: bytes | None, src: Path | None = None) -> None:
        try:
            clean = normalize_url_path("/" + rel)
        except BadPath as e:
            diags.append(Diagnostic(f"cannot write {rel!r}: {e}"))
            return
        if not clean:
            return
        dest = out_dir / clean
        try:  # e.g. both "a" and "a/b": one of them cannot be written
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        except OSError as e:
            diags.append(Diagnostic(f"cannot write {rel!r}: {e.strerror}"))
            return
        with os.fdopen(fd, "wb") as fh:
            if src is not None:
                with open(src, "rb") as sfh:
                    shutil.copyfileobj(sfh, fh)
            else:
                fh.write(data or b"")
        os.chmod(dest, 0o600)
        written.append(dest)

    if site.root is None:
        for key, value in sorted(site.content.items()):
            write(key, value.encode("utf-8"))
    else:
        for rel, real in site.walk():
            if real.name.endswith(TEMPLATE_SUFFIX) and not rel.endswith(TEMPLATE_SUFFIX):
                try:
                    text = site.render(str(real.relative_to(site.root)))
                except Exception as e:
                    msg, line = _render_error_message(e, real)
                    diags.append(
                        Diagnostic(
                            f"cannot render {rel}",
                            secrets.mask(msg),
                            Location(str(real), line) if line else Location(str(real)),
                        )
                    )
                    continue
                write(rel, text.encode("utf-8"))
            else:
                write(rel, None, real)
    if diags:
        raise TemplateError(diags)
    return written


__all__ = [
    "BadPath",
    "HTTPConfig",
    "HTTPServer",
    "interface_ipv4",
    "normalize_url_path",
    "render_http",
    "resolve_in_root",
]
