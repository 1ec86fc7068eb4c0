#!/usr/bin/env bash
# build-mini-node.sh builds the multicall mini-node binary into
# _output/node/bin, skipping the build when no input changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

mod=$MINI_ROOT/images/node
bin=$OUT/node/bin/mini-node
major=${KUBERNETES_VERSION#v}; major=${major%%.*}
minor=${KUBERNETES_VERSION#v*.}; minor=${minor%%.*}
# Without the version stamp every component reports v0.0.0-master, and
# kubelet/apiserver skew checks misbehave.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
ldflags+=" -X main.kubernetesVersion=$KUBERNETES_VERSION -X main.revision=$NODE_IMAGE_REVISION"

hash=$(hash_inputs "$mod/go.mod" "$mod/go.sum" "$mod/cmd" "$mod/internal" "=$ldflags" "=$(go version)")
if fresh mini-node "$hash" "$bin"; then
  log "mini-node cached"
  exit 0
fi
mkdir -p "$(dirname "$bin")"
start=$SECONDS
# Static and cgo-free: kine's SQLite driver is pure Go (modernc), so the
# binary runs on any base and links in seconds.
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/mini-node)
stamp mini-node "$hash"
log "mini-node built in $((SECONDS - start))s ($(du -m "$bin" | cut -f1) MB)"
