#!/bin/sh
# cloud-init for OpenStack: the default user, root not disabled, password SSH allowed
# (so admin_pass works), and the datasources to look for.
#   CLOUD_DATASOURCES  [ConfigDrive, OpenStack, NoCloud, None]
#   DISABLE_ROOT       [0]     SSH_PWAUTH  [1]
#   CLOUD_CFG, CLOUD_CFG_D     the files to edit (tests) [/etc/cloud/cloud.cfg, .d]
set -eu
CFG=${CLOUD_CFG:-/etc/cloud/cloud.cfg}
CFG_D=${CLOUD_CFG_D:-/etc/cloud/cloud.cfg.d}
CLOUD_DATASOURCES=${CLOUD_DATASOURCES:-ConfigDrive, OpenStack, NoCloud, None}
DISABLE_ROOT=${DISABLE_ROOT:-0}
SSH_PWAUTH=${SSH_PWAUTH:-1}

[ -f "$CFG" ] || { echo "$CFG missing: is cloud-init installed?" >&2; exit 1; }

# replace the top-level users: block with the default user only
awk '
    /^users:/ { skip = 1; next }
    skip && /^([ \t]|-)/ { next }
    { skip = 0; print }' "$CFG" >"$CFG.new"
{
    cat "$CFG.new"
    echo
    echo "users:"
    echo " - default"
} >"$CFG.tmp"
rm -f "$CFG.new"

set_key() {
    if grep -q "^$1:" "$CFG.tmp"; then
        sed -i "s/^$1:.*/$1: $2/" "$CFG.tmp"
    else
        echo "$1: $2" >>"$CFG.tmp"
    fi
}
set_key disable_root "$DISABLE_ROOT"
set_key ssh_pwauth "$SSH_PWAUTH"
cat "$CFG.tmp" >"$CFG"
rm -f "$CFG.tmp"

mkdir -p "$CFG_D"
echo "datasource_list: [ $CLOUD_DATASOURCES ]" >"$CFG_D/99_pybuild_datasources.cfg"
echo "==> cloud-init: users [default], disable_root: $DISABLE_ROOT, ssh_pwauth: $SSH_PWAUTH, datasources: $CLOUD_DATASOURCES"
