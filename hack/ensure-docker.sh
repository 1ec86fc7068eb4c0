#!/usr/bin/env bash
# ensure-docker.sh makes a Docker engine answer.
#
# mini talks to the Docker Engine API and needs nothing else on the host.
# Developer laptops already run an engine; fresh CI machines only ship the
# docker client. When no engine answers, install Debian's docker.io and start
# dockerd in the background, then wait until it answers (never a fixed sleep).
set -euo pipefail

log() { echo "ensure-docker: $*" >&2; }

if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  log "engine answers ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine answers and dockerd is not installed; run as root or start an engine"
    exit 1
  fi
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The client on these machines may come from another package; keep it and
  # take only the engine parts from docker.io.
  apt-get install -y -qq --no-install-recommends docker.io iptables >&2
fi

logfile=${DOCKERD_LOG:-/var/log/mini-dockerd.log}
log "starting dockerd in the background (log: $logfile)"
# containerd ships with docker.io; dockerd starts its own when none runs.
nohup dockerd >"$logfile" 2>&1 &
# The pid file marks an engine this script owns: tests may restart it
# (tests/e2e's daemon-restart check), never an engine someone else runs.
echo $! >"${MINI_DOCKERD_PIDFILE:-/var/run/mini-dockerd.pid}"

for _ in $(seq 1 600); do
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    log "engine answers ($(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}'))"
    exit 0
  fi
  if ! kill -0 $! 2>/dev/null; then
    log "dockerd exited; last lines of $logfile:"
    tail -n 20 "$logfile" >&2
    exit 1
  fi
  sleep 0.1
done
log "dockerd did not answer within 60s; last lines of $logfile:"
tail -n 20 "$logfile" >&2
exit 1
