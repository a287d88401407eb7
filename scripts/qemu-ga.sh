#!/bin/sh
# qemu-guest-agent over virtio-serial (Nova's set-password, quiesced snapshots).
# Needs the image property hw_qemu_guest_agent=yes (set by the glance post-processor).
set -eu
if [ -d /etc/sysconfig ]; then
    cat >/etc/sysconfig/qemu-ga <<'CONF'
TRANSPORT_METHOD="virtio-serial"
DEVPATH="/dev/virtio-ports/org.qemu.guest_agent.0"
LOGFILE="/var/log/qemu-ga/qemu-ga.log"
PIDFILE="/var/run/qemu-ga.pid"
BLACKLIST_RPC=""
FSFREEZE_HOOK_ENABLE=1
CONF
    mkdir -p /var/log/qemu-ga
    echo "==> /etc/sysconfig/qemu-ga written"
fi
command -v qemu-ga >/dev/null 2>&1 || [ -x /usr/sbin/qemu-ga ] || [ -x /usr/bin/qemu-ga ] || {
    echo "qemu-guest-agent is not installed" >&2
    exit 1
}
if systemctl enable qemu-guest-agent 2>/dev/null; then
    echo "==> qemu-guest-agent enabled"
else
    echo "==> qemu-guest-agent is started by udev when the channel appears"
fi
