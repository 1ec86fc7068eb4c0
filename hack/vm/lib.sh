# shellcheck shell=bash disable=SC2034 # the settings are the callers'
# hack/vm/lib.sh — settings shared by the VM test harness (sourced, not run).
#
# Everything that depends on the VM's architecture is decided here, once, so
# that another architecture is one more case below and nothing else.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

VM_SUITE=${VM_SUITE:-trixie}
VM_ARCH=${VM_ARCH:-amd64}
VM_OUT=$OUT/vm

case $VM_ARCH in
  amd64)
    QEMU_SYSTEM=qemu-system-x86_64 QEMU_PKG=qemu-system-x86
    # q35: PCIe like current hardware; -kernel boots it without firmware setup.
    QEMU_MACHINE=q35 VM_CONSOLE=ttyS0 KVM_ARCH=x86_64 GOARCH_VM=amd64 ;;
  arm64)
    # Not exercised yet: the rootfs build on an amd64 host also needs
    # qemu-user-static (installed below), and if Debian's arm64 vmlinuz is an
    # EFI zboot image, qemu needs -bios from qemu-efi-aarch64 to boot it.
    QEMU_SYSTEM=qemu-system-aarch64 QEMU_PKG=qemu-system-arm
    QEMU_MACHINE=virt VM_CONSOLE=ttyAMA0 KVM_ARCH=aarch64 GOARCH_VM=arm64 ;;
  *)
    echo "VM_ARCH=$VM_ARCH: only amd64 and arm64 are known" >&2
    exit 2 ;;
esac

# ensure_cmds CMD:PACKAGE... installs, with apt-get, the packages of the
# commands this machine lacks (a fresh machine has none of qemu's).
ensure_cmds() {
  local want=() c
  for c in "$@"; do
    command -v "${c%%:*}" >/dev/null || want+=("${c#*:}")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  log "installing ${want[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >&2
}

# seconds_of 90m|2h|300s|300 prints the duration in seconds.
seconds_of() {
  case $1 in
    *h) echo $(( ${1%h} * 3600 )) ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}
