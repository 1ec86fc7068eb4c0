#!/usr/bin/env bash
# build-registry-image.sh builds mini's registry image ($(default_image
# registry), lib.sh) offline, from source:
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
# files, config.yml, this script, the Go toolchain and target, imagetar, the
# CA bundle); it is loaded only when the engine's image under the name does
# not carry that hash as its input label (lib.sh's INPUTS_LABEL). FORCE=1 rebuilds (the Go
# build cache still applies).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

: "${REGISTRY_VERSION:?missing in images/versions.env}"
image=$(default_image registry)
mod=$MINI_ROOT/images/registry
work=$OUT/registry
tarball=$work/registry.tar
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
imagetar=$(imagetar)

ca_input="=no CA bundle"
[ -r "$ca_bundle" ] && ca_input=$ca_bundle
hash=$(hash_inputs "$SELF" "$mod/go.mod" "$mod/go.sum" "$mod/doc.go" "$mod/main.go" "$mod/config.yml" \
  "=$REGISTRY_VERSION" "=$image" "=$ldflags" "=$otel_env" "=$goversion" "=linux/$goarch" "=$GO_FLAGS" \
  "$imagetar" "$ca_input")

image_fresh "$image" "$hash" && exit 0

pack() {
  local bin=$work/rootfs/registry
  log "building registry $REGISTRY_VERSION ($goversion, linux/$goarch)"
  GOOS=linux GOARCH=$goarch go_build "$mod" "$bin" -ldflags "$ldflags" .
  # Proves the -X stamp took: without it the binary says v3.1.2+unknown.
  # Only a host-arch binary can run here, which is the only kind we build.
  local got
  got=$("$bin" --version)
  case $got in
    *" $REGISTRY_VERSION") ;;
    *) die "registry --version says \"$got\", want $REGISTRY_VERSION" ;;
  esac
  local files=(--file "$bin:/registry:0755" --file "$mod/config.yml:/etc/distribution/config.yml:0644")
  if [ -r "$ca_bundle" ]; then
    files+=(--file "$ca_bundle:$ca_bundle:0644")
  else
    log "warning: no $ca_bundle on this host; the image cannot verify https upstreams"
  fi
  # /var/lib/registry is not in the layer (imagetar writes no empty
  # directories): the filesystem driver creates it on the first write, and
  # mini mounts a volume there anyway. The label is the engine-side stamp.
  "$imagetar" --name "$image" --arch "$goarch" \
    --entrypoint /registry --entrypoint serve --entrypoint /etc/distribution/config.yml \
    --env "$otel_env" --label "$INPUTS_LABEL=$hash" "${files[@]}" -o "$tarball"
}

built
start=$SECONDS
artifact registry.tar "$hash" "$tarball" -- pack
docker load -i "$tarball" >/dev/null
[ "$(image_inputs "$image")" = "$hash" ] || die "docker load -i $tarball did not produce $image with inputs $hash"
log "loaded $image ($(image_size "$image")) in $((SECONDS - start))s"
