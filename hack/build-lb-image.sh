#!/usr/bin/env bash
# build-lb-image.sh builds mini's load balancer image (nginx with the stream
# module, from Debian packages) without any registry:
#   mmdebstrap (bookworm, minbase + images/lb/packages) -> docker import
#   -> docker build images/lb
# The apt sources come from the host (APT_SOURCES, default the host's
# debian.sources), so the repository names no mirror. The image carries a
# label with a hash of every input; when it matches, nothing is rebuilt.
#
# Usage: hack/build-lb-image.sh [--force]
# Env:   LB_IMAGE (default mini/lb:$(cat images/lb/VERSION)), APT_SOURCES
set -euo pipefail

log() { echo "build-lb-image: $*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$root/images/lb"
image=${LB_IMAGE:-mini/lb:$(tr -d '[:space:]' <"$dir/VERSION")}
sources=${APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
suite=bookworm

[ -r "$sources" ] || { log "apt sources file $sources not readable; set APT_SOURCES"; exit 1; }
command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing: apt-get install mmdebstrap"; exit 1; }

inputs=$( { cat "$dir/Dockerfile" "$dir/nginx.conf" "$dir/packages" "$dir/VERSION" "${BASH_SOURCE[0]}"; echo "$suite"; } | sha256sum | cut -c1-16)
if [ "${1:-}" != "--force" ]; then
  have=$(docker image inspect --format '{{ index .Config.Labels "dev.mini.inputs" }}' "$image" 2>/dev/null || true)
  if [ "$have" = "$inputs" ]; then
    log "$image is up to date (inputs $inputs)"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=$(grep -v '^#' "$dir/packages" | paste -sd, -)
start=$(date +%s)
log "building the root filesystem ($suite, minbase + $packages)"
mmdebstrap --quiet --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  "$suite" "$work/rootfs.tar" "$sources" >&2

base="mini/lb-base:$inputs"
log "importing the root filesystem as $base"
docker import "$work/rootfs.tar" "$base" >/dev/null
log "building $image"
docker build --quiet --build-arg "BASE=$base" --label "dev.mini.inputs=$inputs" -t "$image" "$dir" >/dev/null
# The base is an intermediate; the built image keeps its layers.
docker rmi "$base" >/dev/null 2>&1 || true
log "built $image in $(( $(date +%s) - start ))s ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
