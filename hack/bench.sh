#!/usr/bin/env bash
# bench.sh runs mini's benchmarks on this machine and writes
# docs/benchmarks.md: the machine, then every number with its target.
# Targets are checked here, by measurement, never by timed test assertions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$MINI_ROOT"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
MINI_BENCH_OUT=$out go test -tags 'e2e bench' -count=1 -timeout 60m -v -run '^TestBench' ./tests/e2e/ >&2

machine=$(
  echo "- CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "- Memory: $(free -g | awk '/Mem:/{print $2}') GiB; kernel $(uname -r)"
  echo "- cgroups: $(if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo v2; else echo v1; fi)"
  echo "- Docker engine $(docker version --format '{{.Server.Version}}'), storage driver $(docker info --format '{{.Driver}}')"
  echo "- Date: $(date -u +%Y-%m-%d)"
)
go run ./hack/benchreport -machine "$machine" < "$out" > docs/benchmarks.md
log "wrote docs/benchmarks.md"
cat docs/benchmarks.md
