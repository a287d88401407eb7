"""Step qmp — produces: state.qmp (QMP client on the private socket) and, on failure,
a PNG screenshot of the guest screen in the failure evidence."""

from __future__ import annotations

from builder.errors import BuildError
from builder.qemu.qmp import QMPClient
from builder.qemu.state import QemuState
from builder.steps import Step


class StepQMP(Step[QemuState]):
    name = "qmp"

    def run(self, state: QemuState) -> None:
        connect(state)

    def cleanup(self, state: QemuState) -> None:
        if state.qmp is None:
            return
        if state.failed and state.qemu is not None and state.qemu.poll() is None:
            shot = state.run_dir / "screenshot.png"
            try:
                state.qmp.screendump(str(shot))
                state.ctx.evidence(shot)
            except Exception as e:  # evidence is best effort
                state.ui.message(f"(no screenshot: {e})")
        try:
            state.qmp.close()
        except Exception:
            pass
        state.qmp = None


def connect(state: QemuState) -> None:
    """A QMP client for the running QEMU into ``state.qmp`` (also after a relaunch)."""
    client = QMPClient(str(state.qmp_path))
    try:
        client.connect(timeout=30)
    except Exception as e:
        raise BuildError(f"cannot connect to QEMU's QMP socket {state.qmp_path}: {e}") from e
    state.qmp = client
    if state.cfg.vnc_use_password and state.cfg.vnc_password:
        client.execute("change-vnc-password", password=state.cfg.vnc_password)
