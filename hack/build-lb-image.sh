#!/usr/bin/env bash
# build-lb-image.sh builds mini's load balancer image (nginx with the stream
# module, from Debian packages) without any registry:
#   lib.sh's debian_rootfs (the node base's bootstrap, minbase +
#   images/lb/packages) -> docker import -> docker build images/lb
# The image carries a label with a hash of every input; when it matches,
# nothing is rebuilt. FORCE=1 rebuilds.
#
# Env: LB_IMAGE (default $(default_image lb), lib.sh), MINI_APT_SOURCES
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$MINI_ROOT/images/lb
image=${LB_IMAGE:-$(default_image lb)}
packages=$(grep -v '^#' "$dir/packages" | paste -sd, -)

hash=$(hash_inputs "$SELF" "=$DEBIAN_ROOTFS" \
  "$dir/Dockerfile" "$dir/nginx.conf" "$dir/packages" "$dir/VERSION" | cut -c1-16)
image_fresh "$image" "$hash" && exit 0
built
start=$SECONDS
work=$OUT/lb
base=mini/lb-base:$hash
debian_rootfs "$work/rootfs.tar" "$packages"
docker import "$work/rootfs.tar" "$base" >/dev/null
rm -f "$work/rootfs.tar"
docker build --quiet --build-arg "BASE=$base" --label "$INPUTS_LABEL=$hash" -t "$image" "$dir" >/dev/null
# The base is an intermediate; the built image keeps its layers.
docker rmi "$base" >/dev/null 2>&1 || true
log "$image built in $((SECONDS - start))s ($(image_size "$image"))"
