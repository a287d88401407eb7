#!/bin/sh
# Package repositories: a local mirror when one is given, else the distribution's defaults.
#   REPO_FILE_URL  a ready .repo file to download (the recipe's `curl -o local.repo URL`)
#   REPOS          "name=baseurl name=baseurl ..." (yum/dnf) — written to local.repo
#   APT_MIRROR     a Debian/Ubuntu mirror URL (apt) — replaces the sources
# All empty: the repositories set up by the installer are kept.
set -eu
REPO_FILE_URL=${REPO_FILE_URL:-}
REPOS=${REPOS:-}
APT_MIRROR=${APT_MIRROR:-}

if command -v yum >/dev/null 2>&1; then
    if [ -n "$REPO_FILE_URL" ] || [ -n "$REPOS" ]; then
        echo "==> using the local mirror for yum"
        cd /etc/yum.repos.d/
        rm -f ./*.repo
        if [ -n "$REPO_FILE_URL" ]; then
            curl -fsS -o local.repo "$REPO_FILE_URL"
        else
            keys=""
            for k in /etc/pki/rpm-gpg/RPM-GPG-KEY-*; do
                [ -e "$k" ] && keys="$keys file://$k"
            done
            gpgcheck=1
            [ -n "$keys" ] || gpgcheck=0
            for entry in $REPOS; do
                name=${entry%%=*}
                url=${entry#*=}
                printf '[%s]\nname=%s (local mirror)\nbaseurl=%s\nenabled=1\ngpgcheck=%s\n' \
                    "$name" "$name" "$url" "$gpgcheck"
                [ -z "$keys" ] || printf 'gpgkey=%s\n' "${keys# }"
                echo
            done >local.repo
        fi
        yum clean all
    else
        echo "==> keeping the default yum repositories"
    fi
    yum repolist
elif command -v apt-get >/dev/null 2>&1; then
    if [ -n "$APT_MIRROR" ]; then
        echo "==> using the local mirror for apt: $APT_MIRROR"
        # shellcheck disable=SC1091
        codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
        components=main
        [ -e /etc/lsb-release ] && grep -q Ubuntu /etc/lsb-release && components="main universe"
        rm -f /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/ubuntu.sources
        {
            echo "deb $APT_MIRROR $codename $components"
            echo "deb $APT_MIRROR $codename-updates $components"
        } >/etc/apt/sources.list
    else
        echo "==> keeping the default apt sources"
    fi
else
    echo "no yum or apt-get: unsupported distribution" >&2
    exit 1
fi
