#!/bin/sh
# Install the admin_pass first-boot hook (scripts/admin-pass-hook) as a systemd oneshot.
# The template uploads the hook with a "file" provisioner to $ADMIN_PASS_HOOK_SRC first.
#   ROOT_PASSWORD_SSH=yes|no  let root log in over SSH with the applied password [yes]
#   DESTDIR                   install into this staging root (tests); "" = the running system
set -eu

SRC=${ADMIN_PASS_HOOK_SRC:-/tmp/pybuild-admin-pass-hook}
ROOT_PASSWORD_SSH=${ROOT_PASSWORD_SSH:-yes}
DESTDIR=${DESTDIR:-}

case $ROOT_PASSWORD_SSH in
    yes | no) ;;
    *) echo "ROOT_PASSWORD_SSH must be yes or no, not '$ROOT_PASSWORD_SSH'" >&2; exit 2 ;;
esac

echo "==> installing the admin_pass first-boot hook (pybuild-admin-pass.service)"
mkdir -p "$DESTDIR/usr/local/sbin" "$DESTDIR/etc/systemd/system/multi-user.target.wants"
cp "$SRC" "$DESTDIR/usr/local/sbin/pybuild-admin-pass"
chmod 0755 "$DESTDIR/usr/local/sbin/pybuild-admin-pass"

cat >"$DESTDIR/etc/pybuild-admin-pass.conf" <<CONF
# read by /usr/local/sbin/pybuild-admin-pass (written by pybuild at image build time)
ADMIN_USER=root
ROOT_PASSWORD_SSH=$ROOT_PASSWORD_SSH
CONF
chmod 0644 "$DESTDIR/etc/pybuild-admin-pass.conf"

cat >"$DESTDIR/etc/systemd/system/pybuild-admin-pass.service" <<'UNIT'
[Unit]
Description=Set the root password from OpenStack admin_pass (config drive or metadata service)
Documentation=file:///usr/local/sbin/pybuild-admin-pass
# after cloud-init has found its datasource and applied its own password settings
After=cloud-init-local.service cloud-init.service cloud-config.service network-online.target
Wants=network-online.target
Before=systemd-user-sessions.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/pybuild-admin-pass
RemainAfterExit=yes
StandardOutput=journal+console
TimeoutStartSec=120

[Install]
WantedBy=multi-user.target
UNIT
chmod 0644 "$DESTDIR/etc/systemd/system/pybuild-admin-pass.service"

# what `systemctl enable` does; also works in a chroot or without a running systemd
ln -sf /etc/systemd/system/pybuild-admin-pass.service \
    "$DESTDIR/etc/systemd/system/multi-user.target.wants/pybuild-admin-pass.service"
mkdir -p "$DESTDIR/var/lib/pybuild-admin-pass"
chmod 0700 "$DESTDIR/var/lib/pybuild-admin-pass"
[ -n "$DESTDIR" ] || rm -f "$SRC"
echo "==> admin_pass hook installed (root password SSH: $ROOT_PASSWORD_SSH)"
