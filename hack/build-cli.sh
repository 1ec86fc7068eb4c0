#!/usr/bin/env bash
# build-cli.sh builds the mini CLI into bin/mini, its version stamped from
# git (VERSION overrides). Go's build cache makes an unchanged tree a
# relink-free second; the step reports "cached" when bin/mini did not change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${VERSION:-$(git -C "$MINI_ROOT" describe --tags --always --dirty 2>/dev/null || echo dev)}
bin=$MINI_ROOT/bin/mini
before=$(sha256sum "$bin" 2>/dev/null || true)
# The image repository is stamped from images/versions.env, the one place
# that names it (pkg/version's default is tested to agree).
repo=$(. "$MINI_ROOT/images/versions.env" && echo "$IMAGE_REPOSITORY")
go_build "$MINI_ROOT" "$bin" -ldflags "-s -w -X github.com/minictl/mini/pkg/version.Version=$version -X github.com/minictl/mini/pkg/version.ImageRepository=$repo" ./cmd/mini
[ "$(sha256sum "$bin")" = "$before" ] || built --after
log "bin/mini $version"
