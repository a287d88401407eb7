#!/bin/sh
# Install the packages an OpenStack guest needs and enable their services.
#   PACKAGES  override the package list (space separated); default per family below
#   EXTRA_PACKAGES  added to the list
# yum (CentOS/Rocky/Alma): acpid, chrony, qemu-guest-agent, cloud-init, cloud-utils-growpart
# apt (Debian/Ubuntu):     qemu-guest-agent, cloud-init, cloud-guest-utils
# On apt, nothing is downloaded when everything is already installed (fast, offline builds).
set -eu
EXTRA_PACKAGES=${EXTRA_PACKAGES:-}

enable_units() {
    for unit in "$@"; do
        # qemu-guest-agent is started by udev on some distributions: "static" units
        # cannot be enabled and need not be
        systemctl enable "$unit" 2>/dev/null || echo "    ($unit: started on demand, not enabled)"
    done
}

if command -v yum >/dev/null 2>&1; then
    PACKAGES=${PACKAGES:-acpid chrony qemu-guest-agent cloud-init cloud-utils-growpart}
    # shellcheck disable=SC2086
    yum install -y $PACKAGES $EXTRA_PACKAGES
    enable_units acpid chronyd qemu-guest-agent
    systemctl status chronyd --no-pager || true
elif command -v apt-get >/dev/null 2>&1; then
    PACKAGES=${PACKAGES:-qemu-guest-agent cloud-init cloud-guest-utils}
    export DEBIAN_FRONTEND=noninteractive
    missing=""
    for p in $PACKAGES $EXTRA_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        apt-get update
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $missing
    else
        echo "==> already installed: $PACKAGES $EXTRA_PACKAGES"
    fi
    # (qemu-guest-agent: see qemu-ga.sh; Debian starts it from udev)
    for unit in acpid chrony; do
        if systemctl cat "$unit.service" >/dev/null 2>&1; then
            enable_units "$unit"
        fi
    done
else
    echo "no yum or apt-get: unsupported distribution" >&2
    exit 1
fi
