"""Step http_server — uses: http_directory/http_content; produces: state.http, state.http_port.

Serves kickstart/preseed files (``.j2`` files rendered with jinja2 per request) to the
guest, which reaches the host's loopback at 10.0.2.2 through QEMU user networking.
Every request is logged and emitted as an ``http_request`` event.
"""

from __future__ import annotations

from pathlib import Path

from builder.httpserver import HTTPServer
from builder.qemu.state import QemuState
from builder.steps import Step


class StepHTTPServer(Step[QemuState]):
    name = "http_server"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if not (c.http_directory or c.http_content):
            return

        def on_request(method: str, path: str, status: int, size: int, client: str) -> None:
            state.ui.message(f"HTTP {method} {path} -> {status} ({size} bytes)")
            state.ui.event("http_request", method=method, path=path, status=status, bytes=size)

        render_vars = dict(state.ctx.variables)
        render_vars.update(
            build_name=state.source_name,
            HTTPIP=state.http_ip,
            SSHPublicKey=state.keypair.public_openssh if state.keypair else "",
        )
        state.http = HTTPServer(c, render_vars=render_vars, on_request=on_request, base_dir=Path.cwd())
        state.http_port = state.http.start()
        state.http.render_vars["HTTPPort"] = state.http_port
        state.ui.say(
            f"Starting HTTP server on port {state.http_port} "
            f"(guest URL http://{state.http_ip}:{state.http_port}/)"
        )

    def cleanup(self, state: QemuState) -> None:
        if state.http is not None:
            state.http.stop()
            state.http = None
