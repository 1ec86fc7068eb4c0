#!/usr/bin/env bash
# build-registry-image.sh builds mini's registry image ($REGISTRY_IMAGE in
# images/versions.env) offline, from source:
#
#   images/registry (lean CNCF Distribution main, pinned by its go.mod/go.sum)
#     -> static binary /registry, version-stamped like upstream's Makefile
#     -> hack/tools/imagetar: one-layer docker-archive with /registry,
#        /etc/distribution/config.yml and the host's CA bundle
#     -> docker load
#
# No base image, no Dockerfile, no registry: Go modules and the local engine.
#
# Cached by inputs (hack/lib.sh): the archive under _output/registry/ is
# rebuilt only when a hash of every input changes (the versions, the module's
# files, config.yml, this script, the Go toolchain and target, imagetar's
# sources, the CA bundle); it is loaded only when the engine does not already
# hold the image ID recorded at the last load. With nothing changed the
# script says "up to date" and exits in about a second.
#
# Usage: hack/build-registry-image.sh [--force]   (--force ignores the stamps;
#        the Go build cache still applies)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

force=false
case ${1:-} in
  "") ;;
  --force) force=true ;;
  *) log "usage: $0 [--force]"; exit 2 ;;
esac

: "${REGISTRY_VERSION:?missing in images/versions.env}" "${REGISTRY_IMAGE:?missing in images/versions.env}"
image=$REGISTRY_IMAGE
mod=$MINI_ROOT/images/registry
work=$OUT/registry
tarball=$work/registry.tar
imagetar=$work/imagetar
# Trusted by Go's crypto/x509 at this path on Linux: lets a pull-through
# cache verify an https upstream. Optional: a host without it gets an image
# that can proxy plain-http upstreams only.
ca_bundle=/etc/ssl/certs/ca-certificates.crt

# Target the host's architecture, like the node parts.
{ read -r goarch; read -r goversion; } < <(go env GOARCH GOVERSION)
ldflags="-s -w -X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION"
# The binary leaves OpenTelemetry's autoexport at its default, an OTLP
# exporter to localhost:4318 that fails on every batch; upstream's image
# turns it off the same way.
otel_env=OTEL_TRACES_EXPORTER=none

mapfile -t imagetar_src < <(find "$MINI_ROOT/hack/tools/imagetar" -maxdepth 1 -name '*.go' ! -name '*_test.go' | LC_ALL=C sort)
imagetar_hash=$(hash_inputs "${imagetar_src[@]}" "=$(grep -m1 '^go ' "$MINI_ROOT/go.mod")" "=$goversion")
ca_input="=no CA bundle"
[ -r "$ca_bundle" ] && ca_input=$ca_bundle
hash=$(hash_inputs "$MINI_ROOT/hack/build-registry-image.sh" "$MINI_ROOT/hack/lib.sh" \
  "$mod/go.mod" "$mod/go.sum" "$mod/doc.go" "$mod/main.go" "$mod/config.yml" \
  "=$REGISTRY_VERSION" "=$image" "=$ldflags" "=$otel_env" "=$goversion" "=linux/$goarch" \
  "=$imagetar_hash" "$ca_input")

# The load stamp holds "HASH IMAGE-ID": the image is current when the engine
# still has that ID under the name (a rebuilt or retagged name has another).
loaded_id() { docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true; }
if ! $force && [ -f "$STAMPS/registry-image" ]; then
  read -r have_hash have_id <"$STAMPS/registry-image" || true
  if [ "$have_hash" = "$hash" ] && [ -n "${have_id:-}" ] && [ "$(loaded_id)" = "$have_id" ]; then
    log "$image is up to date (inputs ${hash:0:12})"
    exit 0
  fi
fi

start=$SECONDS
if $force || ! fresh registry-tar "$hash" "$tarball"; then
  # Drop the stamps first: a failed build must not look done.
  rm -f "$STAMPS/registry-tar" "$STAMPS/registry-image"
  mkdir -p "$work/rootfs"
  if $force || ! fresh registry-imagetar "$imagetar_hash" "$imagetar"; then
    log "building imagetar"
    (cd "$MINI_ROOT" && GOARCH= CGO_ENABLED=0 nice -n 10 go build -p 2 -trimpath -buildvcs=false \
      -o "$imagetar.tmp" ./hack/tools/imagetar)
    mv -f "$imagetar.tmp" "$imagetar"
    stamp registry-imagetar "$imagetar_hash"
  fi

  log "building registry $REGISTRY_VERSION ($goversion, linux/$goarch)"
  bin=$work/rootfs/registry
  (cd "$mod" && GOOS=linux GOARCH=$goarch CGO_ENABLED=0 nice -n 10 go build -p 2 \
    -trimpath -buildvcs=false -mod=readonly -ldflags "$ldflags" -o "$bin.tmp" .)
  mv -f "$bin.tmp" "$bin"
  # Proves the -X stamp took: without it the binary says v3.1.2+unknown.
  # Only a host-arch binary can run here, which is the only kind we build.
  got=$("$bin" --version)
  case $got in
    *" $REGISTRY_VERSION") ;;
    *) log "registry --version says \"$got\", want $REGISTRY_VERSION"; exit 1 ;;
  esac

  files=(--file "$bin:/registry:0755" --file "$mod/config.yml:/etc/distribution/config.yml:0644")
  if [ -r "$ca_bundle" ]; then
    files+=(--file "$ca_bundle:$ca_bundle:0644")
  else
    log "warning: no $ca_bundle on this host; the image cannot verify https upstreams"
  fi
  # /var/lib/registry is not in the layer (imagetar writes no empty
  # directories): the filesystem driver creates it on the first write, and
  # mini mounts a volume there anyway.
  "$imagetar" --name "$image" --arch "$goarch" \
    --entrypoint /registry --entrypoint serve --entrypoint /etc/distribution/config.yml \
    --env "$otel_env" "${files[@]}" -o "$tarball"
  stamp registry-tar "$hash"
  log "packed ${tarball#"$MINI_ROOT"/} in $((SECONDS - start))s (binary $(du -m "$bin" | cut -f1) MB)"
fi

docker load -i "$tarball" >/dev/null
id=$(loaded_id)
[ -n "$id" ] || { log "docker load did not produce $image"; exit 1; }
stamp registry-image "$hash $id"
log "loaded $image (${id:7:12}, $(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')) in $((SECONDS - start))s"
