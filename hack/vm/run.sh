#!/usr/bin/env bash
# hack/vm/run.sh (make test-vm) proves mini on a host unlike the build
# machine: it boots a Debian VM under qemu — cgroup v2 and Docker 26 by
# default, where this machine has cgroup v1 and Docker 20.10 — runs a
# payload in it and exits with the payload's exit code.
#
# Parameters (environment; `make test-vm VM_PAYLOAD=smoke` works too):
#   VM_SUITE=trixie   Debian suite of the VM: trixie = kernel 6.12, systemd
#                     257, docker.io 26.1; bookworm = 6.1, 252, 20.10
#   VM_CGROUP=v2      v2, or v1: boots with systemd.unified_cgroup_hierarchy=0
#                     (and SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1, without which
#                     systemd 256+ refuses v1). v1 means VM_SUITE=bookworm:
#                     trixie's kernel is built without CONFIG_MEMCG_V1, so
#                     v1 there has no memory controller; run.sh refuses it
#   VM_ARCH=amd64     amd64; arm64 is one setting in hack/vm/lib.sh, untested
#   VM_MEM=8G         the VM's memory
#   VM_CPUS=2         the VM's CPUs
#   VM_TIMEOUT=90m    bound on the whole run, counted from its start (image
#                     build and payload staging included): then qemu is killed
#   VM_PAYLOAD=e2e    what runs in the VM: e2e (hack/vm/payload-e2e.sh: the
#                     e2e tests named by VM_TESTS), smoke (hack/vm/
#                     payload-smoke.sh: Docker in the VM works, in minutes),
#                     or the path of a script that fills the payload
#                     directory it is given (its contract: hack/vm/run-in-vm.sh)
#   VM_TESTS          the e2e payload's -test.run (default
#                     ^TestHostScenario$)
#   VM_ACCEL          kvm or tcg; default kvm when /dev/kvm is usable
#   VM_TCG_THREAD     single (default) or multi: see the tcg case below
#   VM_DISK_SIZE=20G  the VM's disk (sparse): room for ~8 GB of Docker data
#   VM_DOCKER_DROP_CAPS  capabilities (e.g. CAP_SYS_RESOURCE) taken out of
#                     the bounding set of the VM's dockerd and containerd, as
#                     on hosts where real --privileged is refused and mini
#                     emulates it; empty (default) keeps them all
#   VM_DOCKER_CONTAINERD_STORE=0  1: Docker keeps images in containerd's
#                     store (the containerd-snapshotter feature), the
#                     default of fresh Docker 29 and Docker Desktop installs
#
# Output in _output/vm/: console.log (the VM's whole serial console),
# qemu.log, and share/ (vm.log, payload.log, the payload and its results).

# qemu's options are comma-separated lists, not mistaken array syntax:
# shellcheck disable=SC2054
set -euo pipefail
VM_CGROUP=${VM_CGROUP:-v2}
# cgroup v1 needs bookworm: trixie's kernel has no v1 memory controller.
[ "$VM_CGROUP" = v1 ] && VM_SUITE=${VM_SUITE:-bookworm}
. "$(dirname "$0")/lib.sh"

VM_MEM=${VM_MEM:-8G}
VM_CPUS=${VM_CPUS:-2}
VM_TIMEOUT=${VM_TIMEOUT:-90m}
VM_PAYLOAD=${VM_PAYLOAD:-e2e}
export VM_SUITE VM_ARCH VM_CGROUP

begin=$SECONDS
deadline=$((begin + $(seconds_of "$VM_TIMEOUT")))

case $VM_CGROUP in
  v2) cgroup_args="systemd.unified_cgroup_hierarchy=1" ;;
  # systemd 256 and later boot on cgroup v1 only when forced; earlier ones
  # ignore the variable. systemd 258 (after trixie) dropped v1 entirely.
  v1) cgroup_args="systemd.unified_cgroup_hierarchy=0 SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1" ;;
  *) log "VM_CGROUP=$VM_CGROUP: v1 or v2"; exit 2 ;;
