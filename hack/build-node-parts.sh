#!/usr/bin/env bash
# build-node-parts.sh builds what the node image carries besides the node
# module's executables (build-mini-node.sh) and the Debian base:
#
#   _output/node/bin/runc    runc (cgo: nsexec's C code, libseccomp)
#   _output/node/images/     docker-archive tarballs of the images every node
#                            preloads (pause, coredns, metrics-server,
#                            local-path-provisioner, traefik, helper, testapp)
#
# Everything is pinned: versions come from images/versions.env, Go
# dependencies from the go.mod/go.sum of a small module per tool (under
# images/node/third_party/ and images/coredns/), the only other input being
# Debian's busybox-static package. traefik's module also carries patches for
# two dependencies the module proxy cannot serve (third_party/README.md).
# Each artifact is cached by its inputs through lib.sh's artifact.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

BIN_DIR=$OUT/node/bin
IMAGE_DIR=$OUT/node/images
WORK_DIR=$OUT/node/work
THIRD_PARTY=$MINI_ROOT/images/node/third_party
# Target the host's architecture, so arm64 build hosts make arm64 nodes.
{ read -r GOARCH; read -r GOVERSION; } < <(go env GOARCH GOVERSION)
export GOARCH GOOS=linux
IMAGETAR=$(imagetar)
# What every artifact's hash starts with.
RECIPE="$GOVERSION linux/$GOARCH $GO_FLAGS $(sha256sum "$SELF" | cut -c1-16)"

# Applets the helper image links to busybox: what local-path-provisioner's
# setup/teardown scripts and a debugging `kubectl exec` need. Not wget:
# Debian's static busybox wget crashes in pods (use testapp's /get instead).
HELPER_APPLETS=(
  sh ash cat chmod chown cp date df dirname du echo env false find grep head id
  ln ls mkdir mktemp mv printf pwd readlink rm rmdir sed sleep stat sync tail
  tee test touch true uname wc xargs "["
)

# runc needs cgo for its nsexec C code and links libseccomp, which the node
# base image ships; the Makefile's default libpathrs tag is dropped because
# it needs a Rust library.
build_runc() {
  CGO_ENABLED=1 go_build "$THIRD_PARTY/runc" "$BIN_DIR/runc" -tags "seccomp urfave_cli_no_docs" -ldflags "-s -w" \
    github.com/opencontainers/runc
  check_version "$BIN_DIR/runc" "runc version ${RUNC_VERSION#v}" --version
}

# go_image NAME REF DIR PKG LDFLAGS: an image whose only content is the
# static binary /NAME, its entrypoint.
go_image() {
  local name=$1 ref=$2 dir=$3 pkg=$4 ldflags=$5 bin=$WORK_DIR/rootfs/$1
  go_build "$dir" "$bin" -ldflags "-s -w $ldflags" "$pkg"
  "$IMAGETAR" --name "$ref" --arch "$GOARCH" --entrypoint "/$name" --file "$bin:/$name:0755" -o "$IMAGE_DIR/$name.tar"
}

# go_image_artifact NAME REF DIR PKG LDFLAGS INPUT...: go_image, cached.
go_image_artifact() {
  local hash
  hash=$(hash_inputs "=$RECIPE" "=$*" "$IMAGETAR" "${@:6}")
  artifact "$1.tar" "$hash" "$IMAGE_DIR/$1.tar" -- go_image "${@:1:5}"
}

# traefik: the ingress add-on. -X stamps `traefik version` and the startup
# log (traefik's own Makefile also sets Codename and BuildDate; a date would
# make the image change with every build). prepare.sh writes the patched
# dependency copies its go.mod replaces.
TRAEFIK_DIR=$THIRD_PARTY/traefik
TRAEFIK_PKG=github.com/traefik/traefik/v3
build_traefik() {
  bash "$TRAEFIK_DIR/prepare.sh"
  go_image traefik "$TRAEFIK_IMAGE" "$TRAEFIK_DIR" "$TRAEFIK_PKG/cmd/traefik" \
    "-X $TRAEFIK_PKG/pkg/version.Version=$TRAEFIK_VERSION"
  check_version "$WORK_DIR/rootfs/traefik" "$TRAEFIK_VERSION" version
}

