#!/usr/bin/env bash
# build-node-base.sh builds the node image's base rootfs from Debian packages
# with mmdebstrap and imports it into the engine as mini/node-base:<hash>.
# Prints the image reference. No registry is involved anywhere.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What the node needs from Debian and why:
#   iptables, conntrack   kube-proxy (iptables mode) and pod masquerading
#   iproute2              ip for humans debugging a node
#   containernetworking-plugins   bridge, host-local, portmap, loopback CNI
#   libseccomp2           runc is built with seccomp support
#   mount, util-linux     kubelet mounts volumes; nsenter
#   ca-certificates       pulling from a registry when one is reachable
#   procps                ps/top inside a node
PACKAGES=iptables,conntrack,iproute2,containernetworking-plugins,libseccomp2,mount,util-linux,ca-certificates,procps
# Pulled in by minbase (usrmerge, apt) but dead weight at run time: a node
# never installs packages, and Perl alone is ~46 MB.
PURGE="usrmerge perl perl-modules-5.36 libperl5.36 libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl \
apt libapt-pkg6.0 gpgv debian-archive-keyring e2fsprogs libext2fs2 logsave libss2"
SUITE=bookworm
# The host's own apt sources: the build uses whatever mirror this machine is
# set up for and names none itself.
SOURCES=${MINI_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$SOURCES" ] || SOURCES=/etc/apt/sources.list

hash=$(hash_inputs "$0" "=$PACKAGES" "=$PURGE" "=$SUITE" | cut -c1-12)
ref=mini/node-base:$hash
if docker image inspect "$ref" >/dev/null 2>&1; then
  log "base $ref cached"
  echo "$ref"
  exit 0
fi

command -v mmdebstrap >/dev/null || {
  log "installing mmdebstrap"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >&2
}
mkdir -p "$OUT/node"
tarball=$OUT/node/base-$hash.tar
start=$SECONDS
# Docs, man pages, locales and apt's lists are dead weight in a node.
mmdebstrap --variant=minbase --include="$PACKAGES" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
  --customize-hook="chroot \"\$1\" dpkg --purge --force-depends --force-remove-essential $PURGE >/dev/null" \
  --customize-hook='cd "$1"/usr/lib/cni && for p in *; do case $p in bridge|host-local|portmap|loopback) ;; *) rm -f "$p" ;; esac; done' \
  "$SUITE" "$tarball" "$SOURCES" >&2
docker import --change 'CMD ["/bin/sh"]' "$tarball" "$ref" >/dev/null
rm -f "$tarball"
log "base $ref built in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$ref" | awk '{printf "%.0f MB", $1/1e6}'))"
echo "$ref"