esac
case $VM_PAYLOAD in
  e2e | smoke) hook=$MINI_ROOT/hack/vm/payload-$VM_PAYLOAD.sh ;;
  *) hook=$(realpath "$VM_PAYLOAD") ;;
esac
[ -f "$hook" ] || { log "VM_PAYLOAD=$VM_PAYLOAD: no $hook"; exit 2; }

ensure_cmds "$QEMU_SYSTEM:$QEMU_PKG" qemu-img:qemu-utils
image=$(bash "$MINI_ROOT/hack/vm/build-rootfs.sh")
# Since Linux 6.11 the memory controller exists on cgroup v1 only with
# CONFIG_MEMCG_V1 (Debian's 6.12 leaves it out): on such a kernel v1 means
# no memory limits at all, Docker ignores --memory and kubelet refuses to
# start, which proves nothing about mini.
if [ "$VM_CGROUP" = v1 ] && grep -q '^# CONFIG_MEMCG_V1 is not set' "$image/config"; then
  log "VM_CGROUP=v1: $VM_SUITE's kernel has no cgroup v1 memory controller (CONFIG_MEMCG_V1 is not set); use VM_SUITE=bookworm"
  exit 2
fi

accel=${VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  if [ "$(uname -m)" = "$KVM_ARCH" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel=kvm; fi
fi
# The payload hooks read it (the e2e tests stretch their waits under tcg).
export VM_ACCEL=$accel

# A fresh share for every run: nothing of an earlier run's results can be
# taken for this one's.
share=$VM_OUT/share
rm -rf --one-file-system "$share"
mkdir -p "$share/payload"
cp "$MINI_ROOT/hack/vm/run-in-vm.sh" "$share/"
printf 'VM_CGROUP=%q\nVM_SUITE=%q\nVM_ARCH=%q\nVM_DOCKER_WAIT=%q\nVM_DOCKER_DROP_CAPS=%q\nVM_DOCKER_CONTAINERD_STORE=%q\n' \
  "$VM_CGROUP" "$VM_SUITE" "$VM_ARCH" "${VM_DOCKER_WAIT:-600}" "${VM_DOCKER_DROP_CAPS:-}" "${VM_DOCKER_CONTAINERD_STORE:-0}" >"$share/vm.env"
log "payload: $(basename "$hook")"
staged=$SECONDS
bash "$hook" "$share/payload"
[ -x "$share/payload/run.sh" ] || { log "$hook left no executable payload/run.sh"; exit 1; }
log "payload staged in $((SECONDS - staged))s ($(du -sh "$share/payload" | cut -f1))"

# Runs never write to the cached image: each gets a copy-on-write overlay,
# deleted after the run (Docker's data in it reaches gigabytes).
overlay=$VM_OUT/disk.qcow2
rm -f "$overlay"
qemu-img create -q -f qcow2 -b "$image/disk.img" -F raw "$overlay"

case $accel in
  kvm) accel_args=(-accel kvm) ;;
  # thread=single: all virtual CPUs take turns on one host thread. With
  # thread=multi (one host thread each, up to twice as fast here) qemu 7.2
  # lets a CPU run a stale translation of kernel code another CPU just
  # patched: the guest oopses on a leftover int3 ("Oops: int3" in
  # put_prev_entity when the first CPU quota turned the cfs bandwidth static
  # key on; 1 smoke run in 5) and panics. Kubernetes flips such keys all the
  # time (every pod with a CPU limit).
  tcg) accel_args=(-accel "tcg,thread=${VM_TCG_THREAD:-single}") ;;
  *) log "VM_ACCEL=$accel: kvm or tcg"; exit 2 ;;
esac

