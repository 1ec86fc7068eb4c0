#!/usr/bin/env bash
# build-node-parts.sh builds everything the node image carries besides
# mini-node itself and the Debian base:
#
#   _output/node/bin/     containerd, containerd-shim-runc-v2, ctr, runc, crictl
#   _output/node/images/  docker-archive tarballs of the images every node
#                         preloads (pause, coredns, metrics-server,
#                         local-path-provisioner, traefik, helper, testapp)
#
# Everything is pinned: versions come from images/versions.env, Go
# dependencies from the go.mod/go.sum of a small module per tool (under
# images/node/third_party/ and images/coredns/), the only other input being
# Debian's busybox-static package. traefik's module also carries patches for
# two dependencies the module proxy cannot serve (third_party/README.md).
#
# Each artifact is cached by its inputs: a stamp file holds a sha256 of the
# versions, the Go toolchain, the build flags and the source files it is built
# from. When the stamp matches and the output exists the artifact is
# "cached" and nothing runs, so an unchanged tree costs about a second.
# FORCE=1 ignores the stamps (the Go build cache still applies).
#
# Builds run niced, one at a time, with at most 2 parallel compiles: the build
# machines are small and usually busy compiling Kubernetes too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../images/versions.env
source "$ROOT/images/versions.env"

OUT="$ROOT/_output/node"
BIN_DIR="$OUT/bin"
IMAGE_DIR="$OUT/images"
STAMP_DIR="$OUT/.stamps"
WORK_DIR="$OUT/.work"
THIRD_PARTY="images/node/third_party"

# Target the host's architecture, so arm64 build hosts make arm64 nodes.
{ read -r GOARCH; read -r GOVERSION; } < <(go env GOARCH GOVERSION)
export GOARCH GOOS=linux
# -buildvcs=false: VCS stamps would make binaries (and image digests) change
# with every commit of this repo, not with their inputs.
GO_BUILD=(nice -n 10 go build -p 2 -trimpath -buildvcs=false -mod=readonly)

log() { echo "build-node-parts: $*" >&2; }
die() { log "$*"; exit 1; }

# containerd's own static build tags (no btrfs/devmapper snapshotters, pure-Go
# user and DNS lookups), measured in docs/node-recipe.md.
CONTAINERD_TAGS="urfave_cli_no_docs no_btrfs no_devmapper osusergo netgo static_build"
CONTAINERD_PKG="github.com/containerd/containerd/v2"
CONTAINERD_LDFLAGS="-X $CONTAINERD_PKG/version.Version=$CONTAINERD_VERSION -X $CONTAINERD_PKG/version.Package=$CONTAINERD_PKG"

# Applets the helper image links to busybox: what local-path-provisioner's
# setup/teardown scripts and a debugging `kubectl exec` need. Not wget:
# Debian's static busybox wget crashes in pods (use testapp's /get instead).
HELPER_APPLETS=(
  sh ash cat chmod chown cp date df dirname du echo env false find grep head id
  ln ls mkdir mktemp mv printf pwd readlink rm rmdir sed sleep stat sync tail
  tee test touch true uname wc xargs "["
)

