#!/usr/bin/env bash
# build-node-base.sh builds the node image's base rootfs from Debian packages
# (lib.sh's debian_rootfs, shared with the load balancer) and imports it into
# the engine as mini/node-base:<hash>, recorded in _output/node/base-ref for
# build-node-image.sh. No registry is involved anywhere.
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
#   tzdata                CronJob spec.timeZone (the API server and the
#                         controller load zones from /usr/share/zoneinfo)
PACKAGES=iptables,conntrack,iproute2,containernetworking-plugins,libseccomp2,mount,util-linux,ca-certificates,procps,tzdata
HOOKS=(
  'cd "$1"/usr/lib/cni && for p in *; do case $p in bridge|host-local|portmap|loopback) ;; *) rm -f "$p" ;; esac; done'
)

hash=$(hash_inputs "$SELF" "=$DEBIAN_ROOTFS" "=$PACKAGES" "=${HOOKS[*]}" | cut -c1-12)
ref=mini/node-base:$hash
refile=$OUT/node/base-ref
mkdir -p "$OUT/node"
if ! docker image inspect "$ref" >/dev/null 2>&1; then
  built
  start=$SECONDS
  tarball=$OUT/node/base-$hash.tar
  debian_rootfs "$tarball" "$PACKAGES" "${HOOKS[@]}"
  docker import --change 'CMD ["/bin/sh"]' "$tarball" "$ref" >/dev/null
  rm -f "$tarball"
  log "base $ref built in $((SECONDS - start))s ($(image_size "$ref"))"
else
  log "base $ref cached"
fi
echo "$ref" >"$refile.tmp" && mv -f "$refile.tmp" "$refile"
