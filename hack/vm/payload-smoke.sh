#!/usr/bin/env bash
# hack/vm/payload-smoke.sh PAYLOAD_DIR stages the smoke payload
# (make test-vm VM_PAYLOAD=smoke): proof, in minutes rather than the e2e
# run's hour, that the VM is the host asked for and that its Docker runs
# what mini relies on — containers under memory and CPU limits (the OOM
# killer included), privileged containers, user-defined bridge networks
# with name resolution, ports published on 127.0.0.1, `docker build` FROM a
# local image. No registry: the one image is imported from a tarball of
# Debian's static busybox.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

payload=$1
mkdir -p "$payload/bin"

# Debian's busybox-static, unpacked rather than installed: installing it
# would replace a host's busybox package. Cached; it never changes.
bb=$VM_OUT/busybox-$VM_ARCH/bin/busybox
if [ ! -x "$bb" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q "busybox-static:$VM_ARCH" >&2) || {
    apt-get update -qq >&2 && (cd "$tmp" && apt-get download -q "busybox-static:$VM_ARCH" >&2); }
  rm -rf "$VM_OUT/busybox-$VM_ARCH"
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
  mkdir -p "$(dirname "$bb")"
  cp "$tmp/x/bin/busybox" "$bb"
  rm -rf "$tmp"
fi
cp "$bb" "$payload/bin/busybox"

cat >"$payload/run.sh" <<'EOF'
#!/usr/bin/env bash
# The smoke test, run by hack/vm/run-in-vm.sh inside the VM (cwd: payload/).
set -euo pipefail
bb=$PWD/bin/busybox
step() { echo "smoke: $*"; }
cleanup() {
  docker rm -f smoke-web >/dev/null 2>&1 || true
  docker network rm smoke >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "import a busybox image from a tarball"
root=$(mktemp -d)
mkdir -p "$root/bin" "$root/www"
cp "$bb" "$root/bin/busybox"
for a in sh echo cat wget httpd dd sleep; do ln -s busybox "$root/bin/$a"; done
echo "hello from smoke-web" >"$root/www/index.html"
tar -C "$root" -c . | docker import - smoke:1 >/dev/null
docker run --rm smoke:1 echo "a container runs"

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  mem_file=/sys/fs/cgroup/memory.max cpu_file=/sys/fs/cgroup/cpu.max want_cpu="50000 100000"
else
  mem_file=/sys/fs/cgroup/memory/memory.limit_in_bytes cpu_file=/sys/fs/cgroup/cpu/cpu.cfs_quota_us want_cpu=50000
fi
step "limits reach the container's cgroup ($mem_file, $cpu_file)"
got=$(docker run --rm --memory 64m --cpus 0.5 smoke:1 sh -c "cat $mem_file; cat $cpu_file")
echo "$got"
[ "$(echo "$got" | sed -n 1p)" = 67108864 ] || { echo "memory limit not applied"; exit 1; }
[ "$(echo "$got" | sed -n 2p)" = "$want_cpu" ] || { echo "cpu limit not applied"; exit 1; }

step "the OOM killer enforces a memory limit"
# dd's 128 MiB buffer, filled from /dev/zero, cannot fit in 32 MiB.
docker run --name smoke-oom --memory 32m smoke:1 dd if=/dev/zero of=/dev/null bs=128M count=1 || true
read -r id oom code < <(docker inspect -f '{{.Id}} {{.State.OOMKilled}} {{.State.ExitCode}}' smoke-oom)
docker rm smoke-oom >/dev/null
echo "exit code $code, Docker's OOMKilled $oom"
# The kernel's word, not Docker's: on cgroup v2 Docker's OOMKilled flag
# races the exit event and sometimes stays false (seen here). Kubernetes
# takes OOM kills from containerd in the node, never from this flag.
if [ "$code" != 137 ] || ! dmesg | grep -q "oom-kill:.*$id"; then
  echo "want exit code 137 and the kernel's oom-kill of container $id"; exit 1
fi

step "a privileged container (what mini's nodes are) sees its own cgroup"
docker run --rm --privileged smoke:1 sh -c 'cat /proc/self/cgroup; ls /sys/fs/cgroup | head -n 5'

step "a user-defined network: resolution by name, a port on 127.0.0.1"
docker network create smoke >/dev/null
docker run -d --name smoke-web --network smoke -p 127.0.0.1:18080:80 smoke:1 httpd -f -p 80 -h /www >/dev/null
ok=
for _ in $(seq 1 30); do
  if docker run --rm --network smoke smoke:1 wget -qO- http://smoke-web/ && "$bb" wget -qO- http://127.0.0.1:18080/; then
    ok=1; break
  fi
  sleep 1
done
[ -n "$ok" ] || { echo "smoke-web did not answer by name and on 127.0.0.1:18080"; exit 1; }

step "docker build FROM a local image, offline (BuildKit on Docker 23+)"
ctx=$(mktemp -d)
echo smoke-marker >"$ctx/marker"
printf 'FROM smoke:1\nCOPY marker /marker\n' >"$ctx/Dockerfile"
docker build -q -t smoke-built:1 "$ctx"
[ "$(docker run --rm smoke-built:1 cat /marker)" = smoke-marker ] || { echo "built image lacks the marker"; exit 1; }

step "ok"
EOF
chmod +x "$payload/run.sh"