# inputs_key RECIPE FILE...: sha256 over a recipe string (versions, flags,
# toolchain) and the content of each file, named relative to the repo.
inputs_key() {
  local recipe=$1
  shift
  {
    printf '%s\n' "$recipe" "$GOVERSION" "$GOARCH"
    if (($#)); then (cd "$ROOT" && sha256sum -- "$@"); fi
  } | sha256sum | cut -d' ' -f1
}

# go_sources DIR: the non-test Go files of one package directory.
go_sources() {
  (cd "$ROOT" && find "$1" -maxdepth 1 -name '*.go' ! -name '*_test.go' | LC_ALL=C sort)
}

# root_go_line: pause, testapp and imagetar use only the standard library, so
# of the shared root go.mod (which other packages keep changing) only its
# language version matters to them.
root_go_line() { grep -m1 '^go ' "$ROOT/go.mod"; }

# artifact NAME OUTPUT KEY CMD...: run CMD unless NAME's stamp holds KEY and
# OUTPUT exists, then print NAME's summary line.
artifact() {
  local name=$1 output=$2 key=$3
  shift 3
  local stamp="$STAMP_DIR/$name.sha256" start=$EPOCHREALTIME state=cached
  if [[ ${FORCE:-} == 1 || ! -e $output || ! -f $stamp || $(<"$stamp") != "$key" ]]; then
    state=built
    # Drop the stamp first: a failed or interrupted build must not look done.
    rm -f "$stamp"
    "$@"
    mkdir -p "$STAMP_DIR"
    echo "$key" >"$stamp"
  fi
  # Shell arithmetic, not awk/numfmt: forks dominate a fully cached run.
  local size ms
  size=$(stat -c %s "$output")
  ms=$(((${EPOCHREALTIME/./} - ${start/./}) / 1000))
  printf '  %-28s %5d.%dMB  %-6s %5d.%ds\n' "$name" $((size / 1048576)) $((size % 1048576 * 10 / 1048576)) \
    "$state" $((ms / 1000)) $((ms % 1000 / 100)) >&2
}

# build_go DIR OUT CGO TAGS LDFLAGS PKG: one `go build` inside module DIR,
# written atomically so a half-written binary never passes for a good one.
build_go() {
  local dir=$1 out=$2 cgo=$3 tags=$4 ldflags=$5 pkg=$6
  mkdir -p "$(dirname "$out")"
  (cd "$ROOT/$dir" && CGO_ENABLED=$cgo "${GO_BUILD[@]}" -tags "$tags" -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg")
  mv -f "$out.tmp" "$out"
}

# check_version BIN WANT ARGS...: fail unless `BIN ARGS` prints WANT, which
# proves the version-stamping ldflags took effect.
check_version() {
  local bin=$1 want=$2 got
  shift 2
  got=$("$bin" "$@" 2>&1) || die "$bin $*: $got"
  [[ $got == *"$want"* ]] || die "$(basename "$bin") reports \"$got\", want $want"
}

# go_binary NAME DIR CGO TAGS LDFLAGS PKG WANT VERSION_FLAG [EXTRA_KEY]: a
# node binary from a pinned tool module; `NAME VERSION_FLAG` must print WANT.
# EXTRA_KEY names inputs outside Go (e.g. the C library runc links).
go_binary() {
  local name=$1 dir=$2 cgo=$3 tags=$4 ldflags=$5 pkg=$6 extra_key=${9:-}
  local key
  key=$(inputs_key "bin $name $cgo $tags $ldflags $pkg $extra_key" "$dir/go.mod" "$dir/go.sum")
  artifact "$name" "$BIN_DIR/$name" "$key" build_binary "${@:1:8}"
}

build_binary() {
  local name=$1 dir=$2 cgo=$3 tags=$4 ldflags=$5 pkg=$6 want=$7 version_flag=$8
  build_go "$dir" "$BIN_DIR/$name" "$cgo" "$tags" "$ldflags" "$pkg"
  check_version "$BIN_DIR/$name" "$want" "$version_flag"
}

# as_root CMD...: run CMD as root, through sudo when needed.
as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi
}

# ensure_debs PKG...: install missing Debian packages (build dependencies).
ensure_debs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]}"
  # A fresh machine may have no package lists yet: update once and retry.
  as_root apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { as_root apt-get update >&2 && as_root apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
}

# imagetar: our docker-archive writer, itself cached like any artifact.
IMAGETAR="$WORK_DIR/imagetar"
mapfile -t IMAGETAR_SRC < <(go_sources hack/tools/imagetar)
IMAGETAR_KEY=$(inputs_key "imagetar $(root_go_line)" "${IMAGETAR_SRC[@]}")
build_imagetar() {
  mkdir -p "$WORK_DIR"
  # Built for the host, whatever the target.
  (cd "$ROOT" && GOARCH= CGO_ENABLED=0 "${GO_BUILD[@]}" -o "$IMAGETAR.tmp" ./hack/tools/imagetar)
  mv -f "$IMAGETAR.tmp" "$IMAGETAR"
}

# go_image NAME REF DIR PKG LDFLAGS SRC...: an image whose only content is
# the static binary /NAME, its entrypoint.
go_image() {
  local name=$1 ref=$2 dir=$3 pkg=$4 ldflags=$5
  shift 5
  local key
  key=$(inputs_key "image $name $ref $pkg $ldflags $IMAGETAR_KEY" "$@")
  artifact "$name.tar" "$IMAGE_DIR/$name.tar" "$key" build_go_image "$name" "$ref" "$dir" "$pkg" "$ldflags"
}

build_go_image() {
  local name=$1 ref=$2 dir=$3 pkg=$4 ldflags=$5
  local bin="$WORK_DIR/rootfs/$name"
  build_go "$dir" "$bin" 0 "" "$ldflags" "$pkg"
  "$IMAGETAR" --name "$ref" --arch "$GOARCH" --entrypoint "/$name" --file "$bin:/$name:0755" -o "$IMAGE_DIR/$name.tar"
}

# traefik: the ingress add-on. -X stamps `traefik version` and the startup
# log (traefik's own Makefile also sets Codename and BuildDate; a date would
# make the image change with every build). The tool module's prepare.sh
# writes the patched dependency copies its go.mod replaces, so the image's
# inputs are every file of that directory except prepare.sh's output.
TRAEFIK_DIR="$THIRD_PARTY/traefik"
TRAEFIK_PKG=github.com/traefik/traefik/v3
TRAEFIK_LDFLAGS="-X $TRAEFIK_PKG/pkg/version.Version=$TRAEFIK_VERSION"

