# hack/lib.sh — the one build mechanism of mini's hack/ scripts (sourced,
# not run).
#
# Every artifact (binary, archive, image) is cached by its inputs: a stamp
# file under _output/stamps holds a sha256 of everything that goes into it.
# When the stamp matches and the outputs exist nothing runs. The stamp is
# removed before a build starts and written only after it succeeded, and
# outputs are written under a temporary name and renamed into place, so an
# interrupted build never leaves something a later build takes for done.
#
# hack/build.sh runs the scripts as steps (one line each, verbose output in
# _output/logs/STEP.log); run alone, a script logs to stderr.

MINI_ROOT=${MINI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OUT=${OUT:-$MINI_ROOT/_output}
STAMPS=$OUT/stamps

log() { echo "$(basename "$0" .sh): $*" >&2; }
die() { log "$*"; exit 1; }
# SELF is the running script by its absolute path, for input hashes.
SELF=$MINI_ROOT/hack/$(basename "$0")

# GO_FLAGS are the flags of every go build, test and vet in this repo (the
# Makefile exports the same as GOFLAGS, with CGO_ENABLED=0): one set of
# flags means one set of compiled packages in Go's cache, so tests after an
# image build (or the other way round) compile nothing again. -buildvcs=false
# keeps binaries, and so image digests, from changing with every commit.
# -dwarf=false: the compiler writes no debug information, which every image
# binary strips at link anyway (-s -w); it cuts a cold compile's CPU time by
# 13 % (farm-bench, client-go's core/v1 client from an empty cache, median
# of 3 pairs). Stack traces are unaffected; for a debugger, build with
# GOFLAGS= (docs/node-image.md, "Building").
GO_FLAGS="-trimpath -buildvcs=false -mod=readonly -gcflags=all=-dwarf=false"
export CGO_ENABLED=${CGO_ENABLED:-0}

# default_image node|lb|registry prints the reference mini runs by default
# (pkg/version's Images, tested against the same sources): what `make
# images` tags its images as.
default_image() {
  local IMAGE_REPOSITORY NODE_IMAGE_NAME KUBERNETES_VERSION NODE_IMAGE_REVISION LB_IMAGE_NAME REGISTRY_IMAGE_NAME REGISTRY_IMAGE_TAG
  . "$MINI_ROOT/images/versions.env"
  case $1 in
  node) echo "$IMAGE_REPOSITORY/$NODE_IMAGE_NAME:$KUBERNETES_VERSION-$NODE_IMAGE_REVISION" ;;
  lb) echo "$IMAGE_REPOSITORY/$LB_IMAGE_NAME:$(tr -d '[:space:]' <"$MINI_ROOT/images/lb/VERSION")" ;;
  registry) echo "$IMAGE_REPOSITORY/$REGISTRY_IMAGE_NAME:$REGISTRY_IMAGE_TAG" ;;
  *) die "default_image: no image $1" ;;
  esac
}

# hash_inputs prints one sha256 over files (paths, sorted), directories
# (every file below, excluding _test.go) and literal strings given as =STRING.
hash_inputs() {
  {
    for a in "$@"; do
      case $a in
        =*) echo "${a#=}" ;;
        *)
          if [ -d "$a" ]; then
            find "$a" -type f ! -name '*_test.go' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
          else
            sha256sum "$a"
          fi ;;
      esac
    done
  } | sed "s|$MINI_ROOT/||" | sha256sum | cut -d' ' -f1
}

# fresh NAME HASH OUTPUT... succeeds when NAME's stamp equals HASH and every
# output exists. FORCE=1 makes nothing fresh (Go's build cache still applies).
fresh() {
  local name=$1 hash=$2; shift 2
  [ "${FORCE:-}" != 1 ] || return 1
  [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "$hash" ] || return 1
  for o in "$@"; do [ -e "$o" ] || return 1; done
}

stamp() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

# clock MICROSECONDS: a duration as 4.2s or 3m05s.
clock() {
  local ms=$(($1 / 1000))
  if ((ms < 60000)); then printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
  else printf '%dm%02ds' $((ms / 60000)) $((ms / 1000 % 60)); fi
}

# step_line STEP TEXT: one line of hack/build.sh's report, stamped with the
# time since the build started (MINI_BUILD_T0, an EPOCHREALTIME).
step_line() {
  local t0=${MINI_BUILD_T0:-$EPOCHREALTIME}
  printf '[%6s] %-15s %s\n' "$(clock $((${EPOCHREALTIME/./} - ${t0/./})))" "$1" "$2"
}

# built tells hack/build.sh that this step found work to do (it reports
# "cached" otherwise), and shows the step's "building" line once, on the
# terminal build.sh hands over as fd 3. "built --after" (for a step that
# knows only at its end) records it without the line.
built() {
  [ -n "${MINI_STEP_STATUS:-}" ] && [ ! -f "$MINI_STEP_STATUS" ] || return 0
  echo built >"$MINI_STEP_STATUS"
  [ "${1:-}" != --after ] || return 0
  { step_line "$MINI_STEP" "building  ${MINI_STEP_EXPECT:-}" >&3; } 2>/dev/null || true
}

# artifact NAME HASH OUTPUT... -- CMD...: run CMD unless NAME is fresh, then
# stamp it. CMD must write each OUTPUT atomically (go_build and imagetar do).
artifact() {
  local name=$1 hash=$2; shift 2
  local outputs=()
  while [ "$1" != -- ]; do outputs+=("$1"); shift; done
  shift
  if fresh "$name" "$hash" "${outputs[@]}"; then
    log "$name cached"
    return 0
  fi
  rm -f "$STAMPS/$name"
  built
  local start=$SECONDS
  "$@"
  for o in "${outputs[@]}"; do [ -e "$o" ] || die "$name: built, but $o is missing"; done
  stamp "$name" "$hash"
  log "$name built in $((SECONDS - start))s"
}

