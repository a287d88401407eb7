"""Step connect — uses: the SSH forward and key pair; produces: state.comm.

Waits for the guest's sshd (connection errors keep waiting until ``ssh_timeout``; only
authentication failures count against ``ssh_handshake_attempts``) and fails fast when
QEMU exits meanwhile, with the serial console's last lines in the error.
"""

from __future__ import annotations

import threading

from builder.cancel import CancelToken
from builder.errors import BuildError, Cancelled
from builder.qemu.state import QemuState
from builder.steps import Step


class StepConnect(Step[QemuState]):
    name = "connect"

    def run(self, state: QemuState) -> None:
        from builder.communicator.ssh import connect_from_config  # paramiko: loaded while QEMU boots

        c = state.cfg
        if c.communicator == "none":
            return
        host = c.ssh_host or "127.0.0.1"
        port = c.ssh_port if c.skip_nat_mapping else state.ssh_host_port
        key = state.keypair.private_pem if state.keypair else None
        died = threading.Event()
        done = threading.Event()
        q = state.qemu
        # a private token: cancelled by the run's token, or when QEMU exits meanwhile
        local = CancelToken()

        def watch() -> None:
            while not done.wait(0.25):
                if state.ctx.cancel.cancelled:
                    local.cancel(state.ctx.cancel.signal_name)
                    return
                if q is not None and q.poll() is not None:
                    died.set()
                    local.cancel("QEMU exited")
                    return

        t = threading.Thread(target=watch, daemon=True)
        t.start()
        try:
            state.comm = connect_from_config(c, host, port, private_key_pem=key, ui=state.ui, cancel=local)
        except Cancelled as e:
            if died.is_set():
                raise BuildError(f"QEMU exited while waiting for SSH.{_tail(state)}") from e
            state.ctx.cancel.check()
            raise
        except Exception as e:
            if died.is_set():
                raise BuildError(f"QEMU exited while waiting for SSH.{_tail(state)}") from e
            raise BuildError(f"{e}{_tail(state)}") from e
        finally:
            done.set()
        state.ui.event("ssh_connected", host=host, port=port)

    def cleanup(self, state: QemuState) -> None:
        """Close the guest connection this step opened (one that already broke, because the
        guest powered off, is not an error here)."""
        if state.comm is not None:
            try:
                state.comm.close()
            except Exception:
                pass
            state.comm = None


def _tail(state: QemuState) -> str:
    try:
        lines = state.serial_log.read_text(errors="replace").splitlines()[-15:]
    except OSError:
        return ""
    if not lines:
        return "\nThe serial console printed nothing."
    return "\nLast lines of the serial console (" + str(state.serial_log) + "):\n  " + "\n  ".join(lines)
