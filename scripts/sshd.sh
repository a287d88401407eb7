#!/bin/sh
# sshd: root login policy and no reverse DNS lookups (slow logins without DNS).
#   PERMIT_ROOT_LOGIN  yes | prohibit-password | no   [yes]
# sshd takes the first value it reads, so the settings go to the top of sshd_config,
# before any Include or Match block.
set -eu
PERMIT_ROOT_LOGIN=${PERMIT_ROOT_LOGIN:-yes}
CONFIG=${SSHD_CONFIG:-/etc/ssh/sshd_config}

tmp="$CONFIG.pybuild.$$"
{
    echo "# pybuild: OpenStack image settings"
    echo "PermitRootLogin $PERMIT_ROOT_LOGIN"
    echo "UseDNS no"
    grep -v -i -E '^[[:space:]]*(PermitRootLogin|UseDNS)[[:space:]]' "$CONFIG" \
        | grep -v -F '# pybuild: OpenStack image settings'
} >"$tmp"
chmod 600 "$tmp"
mv "$tmp" "$CONFIG"
if command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; then
    /usr/sbin/sshd -t -f "$CONFIG"
fi
echo "==> sshd: PermitRootLogin $PERMIT_ROOT_LOGIN, UseDNS no"
# the running sshd keeps serving this build's connection; the image boots with the new file
