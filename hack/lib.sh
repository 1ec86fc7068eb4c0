# hack/lib.sh — shared helpers for mini's build scripts (sourced, not run).
#
# Builds are cached by their inputs: each artifact has a stamp file holding
# the sha256 of everything that goes into it. When the stamp matches and the
# output exists, the build step is skipped entirely — no compiler, no linker.

MINI_ROOT=${MINI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OUT=${OUT:-$MINI_ROOT/_output}
STAMPS=$OUT/stamps

log() { echo "$(basename "$0"): $*" >&2; }

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
# output exists.
fresh() {
  local name=$1 hash=$2; shift 2
  [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "$hash" ] || return 1
  for o in "$@"; do [ -e "$o" ] || return 1; done
}

stamp() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }
