#!/usr/bin/env bash
# hack/vm/run-in-vm.sh runs inside the test VM, as root, from
# mini-vm-run.service (hack/vm/rootfs), once Docker's unit has started.
# hack/vm/run.sh copies it into the share, where it finds:
#   vm.env                     what the host asked for (VM_CGROUP, ...)
#   payload/run.sh             the test to run, with cwd payload/
#   payload/docker-images/*.tar  `docker save` archives loaded before it
# and leaves, for the host:
#   vm.log                     everything below, also on the VM's console
#   payload.log                payload/run.sh's output alone
#   state/booted, state/docker-ready, state/payload-started
#                              markers whose host-side mtimes time the phases
#   failure/                   when the payload fails: docker ps -a, each
#                              container's last log lines, dmesg
#   exit-code                  written last: payload/run.sh's exit status, or
#                              1 when the VM is not what was asked for
# The unit powers the VM off when this script ends, however it ends.
set -uo pipefail

share=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
[ -f "$share/vm.env" ] && . "$share/vm.env"
# Under emulation dockerd takes tens of seconds to start; minutes mean broken.
DOCKER_WAIT=${VM_DOCKER_WAIT:-600}

say() { echo "vm: $*"; }
mark() { mkdir -p "$share/state" && : >"$share/state/$1"; }
uptime_s() { cut -d. -f1 /proc/uptime; }

# drop_caps takes VM_DOCKER_DROP_CAPS out of the engine's capability
# bounding set (dockerd's, and containerd's, whose runc starts containers)
# and restarts both: the host where real --privileged fails with
# "operation not permitted" and mini emulates it.
drop_caps() {
  local u
  for u in containerd docker; do
    mkdir -p "/run/systemd/system/$u.service.d"
    printf '[Service]\nCapabilityBoundingSet=~%s\n' "$VM_DOCKER_DROP_CAPS" >"/run/systemd/system/$u.service.d/drop-caps.conf"
  done
  systemctl daemon-reload
  systemctl restart containerd.service docker.service
  say "dropped $VM_DOCKER_DROP_CAPS from the bounding set of containerd and dockerd: $(grep CapBnd "/proc/$(systemctl show -p MainPID --value docker.service)/status")"
}

# containerd_store switches Docker to containerd's image store, as fresh
# Docker 29 and Docker Desktop installs are: `docker save` then writes an
# OCI layout and images are stored per platform.
containerd_store() {
  mkdir -p /etc/docker
  echo '{"features": {"containerd-snapshotter": true}}' >/etc/docker/daemon.json
  systemctl restart docker.service
  say "Docker uses containerd's image store: $(docker info --format '{{.DriverStatus}}' 2>&1)"
}

main() {
  mark booted
  [ -z "${VM_DOCKER_DROP_CAPS:-}" ] || drop_caps || return 1
  [ "${VM_DOCKER_CONTAINERD_STORE:-0}" != 1 ] || containerd_store || return 1
  # shellcheck source=/dev/null
  say "running after $(uptime_s)s of uptime: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), $(nproc) CPUs, $(free -m | awk '/^Mem:/ {print $2}') MiB"
  say "cmdline: $(cat /proc/cmdline)"

  local i
  for ((i = 0; i < DOCKER_WAIT; i++)); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    say "docker did not answer within ${DOCKER_WAIT}s"
    systemctl status --no-pager docker.service containerd.service
    journalctl --no-pager -n 60 -u docker.service -u containerd.service
    return 1
  fi
  mark docker-ready
  say "docker answers after $(uptime_s)s of uptime"
  # Where the boot's time went (critical-chain needs a finished boot, and
  # this unit is part of it): when each unit started and became active.
  local u
  for u in local-fs.target containerd.service docker.service; do
    systemctl show -p InactiveExitTimestampMonotonic,ActiveEnterTimestampMonotonic "$u" |
      awk -F= -v u="$u" '/^Inactive/ {a=$2} /^Active/ {b=$2} END {printf "vm: %s started at %.1fs, active at %.1fs\n", u, a/1e6, b/1e6}'
  done
  docker version
  local cg fs
  cg=$(docker info --format '{{.CgroupVersion}}')
  fs=$(stat -fc %T /sys/fs/cgroup)
  say "docker: cgroup v$cg, driver $(docker info --format '{{.CgroupDriver}}'), storage $(docker info --format '{{.Driver}}'), security $(docker info --format '{{.SecurityOptions}}')"
  say "/sys/fs/cgroup is $fs"
  # The run proves something only on the host it was asked for.
  if [ -n "${VM_CGROUP:-}" ] && [ "v$cg" != "$VM_CGROUP" ]; then
    say "asked for cgroup $VM_CGROUP, Docker reports v$cg: not the host this run is meant to prove"
    return 1
  fi

  local t start
  for t in "$share"/payload/docker-images/*.tar; do
    [ -e "$t" ] || continue
    start=$SECONDS
    docker load -q -i "$t" || { say "docker load $t failed"; return 1; }
    say "loaded $(basename "$t") ($(du -h "$t" | cut -f1)) in $((SECONDS - start))s"
  done

  if [ ! -x "$share/payload/run.sh" ]; then
    say "no executable payload/run.sh in the share"
    return 1
  fi
  mark payload-started
  say "payload/run.sh starts"
  start=$SECONDS
  (cd "$share/payload" && ./run.sh) 2>&1 | tee "$share/payload.log"
  local rc=${PIPESTATUS[0]}
  say "payload/run.sh exited $rc after $((SECONDS - start))s"
  if [ "$rc" != 0 ]; then
    # What the host cannot see once the VM is gone: the containers left
    # (a run with --no-rollback keeps the failed cluster's) and their last
    # output, and the kernel's log (OOM kills, cgroup and AppArmor denials).
    mkdir -p "$share/failure"
    docker ps -a >"$share/failure/docker-ps.txt" 2>&1
    local c
    for c in $(docker ps -aq); do
      docker logs --tail 300 "$c" >"$share/failure/container-$(docker inspect -f '{{.Name}}' "$c" | tr -d /).log" 2>&1
    done
    dmesg >"$share/failure/dmesg.txt" 2>&1
    say "failure: containers' logs and dmesg in the share's failure/"
  fi
  return "$rc"
}

main 2>&1 | tee -a "$share/vm.log"
rc=${PIPESTATUS[0]}
sync
echo "$rc" >"$share/exit-code.tmp" && mv "$share/exit-code.tmp" "$share/exit-code"
sync
exit "$rc"