# go_build DIR OUTPUT ARGS...: go build ARGS (package last) inside module DIR
# with GO_FLAGS, written atomically. The temporary name is this process's
# own: two steps running side by side may build the same tool (imagetar).
# Niced: the build shares two cores with whatever else the machine does.
go_build() {
  local dir=$1 out=$2; shift 2
  local tmp=$out.tmp.$BASHPID
  mkdir -p "$(dirname "$out")"
  (cd "$dir" && nice -n 10 go build $GO_FLAGS -o "$tmp" "$@") || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$out"
}

# go_sources DIR: the non-test Go files of one package directory.
go_sources() { find "$1" -maxdepth 1 -name '*.go' ! -name '*_test.go' | LC_ALL=C sort; }

# check_version BIN WANT ARGS...: fail unless `BIN ARGS` prints WANT, which
# proves the version-stamping ldflags took effect.
check_version() {
  local bin=$1 want=$2 got
  shift 2
  got=$("$bin" "$@" 2>&1) || die "$(basename "$bin") $*: $got"
  [[ $got == *"$want"* ]] || die "$(basename "$bin") $* says \"$got\", want $want"
}

# imagetar: our docker-archive writer, built once for the build host and
# shared by every script that packs an image. Prints its path.
imagetar() {
  local bin=$OUT/tools/imagetar hash src
  mapfile -t src < <(go_sources "$MINI_ROOT/hack/tools/imagetar")
  # Standard library only: of the shared root go.mod only the go line counts.
  hash=$(hash_inputs "${src[@]}" "=$(grep -m1 '^go ' "$MINI_ROOT/go.mod")" "=$(go version)" "=$GO_FLAGS")
  GOARCH= artifact imagetar "$hash" "$bin" -- go_build "$MINI_ROOT" "$bin" ./hack/tools/imagetar >&2
  echo "$bin"
}

# apt_sources: the host's own apt sources; the build uses whatever mirror
# this machine is set up for and names none itself.
apt_sources() {
  local s=${MINI_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
  [ -r "$s" ] || s=/etc/apt/sources.list
  [ -r "$s" ] || die "no readable apt sources file; set MINI_APT_SOURCES"
  echo "$s"
}

# as_root CMD...: run CMD as root, through sudo when needed.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
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
  { as_root apt-get install -y --no-install-recommends "${missing[@]}" ||
    { as_root apt-get update && as_root apt-get install -y --no-install-recommends "${missing[@]}"; }; } >&2
}

# ensure_mmdebstrap installs mmdebstrap when missing.
ensure_mmdebstrap() { command -v mmdebstrap >/dev/null || ensure_debs mmdebstrap; }

# DEBIAN_SUITE is the one Debian release under the node and the load balancer.
DEBIAN_SUITE=bookworm

# Perl: essential to Debian's own maintainer scripts, and pulled in by
# usrmerge (init-system-helpers' first choice while mmdebstrap installs the
# essential set), but never run in an image that installs no packages: 54 MB.
DEBIAN_PURGE="usrmerge perl perl-modules-5.36 libperl5.36 libfile-find-rule-perl libnumber-compare-perl \
libtext-glob-perl perl-base"

# debian_rootfs TARBALL PACKAGES [HOOK...]: the one Debian bootstrap of the
# images (node base, load balancer): Debian's essential set plus PACKAGES
# (comma-separated) and what they depend on, without docs, man pages,
# locales or gconv's character sets, written atomically to TARBALL. No apt
# (mmdebstrap installs from outside): the images never install a package,
# and apt alone pulls in 20 MB of GnuTLS, libstdc++ and friends. Each HOOK
# is an mmdebstrap customize hook. An image's input hash includes
# DEBIAN_ROOTFS, this recipe.
debian_rootfs() {
  local tarball=$1 packages=$2 hooks=() h
  shift 2
  for h in "$@"; do hooks+=(--customize-hook="$h"); done
  ensure_mmdebstrap
  mkdir -p "$(dirname "$tarball")"
  mmdebstrap --variant=essential --format=tar --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/lib/*/gconv/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="chroot \"\$1\" dpkg --purge --force-depends --force-remove-essential $DEBIAN_PURGE >/dev/null" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
    "${hooks[@]}" "$DEBIAN_SUITE" "$tarball.tmp" "$(apt_sources)" >&2
  mv -f "$tarball.tmp" "$tarball"
}
DEBIAN_ROOTFS="$(declare -f debian_rootfs) $DEBIAN_PURGE $DEBIAN_SUITE"

# INPUTS_LABEL holds an image's input hash. Images carry it, so the engine
# itself is their stamp: a removed or replaced image is rebuilt.
INPUTS_LABEL=dev.mini.inputs

# image_inputs IMAGE: the input hash IMAGE was built from, empty when the
# engine has no such image.
image_inputs() {
  docker image inspect -f "{{index .Config.Labels \"$INPUTS_LABEL\"}}" "$1" 2>/dev/null || true
}

# image_fresh IMAGE HASH succeeds when the engine holds IMAGE built from
# HASH (and FORCE=1 is not set), logging that it is cached.
image_fresh() {
  [ "${FORCE:-}" != 1 ] && [ "$(image_inputs "$1")" = "$2" ] || return 1
  log "$1 cached"
}

# image_size IMAGE: its size in MB, for log lines.
image_size() {
  docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1e6}'
}
