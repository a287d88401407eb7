"""The ``guest-sysprep`` provisioner (pybuild only, no Packer equivalent): do in the
running build guest what ``virt-sysprep``'s default operations do to a Linux disk, then
``fstrim`` every filesystem, so no libguestfs appliance has to boot after the build.

    source "qemu" "x" {
      disk_discard       = "unmap"   # the guest's discards free qcow2 clusters...
      disk_detect_zeroes = "unmap"   # ...and so do blocks the guest zero-fills
    }
    build {
      provisioner "guest-sysprep" {       # the LAST provisioner: it removes SSH host keys,
        skip = ["ssh-userdir"]            # ~/.ssh, logs, /tmp... (virt-sysprep names)
      }
    }

Every operation is a few shell lines in one script run as root (``sudo -n`` when the
SSH user is not root). :data:`OPERATIONS` maps each of virt-sysprep's default operation
names to its lines; :data:`NOT_COVERED` says why the others cannot or need not run in a
running guest. The open SSH session survives the removal of host keys and ``~/.ssh``
(only new logins need them); the shutdown command runs over the same connection.

The script first waits for cloud-init to finish (it writes ~/.ssh and host keys while
the build may already be provisioning), from the files and the boot state cloud-init and
systemd leave, never by starting cloud-init itself. Journald is moved to /run for the rest of the
boot (``journalctl --relinquish-var``), so the journal directory can go, shutdown included.
What a running guest still writes *after* the script (the shutdown's wtmp record, the
random seed systemd saves at shutdown, a released DHCP lease) stays in the image;
virt-sysprep, working offline, leaves none of it. Nothing of the build's identity is in
those. ``tests/e2e/test_e2e_guest_sysprep.py`` diffs the result against virt-sysprep's.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from builder.communicator.none import NoneCommunicator
from builder.config import BaseConfig, opt
from builder.errors import BuildError
from builder.plugins import ProvisionContext, Provisioner
from builder.provisioners._common import exit_code_error, output_callbacks, render_template

# virt-sysprep (1.48) operation -> shell lines doing the same inside the running guest.
# `rm -f`/`find -delete` on paths that do not exist are no-ops: a line for another
# distribution's files costs nothing; distribution tools run only when installed.
OPERATIONS: dict[str, str] = {
    "abrt-data": "rm -rf /var/spool/abrt/*",
    "backup-files": (
        "find /etc /root /home /srv -xdev -type f \\( -name '*~' -o -name '*.bak' \\) -delete 2>/dev/null || :"),
    "bash-history": "rm -f /root/.*_history /home/*/.*_history",
    "blkid-tab": "rm -f /var/run/blkid.tab /var/run/blkid.tab.old /etc/blkid/blkid.tab /etc/blkid/blkid.tab.old",
    "crash-data": "rm -rf /var/crash/* /var/log/dump/*",
    "cron-spool": "find /var/spool/cron /var/spool/at -type f -delete 2>/dev/null || :",
    "dhcp-client-state": (
        "rm -f /var/lib/dhclient/* /var/lib/dhcp/dhclient* /var/lib/NetworkManager/*.lease "
        "/var/lib/NetworkManager/dhclient-*"),
    "dhcp-server-state": "rm -f /var/lib/dhcpd/* /var/lib/dhcp/dhcpd.leases*",
    "dovecot-data": "rm -f /var/lib/dovecot/*",
    "ipa-client": (
        "rm -f /etc/ipa/ca.crt /etc/ipa/default.conf /var/lib/ipa-client/sysrestore/* "
        "/var/lib/ipa-client/pki/*"),
    "kerberos-hostkeytab": "rm -f /etc/krb5.keytab",
    # open log files are truncated, not unlinked: the blocks are freed now, before fstrim,
    # and the daemons holding them keep working
    "logfiles": (
        "find /var/log -type f ! -path '/var/log/journal/*' \\( -name '*.gz' -o -name '*.xz' -o -name '*.bz2' -o -name '*.old' "
        "-o -name '*.[0-9]' -o -name '*-[0-9]*' \\) -delete\n"
        # journald moves to /run (volatile) for the rest of this boot, so its files, named
        # after the build's machine-id, can go; older systemd: keep only the active files
        "if command -v journalctl >/dev/null 2>&1; then "
        "if journalctl --relinquish-var >/dev/null 2>&1; then rm -rf /var/log/journal/*; else "
        "journalctl --rotate >/dev/null 2>&1 || :; journalctl --vacuum-files=1 >/dev/null 2>&1 || :; "
        "find /var/log/journal -type f -name '*@*.journal*' -delete 2>/dev/null || :; fi; fi\n"
        "find /var/log -type f ! -path '/var/log/journal/*' -exec truncate -s 0 {} +\n"
        "rm -f /root/anaconda-ks.cfg /root/install.log* /root/original-ks.cfg"),
    "machine-id": (
        # empty, not removed: systemd treats an empty file as "first boot, make one"
        "if [ -f /etc/machine-id ]; then : >/etc/machine-id; fi\n"
        "if [ -f /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then "
        "rm -f /var/lib/dbus/machine-id; fi"),
    "mail-spool": "rm -rf /var/spool/mail/* /var/mail/*",
    "net-hostname": (
        "for f in /etc/sysconfig/network-scripts/ifcfg-*; do [ -f \"$f\" ] && "
        "sed -i -e '/^HOSTNAME=/d' -e '/^DHCP_HOSTNAME=/d' \"$f\"; done; :"),
    "net-hwaddr": (
        "for f in /etc/sysconfig/network-scripts/ifcfg-*; do [ -f \"$f\" ] && "
        "sed -i -e '/^HWADDR=/d' \"$f\"; done; :"),
    "net-nmconn": "rm -f /etc/NetworkManager/system-connections/*.nmconnection",
    "pacct-log": "rm -f /var/account/pacct* /var/log/account/pacct*",
    "package-manager-cache": (
        "if command -v apt-get >/dev/null 2>&1; then apt-get clean; fi\n"
        "if command -v dnf >/dev/null 2>&1; then dnf clean all >/dev/null; "
        "elif command -v yum >/dev/null 2>&1; then yum clean all >/dev/null; fi\n"
        "if command -v zypper >/dev/null 2>&1; then zypper clean --all >/dev/null; fi\n"
        "rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/archives/lock /var/cache/dnf/* /var/cache/yum/* "
        "/var/cache/zypp/packages/*"),
    "pam-data": "rm -rf /var/run/console/* /var/run/faillock/* /var/run/sepermit/*",
    "passwd-backups": (
        "rm -f /etc/group- /etc/gshadow- /etc/passwd- /etc/shadow- /etc/subuid- /etc/subgid-"),
    "puppet-data-log": (
        "rm -rf /var/log/puppet/* /var/lib/puppet/client_data/* /var/lib/puppet/client_yaml/* "
        "/var/lib/puppet/clientbucket/* /var/lib/puppet/reports/* /var/lib/puppet/state/* /var/lib/puppet/yaml/*"),
    "rh-subscription-manager": "rm -rf /etc/pki/consumer/* /etc/pki/entitlement/*",
    "rhn-systemid": "rm -f /etc/sysconfig/rhn/systemid /etc/sysconfig/rhn/osad-auth.conf",
    "rpm-db": "rm -f /var/lib/rpm/__db.*",
    "samba-db-log": (
        "rm -rf /var/log/samba/* /var/lib/samba/*.tdb /var/lib/samba/private/*.tdb /var/lib/samba/group_mapping.*"),
    "smolt-uuid": "rm -f /etc/sysconfig/hw-uuid /etc/smolt/uuid /etc/smolt/hw-uuid",
    "ssh-hostkeys": "rm -f /etc/ssh/*_host_*",
    "ssh-userdir": "rm -rf /root/.ssh /home/*/.ssh",
    "sssd-db-log": "rm -rf /var/log/sssd/* /var/lib/sss/db/*",
    "tmp-files": "find /tmp /var/tmp -mindepth 1 -delete 2>/dev/null || :",
    "udev-persistent-net": "rm -f /etc/udev/rules.d/70-persistent-net.rules",
    "utmp": "rm -f /var/run/utmp",
    "yum-uuid": "rm -f /var/lib/yum/uuid",
}

# virt-sysprep's default operations this provisioner does not run, and why
NOT_COVERED: dict[str, str] = {
    "customize": "virt-customize actions: use a shell provisioner before this one",
    "script": "runs host scripts against the mounted disk: use a shell provisioner",
    "lvm-uuids": "PV/VG UUIDs of the volume group the guest runs from cannot change while it is active",
}

# not virt-sysprep operations, but part of an instance's identity in a cloud image.
# "cloud-init" does with rm what `cloud-init clean --logs --seed` does, without starting
# cloud-init's Python (seconds under emulation): everything in its state directory, seed
# included, its logs (rotated ones too), then the scripts in /etc/cloud/clean.d that
# packages drop there for that command (executable files, in order).
EXTRA: dict[str, str] = {
    "cloud-init": (
        "rm -rf /var/lib/cloud/*\n"
        "rm -f /var/log/cloud-init.log /var/log/cloud-init.log.* /var/log/cloud-init-output.log "
        "/var/log/cloud-init-output.log.*\n"
        "if [ -d /etc/cloud/clean.d ]; then for f in /etc/cloud/clean.d/*; do "
        "if [ -f \"$f\" ] && [ -x \"$f\" ]; then \"$f\"; fi; done; fi"),
}

# How long the script waits for cloud-init's last stage before cleaning anyway (seconds)
CLOUD_INIT_WAIT = 600


def wait_for_cloud_init(limit: int = CLOUD_INIT_WAIT) -> str:
    """Shell lines that wait until cloud-init is done with this boot, without running it:
    its final stage writes /run/cloud-init/result.json; under systemd the boot is over once
    `systemctl is-system-running` says so (cloud-final.service is part of it: when cloud-init
    is disabled it never ran); without systemd, no /run/cloud-init means it did not run."""
    return (
        "if command -v cloud-init >/dev/null 2>&1; then echo '==> waiting for cloud-init'; n=0\n"
        "while [ ! -e /run/cloud-init/result.json ]; do\n"
        "  if [ -d /run/systemd/system ]; then\n"
        "    case \"$(systemctl is-system-running 2>/dev/null)\" in initializing|starting) ;; *) break ;; esac\n"
        "  elif [ ! -d /run/cloud-init ]; then break; fi\n"
        f"  if [ \"$n\" -ge {limit} ]; then echo '==> cloud-init still running after {limit} s: "
        "cleaning anyway' >&2; break; fi\n"
        "  n=$((n + 1)); sleep 1\n"
        "done; fi")


ALL_NAMES = (*OPERATIONS, *EXTRA)

DEFAULT_EXECUTE_COMMAND = 'if [ "$(id -u)" -eq 0 ]; then sh {{ .Path }}; else sudo -n sh {{ .Path }}; fi'


@dataclass(kw_only=True)
class GuestSysprepConfig(BaseConfig):
    skip: list[str] = opt([], help="operations not to run (virt-sysprep names, or cloud-init)")
    fstrim: bool = opt(True, help="run `fstrim -av` last, so freed blocks leave the disk "
                                  "(needs disk_discard = \"unmap\" on the build disk)")
    execute_command: str = opt(DEFAULT_EXECUTE_COMMAND,
                               help="how the script runs as root ({{ .Path }} is the script)")
    remote_path: str = opt("/tmp/pybuild-guest-sysprep.sh", help="where the script is uploaded")

    def validate(self) -> list[str]:
        errors = super().validate()
        for name in self.skip:
            if name in NOT_COVERED:
                continue  # never run anyway: skipping it is fine
            if name not in ALL_NAMES:
                errors.append(f"skip: unknown operation {name!r} (one of: {', '.join(ALL_NAMES)})")
        return errors


def sysprep_script(skip: list[str] | tuple[str, ...] = (), fstrim: bool = True,
                   cloud_init_wait: int = CLOUD_INIT_WAIT) -> str:
    """The shell script the guest runs (pure, for tests)."""
    lines = ["#!/bin/sh", "# pybuild guest-sysprep: virt-sysprep's default operations, in the guest",
             "set -u", "cd /", "failed=",
             # cloud-init may still be configuring the guest (it writes ~/.ssh/authorized_keys,
             # host keys...): what it writes after the cleaning would stay in the image
             wait_for_cloud_init(cloud_init_wait)]
    for name, body in {**OPERATIONS, **EXTRA}.items():
        if name in skip:
            continue
        # not `( ... ) || x`: the shell ignores set -e inside the left side of `||`
        lines += [f"echo '==> {name}'", "(set -e", body, ")", f"[ $? -eq 0 ] || failed=\"$failed {name}\""]
    lines += ["sync", 'if [ -n "$failed" ]; then echo "==> failed:$failed" >&2; exit 1; fi']
    if fstrim:
        # with discard=unmap on the build disk every trimmed block leaves the qcow2
        lines += ["echo '==> fstrim'", "fstrim -av || echo '==> fstrim failed: is the disk attached with discard?' >&2"]
    lines.append("echo '==> guest-sysprep done'")
    return "\n".join(lines) + "\n"


class GuestSysprepProvisioner(Provisioner[GuestSysprepConfig]):
    Config = GuestSysprepConfig

    def provision(self, ctx: ProvisionContext) -> None:
        c = self.config
        comm = ctx.communicator
        if comm is None or isinstance(comm, NoneCommunicator):
            raise BuildError('the guest-sysprep provisioner needs a communicator (communicator = "none" is set)')
        skipped = [s for s in c.skip if s in ALL_NAMES]
        ctx.ui.say("Cleaning the guest like virt-sysprep" + (f" (skipping {', '.join(skipped)})" if skipped else "")
                   + (", then fstrim" if c.fstrim else ""))
        comm.upload(sysprep_script(c.skip, c.fstrim).encode(), c.remote_path, 0o700)
        command = render_template(c.execute_command, {"Path": shlex.quote(c.remote_path)}, ctx)
        on_out, on_err = output_callbacks(ctx.ui)
        status = comm.run(command, on_stdout=on_out, on_stderr=on_err)
        if status != 0:
            raise BuildError("guest-sysprep: " + exit_code_error(status, [0]))


__all__ = ["ALL_NAMES", "CLOUD_INIT_WAIT", "EXTRA", "NOT_COVERED", "OPERATIONS", "GuestSysprepConfig", "GuestSysprepProvisioner",
           "sysprep_script", "wait_for_cloud_init"]
