#!/usr/bin/env bash
# hack/vm/build-rootfs.sh builds the disk a test VM boots: a Debian root
# filesystem made offline with mmdebstrap (kernel, systemd, Debian's
# docker.io), written into an ext4 image with mkfs.ext4 -d (no loop mount),
# plus the kernel and initramfs taken out of it for qemu -kernel/-initrd.
# Prints the directory holding disk.img, vmlinuz, initrd.img and the
# kernel's config.
#
# Env: VM_SUITE (trixie), VM_ARCH (amd64), VM_DISK_SIZE (20G),
#      MINI_APT_SOURCES (the host's /etc/apt/sources.list.d/debian.sources)
#
# Cached by its inputs (this script, hack/vm/lib.sh, hack/vm/rootfs/, the
# suite, architecture and disk size): with nothing changed it takes no time.
# Runs never write to the image: each boots a copy-on-write overlay of it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VM_DISK_SIZE=${VM_DISK_SIZE:-20G}
# What the VM needs and why:
#   linux-image-ARCH            Debian's own kernel (trixie: 6.12), as users run
#   systemd-sysv, udev, dbus    a host as users have one: systemd as init (the
#                               cgroup manager Docker's systemd driver talks to)
#   kmod                        dockerd and iptables load their modules
#   docker.io, docker-cli       Debian's engine (trixie: 26.1); the CLI is only
#                               a Recommends of docker.io there
#   docker-buildx               what `docker build` runs on users' Docker 23+
#                               (BuildKit); the e2e tests build an image
#   apparmor                    Debian kernels enable AppArmor; with the parser
#                               present Docker confines containers as on Ubuntu
#   iptables, ca-certificates   Docker's bridge networking; TLS roots
#   e2fsprogs, procps, iproute2 fsck of the root, ps/free/ip for debugging
PACKAGES=linux-image-$VM_ARCH,systemd-sysv,udev,dbus,kmod,apparmor,iptables,ca-certificates,e2fsprogs,procps,iproute2
case $VM_SUITE in
  # bookworm's docker.io (20.10) has the CLI in it and no BuildKit package.
  bookworm) PACKAGES+=,docker.io ;;
  *) PACKAGES+=,docker.io,docker-cli,docker-buildx ;;
esac
SOURCES=${MINI_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$SOURCES" ] || SOURCES=/etc/apt/sources.list

name=vm-image-$VM_SUITE-$VM_ARCH
dir=$VM_OUT/image-$VM_SUITE-$VM_ARCH
hash=$(hash_inputs "$MINI_ROOT/hack/vm/build-rootfs.sh" "$MINI_ROOT/hack/vm/lib.sh" "$MINI_ROOT/hack/vm/rootfs" \
  "=$PACKAGES" "=$VM_SUITE" "=$VM_ARCH" "=$VM_DISK_SIZE")
if fresh "$name" "$hash" "$dir/disk.img" "$dir/vmlinuz" "$dir/initrd.img" "$dir/config"; then
  log "$VM_SUITE/$VM_ARCH image cached ($dir)"
  echo "$dir"
  exit 0
fi

[ "$(id -u)" = 0 ] || { log "building the VM image needs root (mmdebstrap, device nodes, file owners)"; exit 1; }
ensure_cmds mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs
if [ "$VM_ARCH" != "$(dpkg --print-architecture)" ]; then
  # mmdebstrap runs the foreign architecture's maintainer scripts through
  # binfmt_misc and qemu's user-mode emulation.
  ensure_cmds "qemu-$KVM_ARCH-static:qemu-user-static"
fi

start=$SECONDS
mkdir -p "$VM_OUT"
work=$(mktemp -d "$VM_OUT/build.XXXXXX")
# --one-file-system: should mmdebstrap die with /proc or /sys still mounted
# in the chroot, never delete through them.
trap 'rm -rf --one-file-system "$work"' EXIT

# The host's own apt sources, as hack/build-node-base.sh uses them: the build
# names no mirror itself. They name the host's release (bookworm here); the
# same mirror serves the other suites, so only the names change. The copy
# keeps the file's extension: mmdebstrap reads .sources as deb822.
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
sources=$work/apt.${SOURCES##*.}
if [ -n "$host_suite" ] && [ "$host_suite" != "$VM_SUITE" ]; then
  sed -E "s/\\b$host_suite(-|\\b)/$VM_SUITE\\1/g" "$SOURCES" >"$sources"
else
  cp "$SOURCES" "$sources"
fi

root=$work/root
# Debian's initramfs-tools default MODULES=most puts every block and
# filesystem driver in the initramfs, whatever the build machine has; the
# check after it proves the two the VM's root needs are there.
# shellcheck disable=SC2016 # $1 is the hook's: the chroot's path
check_initramfs='
  set -e
  k=$(basename "$(ls -d "$1"/lib/modules/*)")
  chroot "$1" lsinitramfs "/boot/initrd.img-$k" >"$1/tmp/initramfs.list"
  for m in virtio_pci virtio_blk ext4; do
    if grep -q "/$m\.ko" "$1/lib/modules/$k/modules.builtin"; then continue; fi
    grep -q "/$m\.ko" "$1/tmp/initramfs.list" || {
      echo "initramfs of $k lacks $m: the VM could not mount its root" >&2; exit 1; }
  done
  rm "$1/tmp/initramfs.list"'
# Nobody logs in (no password is set; the run reports through the share),
# so no getty clutters the console; the periodic jobs of a long-lived host
# have nothing to do in a VM that lives for one run.
# shellcheck disable=SC2016 # $1 is the hook's: the chroot's path
customize="
  set -e
  cp -rT $(printf %q "$MINI_ROOT/hack/vm/rootfs") \"\$1\""'
  chroot "$1" systemctl enable -q mini-vm-run.service
  chroot "$1" systemctl mask -q getty.target apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*'
log "mmdebstrap $VM_SUITE/$VM_ARCH with $PACKAGES"
# Docs, man pages and locales are dead weight in a throwaway VM.
mmdebstrap --variant=minbase --architectures="$VM_ARCH" \
  --include="$PACKAGES" --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook="$check_initramfs" --customize-hook="$customize" \
  "$VM_SUITE" "$root" "$sources" >&2
debootstrapped=$SECONDS

kver=$(basename "$(ls -d "$root"/lib/modules/*)")
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"
# run.sh reads it: VM_CGROUP=v1 needs the memory controller on cgroup v1,
# which Linux 6.11 and later have only with CONFIG_MEMCG_V1.
cp "$root/boot/config-$kver" "$work/config"

# A sparse file: Docker's data (the node image and the clusters' containers,
# some 8 GB in the e2e run) fits, and only what is written takes space.
truncate -s "$VM_DISK_SIZE" "$work/disk.img"
mkfs.ext4 -q -F -L mini-vm -d "$root" "$work/disk.img"
rm -rf --one-file-system "$root"

rm -rf "$dir"
chmod 755 "$work"
mv "$work" "$dir"
trap - EXIT
rm -f "$dir/apt.${SOURCES##*.}"
stamp "$name" "$hash"
log "$VM_SUITE/$VM_ARCH image built in $((SECONDS - start))s (mmdebstrap $((debootstrapped - start))s;" \
  "kernel $kver; $(du -sh --apparent-size "$dir/disk.img" | cut -f1) disk, $(du -sh "$dir/disk.img" | cut -f1) used)"
echo "$dir"