console=$VM_OUT/console.log
qemu=(
  "$QEMU_SYSTEM" -name mini-vm -machine "$QEMU_MACHINE" "${accel_args[@]}" -cpu max
  -smp "$VM_CPUS" -m "$VM_MEM"
  # No default devices, no display, no monitor: the serial console is the
  # only output, into a file. -no-reboot turns the kernel's panic=10 reboot
  # into qemu's exit, so a VM that cannot boot ends the run.
  -nodefaults -no-user-config -display none -monitor none -serial "file:$console" -no-reboot
  -kernel "$image/vmlinuz" -initrd "$image/initrd.img"
  -append "console=$VM_CONSOLE root=/dev/vda rw panic=10 $cgroup_args"
  # cache=unsafe: the overlay is thrown away, so the VM need not wait for
  # the host to flush it.
  -drive "file=$overlay,format=qcow2,if=none,id=root,cache=unsafe,discard=unmap"
  -device virtio-blk-pci,drive=root
  -virtfs "local,path=$share,mount_tag=share,security_model=none,id=share"
  # Entropy for the guest's early boot; no network at all: the VM needs
  # none, and Docker's bridge networks work without an uplink.
  -device virtio-rng-pci -nic none
)

qemu_pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    log "stopping qemu ($qemu_pid)"
    kill "$qemu_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  [ "${VM_KEEP_DISK:-0}" = 1 ] || rm -f "$overlay"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

log "booting $VM_SUITE/$VM_ARCH, cgroup $VM_CGROUP, $VM_CPUS CPUs, $VM_MEM, ${accel_args[1]} (console: $console)"
: >"$console"
booting=$(date +%s)
"${qemu[@]}" >"$VM_OUT/qemu.log" 2>&1 &
qemu_pid=$!

# Follow the VM's log (the share is the host's own directory) so a long run
# shows where it is; bounded by VM_TIMEOUT.
shown=0 timed_out=0
follow() {
  local n
  [ -f "$share/vm.log" ] || return 0
  n=$(stat -c %s "$share/vm.log")
  if [ "$n" -gt "$shown" ]; then
    tail -c +$((shown + 1)) "$share/vm.log" | head -c $((n - shown)) >&2
    shown=$n
  fi
}
while kill -0 "$qemu_pid" 2>/dev/null; do
  follow
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "VM_TIMEOUT=$VM_TIMEOUT reached; killing the VM"
    timed_out=1
    kill "$qemu_pid" 2>/dev/null || true
    break
  fi
  sleep 1
done
qemu_rc=0
wait "$qemu_pid" || qemu_rc=$?
qemu_pid=
follow

# The VM writes its markers through 9p: their mtimes are the host's clock.
at() { [ -e "$share/state/$1" ] && echo $(($(stat -c %Y "$share/state/$1") - booting)); }
rc=1
if [ -f "$share/exit-code" ]; then
  rc=$(cat "$share/exit-code")
  if [ "$rc" != 0 ]; then
    log "run failed ($rc); the last lines of $share/vm.log (console: $console):"
    tail -n 25 "$share/vm.log" >&2
  fi
else
  # No exit code: the VM died or hung (a kernel panic, a payload past the
  # timeout); the console has the kernel's side of it.
  [ $timed_out = 1 ] || log "the VM stopped (qemu exit $qemu_rc) without writing an exit code"
  if [ -s "$VM_OUT/qemu.log" ]; then log "qemu.log:"; tail -n 20 "$VM_OUT/qemu.log" >&2; fi
  log "run failed; the last lines of the console ($console):"
  tail -n 40 "$console" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' >&2
fi

booted=$(at booted || true) ready=$(at docker-ready || true) started=$(at payload-started || true)
ended=$(($(stat -c %Y "$share/exit-code" 2>/dev/null || date +%s) - booting))
summary="vm: booted in ${booted:-?}s"
[ -n "$ready" ] && summary+=" (docker ready at ${ready}s)"
if [ -n "$started" ]; then summary+=", payload ran $((ended - started))s"; else summary+=", payload did not run"; fi
summary+=", total $((SECONDS - begin))s"
echo "$summary" >&2
exit "$rc"
