#!/usr/bin/env bash
# build-node-image.sh assembles the mini node image from what the other
# steps of hack/build.sh (make node-image) made:
#   _output/node/base-ref   the Debian base image   build-node-base.sh
#   _output/node/bin        mini-node, the shim      build-mini-node.sh
#                           runc                     build-node-parts.sh
#   _output/node/images     preloaded image archives build-node-parts.sh
# into $(default_image node) (lib.sh), or $NODE_IMAGE. The image
# carries the hash of its inputs as a label; with nothing changed nothing runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

image=${NODE_IMAGE:-$(default_image node)}
[ -f "$OUT/node/base-ref" ] || die "no node base recorded in _output/node/base-ref: run hack/build.sh node-image"
base=$(<"$OUT/node/base-ref")
# The one binary's verbs: the node runs containerd through its link, users
# and tests run kubectl, ctr and crictl.
TOOLS=(kubectl containerd ctr crictl)

ctx=$OUT/node/context
rm -rf "$ctx"
mkdir -p "$ctx/bin" "$ctx/images"
for b in mini-node containerd-shim-runc-v2 runc; do
  [ -x "$OUT/node/bin/$b" ] || die "missing _output/node/bin/$b: run hack/build.sh node-image"
  cp -a "$OUT/node/bin/$b" "$ctx/bin/"
done
for t in "${TOOLS[@]}"; do ln -s mini-node "$ctx/bin/$t"; done
cp -a "$OUT/node/images/"*.tar "$ctx/images/"
# The index lets a booting node skip archives it imported before without
# hashing them (images/node/internal/agent/images.go).
(cd "$ctx/images" && sha256sum -- *.tar > images.sha256)
cp -a "$MINI_ROOT/images/node/rootfs" "$ctx/rootfs"

hash=$(hash_inputs "=$base" "$MINI_ROOT/images/node/Dockerfile" "$ctx/bin" "=${TOOLS[*]}" "$ctx/images" "$ctx/rootfs")
image_fresh "$image" "$hash" && exit 0
built
start=$SECONDS
DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$base" --label "$INPUTS_LABEL=$hash" \
  --label org.opencontainers.image.version="$KUBERNETES_VERSION-$NODE_IMAGE_REVISION" \
  -f "$MINI_ROOT/images/node/Dockerfile" -t "$image" "$ctx" >/dev/null
log "$image assembled in $((SECONDS - start))s, size $(image_size "$image")"
