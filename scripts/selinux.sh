#!/bin/sh
# SELinux disabled (the recipe's SELINUX=disabled); nothing to do where SELinux is absent.
set -eu
if [ -f /etc/selinux/config ]; then
    sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config
    grep -q '^SELINUX=' /etc/selinux/config || echo 'SELINUX=disabled' >>/etc/selinux/config
    # EL9 ignores SELINUX=disabled in the file: the kernel argument is what disables it
    if command -v grubby >/dev/null 2>&1; then
        grubby --update-kernel=ALL --args=selinux=0
    fi
    echo "==> SELinux disabled"
else
    echo "==> no SELinux on this system"
fi
