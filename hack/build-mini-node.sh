#!/usr/bin/env bash
# build-mini-node.sh builds the node module's two executables into
# _output/node/bin:
#
#   mini-node                the node, kubectl, containerd, ctr and crictl
#   containerd-shim-runc-v2  containerd's runc shim (a separate process by
#                            design: one per pod, outliving containerd)
#
# Both come from images/node's go.mod, so containerd, crictl and Kubernetes
# share one module graph and one copy of gRPC, protobuf and client-go.
#
# crictl is published only as a main package, which Go cannot import. A build
# overlay adds its files to images/node/internal/crictl: each non-test Linux
# file of sigs.k8s.io/cri-tools/cmd/crictl, read from the checksum-verified
# module cache at the version go.mod requires, with "package main" made
# "package crictl" and "func main" renamed. Nothing of upstream's code is
# committed; the overlay lives under _output/ and is rewritten every build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$MINI_ROOT/images/versions.env"

mod=$MINI_ROOT/images/node
bindir=$OUT/node/bin
major=${KUBERNETES_VERSION#v}; major=${major%%.*}
minor=${KUBERNETES_VERSION#v*.}; minor=${minor%%.*}
# Without the version stamp every component reports v0.0.0-master, and
# kubelet/apiserver skew checks misbehave; containerd and crictl would say
# "unknown" in `version` output and in the CRI's runtime version.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
ldflags+=" -X main.kubernetesVersion=$KUBERNETES_VERSION -X main.revision=$NODE_IMAGE_REVISION"
ctd=github.com/containerd/containerd/v2
ldflags+=" -X $ctd/version.Version=$CONTAINERD_VERSION -X $ctd/version.Package=$ctd"
ldflags+=" -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRITOOLS_VERSION"
# containerd's own release tags: no btrfs or devmapper snapshotters (the node
# uses overlayfs), no man-page generators. mini_crictl selects the overlay.
tags="urfave_cli_no_docs no_btrfs no_devmapper"

# go.mod pins what versions.env names: one version, stated twice, checked.
check_pin() {
  local module=$1 want=$2 got
  got=$(cd "$mod" && go list -m -f '{{.Version}}' "$module")
  [ "$got" = "$want" ] || die "images/node/go.mod requires $module $got, images/versions.env says $want"
}
check_pin "$ctd" "$CONTAINERD_VERSION"
check_pin sigs.k8s.io/cri-tools "$CRITOOLS_VERSION"

# write_crictl_overlay DIR: the overlay's files and DIR/overlay.json.
write_crictl_overlay() {
  local dir=$1 src f base n replace=""
  # go mod download, not go list: on a fresh machine the module is not in
  # the cache yet, and go list reports no directory for it.
  src=$(cd "$mod" && go mod download -json sigs.k8s.io/cri-tools | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/cmd/crictl
  [ -d "$src" ] || die "crictl overlay: no $src (go mod download sigs.k8s.io/cri-tools failed)"
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in "$src"/*.go; do
    base=$(basename "$f")
    case $base in *_test.go | main_windows.go | main_freebsd.go) continue ;; esac
    # Any build constraint of upstream's is replaced by ours (main_unix.go's
    # "!windows && !freebsd" holds on linux anyway).
    { echo "//go:build mini_crictl"; echo
      sed -e '/^\/\/go:build /d' -e 's/^package main$/package crictl/' -e 's/^func main() {$/func upstreamMain() {/' "$f"
    } >"$dir/$base"
    grep -q '^package crictl$' "$dir/$base" || die "crictl overlay: $base has no 'package main' clause"
    replace+="${replace:+,}\"$mod/internal/crictl/upstream_$base\":\"$dir/$base\""
  done
  n=$(grep -l '^func upstreamMain() {$' "$dir"/*.go | wc -l)
  [ "$n" = 1 ] || die "crictl overlay: expected one func main in $src, renamed $n"
  grep -q '^func run() error {$' "$dir"/*.go || die "crictl overlay: $src has no 'func run() error' for internal/crictl to call"
  echo "{\"Replace\":{$replace}}" >"$dir/overlay.json"
}

# build: both executables, checked before they are renamed into place.
build() {
  local overlay=$OUT/node/crictl-overlay
  write_crictl_overlay "$overlay"
  # Static and cgo-free: kine's SQLite driver is pure Go (modernc), so the
  # binary runs on any base and links in seconds.
  go_build "$mod" "$bindir/mini-node.new" -tags "$tags mini_crictl" -overlay "$overlay/overlay.json" \
    -ldflags "$ldflags" ./cmd/mini-node
  # no_grpc: the shim speaks ttrpc only, which keeps it at a fifth the size.
  go_build "$mod" "$bindir/containerd-shim-runc-v2" -tags "$tags no_grpc" \
    -ldflags "-s -w -X $ctd/version.Version=$CONTAINERD_VERSION -X $ctd/version.Package=$ctd" \
    "$ctd/cmd/containerd-shim-runc-v2"
  # Prove the stamps and the overlay took: each verb reports its version.
  check_version "$bindir/mini-node.new" "$CONTAINERD_VERSION" containerd --version
  check_version "$bindir/mini-node.new" "$CONTAINERD_VERSION" ctr --version
  check_version "$bindir/mini-node.new" "$CRITOOLS_VERSION" crictl --version
  check_version "$bindir/mini-node.new" "$KUBERNETES_VERSION" kubectl version --client
  mv -f "$bindir/mini-node.new" "$bindir/mini-node"
  log "mini-node: $(du -m "$bindir/mini-node" | cut -f1) MB, shim $(du -m "$bindir/containerd-shim-runc-v2" | cut -f1) MB"
}

hash=$(hash_inputs "$SELF" "$mod/go.mod" "$mod/go.sum" "$mod/cmd" "$mod/internal" "=$ldflags" "=$tags" "=$GO_FLAGS" "=$(go version)")
artifact mini-node "$hash" "$bindir/mini-node" "$bindir/containerd-shim-runc-v2" -- build