# busybox_deb: path of Debian's busybox-static .deb, downloaded on first use.
# The downloaded file is the pin (its content is in the helper's hash):
# asking apt for the current candidate on every run would cost seconds.
# FORCE=1 fetches it again.
busybox_deb() {
  local dir=$WORK_DIR/debs deb
  [ "${FORCE:-}" != 1 ] || rm -rf "$dir"
  deb=$(find "$dir" -maxdepth 1 -name "busybox-static_*_$GOARCH.deb" 2>/dev/null | head -n1)
  if [[ -z $deb ]]; then
    mkdir -p "$dir"
    # As root, apt warns it cannot hand the file to its _apt sandbox user;
    # harmless, and apt verifies the download either way.
    (cd "$dir" && { apt-get download -q "busybox-static:$GOARCH" 2>&1 ||
      { as_root apt-get update >&2 && apt-get download -q "busybox-static:$GOARCH" 2>&1; }; } |
      grep -v unsandboxed >&2 || true)
    deb=$(find "$dir" -maxdepth 1 -name "busybox-static_*_$GOARCH.deb" | head -n1)
    [[ -n $deb ]] || die "apt-get download busybox-static produced no .deb"
  fi
  echo "$deb"
}

build_helper() {
  local deb=$1 dir=$WORK_DIR/helper args=() a
  rm -rf "$dir"
  mkdir -p "$dir"
  dpkg-deb -x "$deb" "$dir"
  [[ -x $dir/bin/busybox ]] || die "$deb has no /bin/busybox"
  args=(--file "$dir/bin/busybox:/bin/busybox:0755")
  for a in "${HELPER_APPLETS[@]}"; do
    args+=(--symlink "/bin/$a:busybox")
  done
  "$IMAGETAR" --name "$HELPER_IMAGE" --arch "$GOARCH" --entrypoint /bin/sh "${args[@]}" -o "$IMAGE_DIR/helper.tar"
}

mkdir -p "$BIN_DIR" "$IMAGE_DIR" "$WORK_DIR"
log "building into ${OUT#"$MINI_ROOT"/}/node ($GOVERSION, linux/$GOARCH)"

ensure_debs libseccomp-dev pkg-config
artifact runc "$(hash_inputs "=$RECIPE" "=$RUNC_VERSION" "$THIRD_PARTY/runc/go.mod" "$THIRD_PARTY/runc/go.sum" \
  "=libseccomp-dev $(dpkg-query -W -f='${Version}' libseccomp-dev)")" "$BIN_DIR/runc" -- build_runc

# pause, testapp and imagetar use only the standard library, so of the shared
# root go.mod (which other packages keep changing) only the go line counts.
go_line=$(grep -m1 '^go ' "$MINI_ROOT/go.mod")
mapfile -t src < <(go_sources "$MINI_ROOT/images/pause")
go_image_artifact pause "$PAUSE_IMAGE" "$MINI_ROOT" ./images/pause "" "=$go_line" "${src[@]}"
mapfile -t src < <(go_sources "$MINI_ROOT/images/testapp")
go_image_artifact testapp "$TESTAPP_IMAGE" "$MINI_ROOT" ./images/testapp "" "=$go_line" "${src[@]}"
# The add-ons require the node's versions of the modules they share with it
# (hack/buildtest's TestImageModulesUseTheNodesVersions), and build.sh runs
# this step beside mini-node's: so the one that shares least (traefik) goes
# first, and the one that shares most (metrics-server: apiserver,
# component-base) last, when mini-node has compiled those packages for it.
# traefik: every file of its tool module but prepare.sh's output.
mapfile -t src < <(find "$TRAEFIK_DIR" -path "$TRAEFIK_DIR/_patched*" -prune -o -type f -print | LC_ALL=C sort)
artifact traefik.tar "$(hash_inputs "=$RECIPE" "=$TRAEFIK_IMAGE $TRAEFIK_VERSION" "$IMAGETAR" "${src[@]}")" \
  "$IMAGE_DIR/traefik.tar" -- build_traefik
mapfile -t src < <(go_sources "$MINI_ROOT/images/coredns")
go_image_artifact coredns "$COREDNS_IMAGE" "$MINI_ROOT/images/coredns" . "" \
  "$MINI_ROOT/images/coredns/go.mod" "$MINI_ROOT/images/coredns/go.sum" "${src[@]}"
go_image_artifact local-path-provisioner "$LOCAL_PATH_IMAGE" "$THIRD_PARTY/local-path-provisioner" \
  github.com/rancher/local-path-provisioner "-X main.VERSION=$LOCAL_PATH_VERSION" \
  "$THIRD_PARTY/local-path-provisioner/go.mod" "$THIRD_PARTY/local-path-provisioner/go.sum"
go_image_artifact metrics-server "$METRICS_SERVER_IMAGE" "$THIRD_PARTY/metrics-server" \
  sigs.k8s.io/metrics-server/cmd/metrics-server "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
  "$THIRD_PARTY/metrics-server/go.mod" "$THIRD_PARTY/metrics-server/go.sum"
deb=$(busybox_deb)
artifact helper.tar "$(hash_inputs "=$RECIPE" "=$HELPER_IMAGE ${HELPER_APPLETS[*]}" "$IMAGETAR" "$deb")" \
  "$IMAGE_DIR/helper.tar" -- build_helper "$deb"
