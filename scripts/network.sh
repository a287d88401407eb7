#!/bin/sh
# Network: the recipe's classic `network` service instead of NetworkManager (EL7, where the
# initscripts exist); NOZEROCONF=yes so the 169.254.0.0/16 route does not hide the
# metadata service 169.254.169.254.
set -eu
if [ -x /etc/init.d/network ]; then
    systemctl stop NetworkManager || true
    systemctl disable NetworkManager || true
    # no `systemctl restart network` here: it would drop this build's SSH connection;
    # the image starts `network` at boot
    chkconfig --level 2345 network on
    echo "==> NetworkManager disabled, network service enabled"
else
    echo "==> no network initscripts: keeping the distribution's network service"
fi
if [ -d /etc/sysconfig ]; then
    touch /etc/sysconfig/network
    grep -q '^NOZEROCONF=yes' /etc/sysconfig/network || echo "NOZEROCONF=yes" >>/etc/sysconfig/network
    echo "==> NOZEROCONF=yes"
fi
