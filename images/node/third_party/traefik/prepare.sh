#!/usr/bin/env bash
# prepare.sh writes _patched/ (not committed): local copies of two traefik
# dependencies that go.mod replaces, because the Go module proxy mini builds
# from cannot serve them as traefik's own go.mod asks:
#
#   _patched/lego          github.com/go-acme/lego/v5 at the version traefik
#                          requires, without its DNS-01 provider packages: a
#                          dozen of their SDK modules are not on the proxy.
#                          _patches/lego-zz_gen_dns_providers.go replaces the
#                          registry that imported them all.
#   _patched/go-http-auth  github.com/abbot/go-http-auth v0.4.0 plus what
#                          traefik's fork (github.com/containous/go-http-auth,
#                          not on the proxy) adds and traefik calls:
#                          _patches/go-http-auth-traefik_fork.go.
#
# Both are built from module zips in the Go module cache (downloaded through
# the proxy on first use, checked against the proxy's checksum database like
# any module) plus the files under _patches/, so the output depends only on
# committed inputs. A stamp skips the work when those did not change.
# Run it before any go command in this directory; hack/build-node-parts.sh
# does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

GO_HTTP_AUTH_VERSION=v0.4.0 # upstream's only tag; traefik's fork is untagged

# The traefik version is go.mod's, whichever require form tidy wrote.
traefik=$(awk '$1 == "github.com/traefik/traefik/v3" { print $2 } $2 == "github.com/traefik/traefik/v3" { print $3 }' go.mod)
[[ -n $traefik ]] || { echo "prepare.sh: go.mod does not require github.com/traefik/traefik/v3" >&2; exit 1; }

stamp=_patched/.inputs
key=$(printf '%s\n' "$traefik" "$GO_HTTP_AUTH_VERSION" "$(sha256sum prepare.sh _patches/*)")
if [[ -f $stamp && $(<"$stamp") == "$key" && -d _patched/lego && -d _patched/go-http-auth ]]; then
  exit 0
fi

# module_dir MODULE@VERSION: the module's directory in the module cache,
# downloading it first if needed. Run outside this module, whose go.mod
# cannot load before _patched/ exists.
module_dir() {
  (cd / && GOFLAGS=-mod=mod go mod download -json "$1") |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}
# module_gomod MODULE@VERSION: path of the module's go.mod in the cache.
module_gomod() {
  (cd / && GOFLAGS=-mod=mod go mod download -json "$1") |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p'
}

# copy_module SRC DST: a writable copy of a module cache directory.
copy_module() {
  rm -rf "$2"
  mkdir -p "$(dirname "$2")"
  cp -r --no-preserve=mode "$1" "$2"
}

rm -rf _patched.tmp
mkdir -p _patched.tmp

# lego, at the version traefik's go.mod requires.
lego=$(awk '$1 == "github.com/go-acme/lego/v5" { print $2 }' "$(module_gomod "github.com/traefik/traefik/v3@$traefik")")
[[ -n $lego ]] || { echo "prepare.sh: traefik $traefik does not require github.com/go-acme/lego/v5" >&2; exit 1; }
src=$(module_dir "github.com/go-acme/lego/v5@$lego")
[[ -f $src/providers/dns/zz_gen_dns_providers.go ]] || {
  echo "prepare.sh: lego $lego has no providers/dns/zz_gen_dns_providers.go; revisit _patches/" >&2
  exit 1
}
copy_module "$src" _patched.tmp/lego
# The provider packages, and lego's own command and end-to-end tests that
# import them.
find _patched.tmp/lego/providers/dns -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
rm -rf _patched.tmp/lego/cmd _patched.tmp/lego/e2e _patched.tmp/lego/main.go \
  _patched.tmp/lego/providers/dns/*_test.go
cp _patches/lego-zz_gen_dns_providers.go _patched.tmp/lego/providers/dns/zz_gen_dns_providers.go

# go-http-auth v0.4.0 predates modules: it gets a go.mod, and its
# dependencies (x/crypto, x/net) are required by this module's go.mod.
src=$(module_dir "github.com/abbot/go-http-auth@$GO_HTTP_AUTH_VERSION")
copy_module "$src" _patched.tmp/go-http-auth
rm -rf _patched.tmp/go-http-auth/examples
printf 'module github.com/abbot/go-http-auth\n\ngo 1.17\n' >_patched.tmp/go-http-auth/go.mod
digest=_patched.tmp/go-http-auth/digest.go
old='func (a \*DigestAuth) RequireAuth('
[[ $(grep -c "^$old" "$digest") == 1 ]] || {
  echo "prepare.sh: go-http-auth $GO_HTTP_AUTH_VERSION digest.go has no single DigestAuth.RequireAuth to rename" >&2
  exit 1
}
sed -i "s/^$old/func (a *DigestAuth) requireAuthUnlocked(/" "$digest"
cp _patches/go-http-auth-traefik_fork.go _patched.tmp/go-http-auth/traefik_fork.go
# v0.4.0 predates today's gofmt; formatted, the copy passes `make lint`
# (gofmt -l over the whole tree), and formatting changes no code.
gofmt -w _patched.tmp/go-http-auth

echo "$key" >_patched.tmp/.inputs
rm -rf _patched
mv _patched.tmp _patched
