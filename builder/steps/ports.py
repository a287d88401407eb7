"""Steps port_forward and vnc_port — produce: state.ssh_lease, state.vnc_lease.

Ports are leased with lock files shared by every pybuild process on the machine, so
parallel builds and concurrent runs never collide (a long-standing Packer complaint).
"""

from __future__ import annotations

from builder.ports import reserve_port
from builder.qemu.state import QemuState
from builder.steps import Step


class StepPortForward(Step[QemuState]):
    name = "port_forward"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if c.communicator == "none" or c.skip_nat_mapping:
            return
        bind = c.vnc_bind_address or "127.0.0.1"
        state.ssh_lease = reserve_port(c.host_port_min, c.host_port_max, bind, purpose="ssh")
        state.ui.say(f"Forwarding SSH: host {bind}:{state.ssh_lease.port} -> guest port {c.ssh_port}")

    def cleanup(self, state: QemuState) -> None:
        if state.ssh_lease is not None:
            state.ssh_lease.release()
            state.ssh_lease = None


class StepVNCPort(Step[QemuState]):
    name = "vnc_port"

    def run(self, state: QemuState) -> None:
        c = state.cfg
        if c.disable_vnc:
            return
        bind = c.vnc_bind_address or "127.0.0.1"
        state.vnc_lease = reserve_port(c.vnc_port_min, c.vnc_port_max, bind, purpose="vnc")
        state.ui.say(f"VNC: vnc://{bind}:{state.vnc_lease.port}")

    def cleanup(self, state: QemuState) -> None:
        if state.vnc_lease is not None:
            state.vnc_lease.release()
            state.vnc_lease = None
