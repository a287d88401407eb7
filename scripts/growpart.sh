#!/bin/sh
# Root partition grows to the flavor's disk: growpart, and an initramfs rebuilt for
# every installed kernel.
#   REBUILD_INITRAMFS=yes|no  [yes]; "no" where nothing changed the initramfs inputs
#                             (an image made from packages already has a fresh one)
set -eu
REBUILD_INITRAMFS=${REBUILD_INITRAMFS:-yes}
if command -v yum >/dev/null 2>&1; then
    rpm -q cloud-utils-growpart >/dev/null 2>&1 || yum install -y cloud-utils-growpart.x86_64
    if [ "$REBUILD_INITRAMFS" = yes ]; then
        rpm -qa kernel | sed 's/^kernel-//' | xargs -I {} dracut -f /boot/initramfs-{}.img {}
    fi
elif command -v apt-get >/dev/null 2>&1; then
    if ! command -v growpart >/dev/null 2>&1; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cloud-guest-utils
    fi
    if [ "$REBUILD_INITRAMFS" != yes ]; then
        echo "==> initramfs kept (REBUILD_INITRAMFS=$REBUILD_INITRAMFS)"
    elif command -v update-initramfs >/dev/null 2>&1; then
        update-initramfs -u -k all
    elif command -v dracut >/dev/null 2>&1; then
        for k in /lib/modules/*; do
            v=${k##*/}
            dracut -f "/boot/initramfs-$v.img" "$v"
        done
    fi
fi
command -v growpart >/dev/null 2>&1 || { echo "growpart is missing" >&2; exit 1; }
echo "==> growpart installed"
