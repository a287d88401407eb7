#!/bin/sh
# Last step inside the guest: caches, logs, cloud-init state, identity of this build VM.
# (virt-sysprep runs afterwards on the disk and removes more, e.g. MAC references.)
#   LOCK_ROOT_PASSWORD=yes  root's build password must not ship in the image [yes]
#                           (admin_pass or `nova set-password` set a new one)
set -eu
LOCK_ROOT_PASSWORD=${LOCK_ROOT_PASSWORD:-yes}

if command -v yum >/dev/null 2>&1; then
    yum clean all
    rm -rf /var/cache/yum /var/cache/dnf
elif command -v apt-get >/dev/null 2>&1; then
    apt-get clean
    rm -rf /var/lib/apt/lists/*
fi
if command -v cloud-init >/dev/null 2>&1; then
    cloud-init clean --logs || rm -rf /var/lib/cloud/instances /var/lib/cloud/instance /var/log/cloud-init*.log
fi
# Ubuntu's installer leaves its own cloud-init config (build user, "network: disabled")
# and a netplan file for the build VM's NIC: cloud-init configures the cloud's network
rm -f /etc/cloud/cloud.cfg.d/99-installer.cfg /etc/cloud/cloud.cfg.d/90-installer-network.cfg
rm -f /etc/netplan/00-installer-config*.yaml /etc/netplan/50-cloud-init.yaml
rm -f /etc/ssh/ssh_host_*
# an empty machine-id: systemd makes a new one at first boot
if [ -f /etc/machine-id ]; then
    : >/etc/machine-id
fi
rm -f /var/lib/dbus/machine-id
rm -f /etc/udev/rules.d/70-persistent-net.rules
rm -f /var/lib/dhcp/*.leases /var/lib/dhclient/*.leases /var/lib/NetworkManager/*.lease
rm -rf /tmp/* /var/tmp/*
rm -f /root/.bash_history
if [ "$LOCK_ROOT_PASSWORD" = yes ]; then
    # "!" alone: no password at all, and `passwd -u` cannot bring the build password back
    usermod -p '!' root
    echo "==> root password locked"
fi
sync
echo "==> cleaned up"