build_traefik() {
  local bin="$WORK_DIR/rootfs/traefik"
  bash "$ROOT/$TRAEFIK_DIR/prepare.sh"
  build_go "$TRAEFIK_DIR" "$bin" 0 "" "$TRAEFIK_LDFLAGS" "$TRAEFIK_PKG/cmd/traefik"
  check_version "$bin" "$TRAEFIK_VERSION" version
  "$IMAGETAR" --name "$TRAEFIK_IMAGE" --arch "$GOARCH" --entrypoint /traefik \
    --file "$bin:/traefik:0755" -o "$IMAGE_DIR/traefik.tar"
}

# busybox_deb: path of Debian's busybox-static .deb, downloaded on first use.
# The downloaded file is the pin (its content is in the helper's key): asking
# apt for the current candidate on every run would cost seconds. FORCE=1
# fetches it again.
busybox_deb() {
  local dir="$WORK_DIR/debs" deb
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
  echo "${deb#"$ROOT"/}"
}

build_helper() {
  local deb="$ROOT/$1" dir="$WORK_DIR/helper" args=() a
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

main() {
  mkdir -p "$BIN_DIR" "$IMAGE_DIR" "$STAMP_DIR" "$WORK_DIR"
  log "building into ${OUT#"$ROOT"/} ($GOVERSION, linux/$GOARCH)"

  # Node binaries.
  local ct="$THIRD_PARTY/containerd"
  go_binary containerd "$ct" 0 "$CONTAINERD_TAGS" "$CONTAINERD_LDFLAGS" \
    "$CONTAINERD_PKG/cmd/containerd" "$CONTAINERD_VERSION" --version
  go_binary ctr "$ct" 0 "$CONTAINERD_TAGS" "$CONTAINERD_LDFLAGS" \
    "$CONTAINERD_PKG/cmd/ctr" "$CONTAINERD_VERSION" --version
  # no_grpc: the shim speaks ttrpc only, which keeps it at a fifth the size.
  go_binary containerd-shim-runc-v2 "$ct" 0 "$CONTAINERD_TAGS no_grpc" "$CONTAINERD_LDFLAGS" \
    "$CONTAINERD_PKG/cmd/containerd-shim-runc-v2" "$CONTAINERD_VERSION" -v
  # runc needs cgo for its nsexec C code and links libseccomp, which the node
  # base image ships; the Makefile's default libpathrs tag is dropped because
  # it needs a Rust library.
  ensure_debs libseccomp-dev pkg-config
  go_binary runc "$THIRD_PARTY/runc" 1 "seccomp urfave_cli_no_docs" "" \
    github.com/opencontainers/runc "runc version ${RUNC_VERSION#v}" --version \
    "libseccomp-dev=$(dpkg-query -W -f='${Version}' libseccomp-dev)"
  go_binary crictl "$THIRD_PARTY/cri-tools" 0 "" \
    "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRITOOLS_VERSION" \
    sigs.k8s.io/cri-tools/cmd/crictl "$CRITOOLS_VERSION" --version

  # Images.
  artifact imagetar "$IMAGETAR" "$IMAGETAR_KEY" build_imagetar
  local src
  mapfile -t src < <(go_sources images/pause)
  go_image pause "$PAUSE_IMAGE" . ./images/pause "" "${src[@]}"
  mapfile -t src < <(go_sources images/testapp)
  go_image testapp "$TESTAPP_IMAGE" . ./images/testapp "" "${src[@]}"
  mapfile -t src < <(go_sources images/coredns)
  go_image coredns "$COREDNS_IMAGE" images/coredns . "" \
    images/coredns/go.mod images/coredns/go.sum "${src[@]}"
  go_image metrics-server "$METRICS_SERVER_IMAGE" "$THIRD_PARTY/metrics-server" \
    sigs.k8s.io/metrics-server/cmd/metrics-server \
    "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
    "$THIRD_PARTY/metrics-server/go.mod" "$THIRD_PARTY/metrics-server/go.sum"
  go_image local-path-provisioner "$LOCAL_PATH_IMAGE" "$THIRD_PARTY/local-path-provisioner" \
    github.com/rancher/local-path-provisioner "-X main.VERSION=$LOCAL_PATH_VERSION" \
    "$THIRD_PARTY/local-path-provisioner/go.mod" "$THIRD_PARTY/local-path-provisioner/go.sum"
  # Every file of the tool module but prepare.sh's output.
  mapfile -t src < <(cd "$ROOT" &&
    find "$TRAEFIK_DIR" -path "$TRAEFIK_DIR/_patched*" -prune -o -type f -print | LC_ALL=C sort)
  artifact traefik.tar "$IMAGE_DIR/traefik.tar" \
    "$(inputs_key "image traefik $TRAEFIK_IMAGE $TRAEFIK_PKG $TRAEFIK_LDFLAGS $IMAGETAR_KEY" "${src[@]}")" \
    build_traefik
  local deb
  [[ ${FORCE:-} != 1 ]] || rm -rf "$WORK_DIR/debs"
  deb=$(busybox_deb)
  artifact helper.tar "$IMAGE_DIR/helper.tar" \
    "$(inputs_key "image helper $HELPER_IMAGE ${HELPER_APPLETS[*]} $IMAGETAR_KEY" "$deb")" \
    build_helper "$deb"
}

main "$@"
