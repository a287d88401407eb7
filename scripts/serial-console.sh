#!/bin/sh
# Boot messages on the serial console, so `nova console-log` shows them.
#   KERNEL_CMDLINE  the kernel command line [console=tty0 console=ttyS0,115200n8]
# GRUB: GRUB_CMDLINE_LINUX in /etc/default/grub, then grub2-mkconfig / update-grub.
# extlinux (images made from packages): the options are added to every APPEND line.
set -eu
KERNEL_CMDLINE=${KERNEL_CMDLINE:-console=tty0 console=ttyS0,115200n8}

if [ -f /etc/default/grub ]; then
    if grep -q '^GRUB_CMDLINE_LINUX=' /etc/default/grub; then
        sed -i "s|^GRUB_CMDLINE_LINUX=.*|GRUB_CMDLINE_LINUX=\"$KERNEL_CMDLINE\"|" /etc/default/grub
    else
        echo "GRUB_CMDLINE_LINUX=\"$KERNEL_CMDLINE\"" >>/etc/default/grub
    fi
    if command -v grub2-mkconfig >/dev/null 2>&1; then
        # BIOS: /boot/grub2/grub.cfg; EL7 UEFI: the file /etc/grub2-efi.cfg points to
        done_cfgs=""
        for link in /etc/grub2.cfg /etc/grub2-efi.cfg; do
            [ -e "$link" ] || continue
            cfg=$(readlink -f "$link")
            case " $done_cfgs " in *" $cfg "*) continue ;; esac
            grub2-mkconfig -o "$cfg"
            done_cfgs="$done_cfgs $cfg"
        done
        [ -n "$done_cfgs" ] || grub2-mkconfig -o /boot/grub2/grub.cfg
        # BLS entries (EL9) keep their own options
        if command -v grubby >/dev/null 2>&1; then
            grubby --update-kernel=ALL --args="$KERNEL_CMDLINE"
        fi
    elif command -v update-grub >/dev/null 2>&1; then
        update-grub
    fi
    echo "==> GRUB_CMDLINE_LINUX=\"$KERNEL_CMDLINE\""
fi
for conf in /boot/extlinux/extlinux.conf /boot/syslinux/syslinux.cfg /extlinux.conf; do
    [ -f "$conf" ] || continue
    for opt in $KERNEL_CMDLINE; do
        # add the option to every APPEND line that lacks it
        awk -v opt="$opt" '
            toupper($1) == "APPEND" {
                found = 0
                for (i = 2; i <= NF; i++) if ($i == opt) found = 1
                if (!found) $0 = $0 " " opt
            }
            { print }' "$conf" >"$conf.new"
        cat "$conf.new" >"$conf"
        rm -f "$conf.new"
    done
    echo "==> $conf: $KERNEL_CMDLINE"
done
