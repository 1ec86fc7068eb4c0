#!/usr/bin/env bash
# build-node-image.sh builds the mini node image offline:
#   Debian base rootfs (mmdebstrap → docker import)        build-node-base.sh
#   mini-node multicall binary                              build-mini-node.sh
#   containerd, runc, crictl and preloaded image archives   build-node-parts.sh
# then assembles them into $NODE_IMAGE_REPO:$KUBERNETES_VERSION-$NODE_IMAGE_REVISION.
# Every step is cached by its inputs; with nothing changed it takes seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

image=${NODE_IMAGE:-$NODE_IMAGE_REPO:$KUBERNETES_VERSION-$NODE_IMAGE_REVISION}
total=$SECONDS
bash "$MINI_ROOT/hack/ensure-docker.sh"
base=$(bash "$MINI_ROOT/hack/build-node-base.sh")
bash "$MINI_ROOT/hack/build-mini-node.sh"
bash "$MINI_ROOT/hack/build-node-parts.sh"

ctx=$OUT/node/context
rm -rf "$ctx"
mkdir -p "$ctx/bin" "$ctx/images"
cp -a "$OUT/node/bin/." "$ctx/bin/"
ln -sf mini-node "$ctx/bin/kubectl"
cp -a "$OUT/node/images/"*.tar "$ctx/images/"
# The index lets a booting node skip archives it imported before without
# hashing them (images/node/internal/agent/images.go).
(cd "$ctx/images" && sha256sum -- *.tar > images.sha256)
cp -a "$MINI_ROOT/images/node/rootfs" "$ctx/rootfs"

hash=$(hash_inputs "=$base" "$MINI_ROOT/images/node/Dockerfile" "$ctx/bin" "$ctx/images" "$ctx/rootfs")
if [ "$(docker image inspect -f '{{index .Config.Labels "dev.mini.inputs"}}' "$image" 2>/dev/null)" = "$hash" ]; then
  log "$image up to date (${SECONDS}s)"
  exit 0
fi
start=$SECONDS
DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$base" --label dev.mini.inputs="$hash" \
  --label org.opencontainers.image.version="$KUBERNETES_VERSION-$NODE_IMAGE_REVISION" \
  -f "$MINI_ROOT/images/node/Dockerfile" -t "$image" "$ctx" >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')
log "$image assembled in $((SECONDS - start))s, total $((SECONDS - total))s, size $size"
