#!/usr/bin/env bash
# hack/vm/payload-e2e.sh PAYLOAD_DIR stages the e2e payload (make test-vm):
# mini, the e2e test binary and the images a cluster needs, laid out as the
# tests expect relative to their cwd (tests/e2e):
#   bin/mini                               MINI_E2E_BINARY
#   tests/e2e/e2e.test                     go test -c -tags e2e ./tests/e2e
#   images/versions.env                    ../../images/versions.env
#   _output/node/images/testapp.tar        ../../_output/node/images/testapp.tar
#   hack/ensure-docker.sh                  ../../hack/ensure-docker.sh
#   docker-images/{node,lb,registry}.tar   docker save; hack/vm/run-in-vm.sh
#                                          loads them before run.sh starts
#   run.sh                                 runs e2e.test -test.run "$VM_TESTS"
# The tests' exported cluster logs land in _output/e2e-logs, in the share,
# so the host has them after the run (_output/vm/share/payload/_output/e2e-logs).
#
# Env: VM_TESTS (^TestHostScenario$: about 25 minutes under TCG; add
# TestCreateThenUse, three more creates, with KVM), VM_E2E_TIMEOUT (80m:
# under VM_TIMEOUT's 90m, so a hung test fails with its goroutines dumped
# before the VM is killed), VM_MINI_TIMEOUT (20m: mini's --timeout in the
# VM, as MINI_TIMEOUT), VM_NO_ROLLBACK (1: a failed create keeps its
# containers, MINI_NO_ROLLBACK, so the run's failure/ holds their logs),
# VM_E2E_SLOWDOWN (MINI_E2E_SLOWDOWN: the factor the tests' own waits are
# stretched by; 10 under tcg, 1 under kvm).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$MINI_ROOT/images/versions.env"

payload=$1
VM_TESTS=${VM_TESTS:-^TestHostScenario\$}
VM_E2E_TIMEOUT=${VM_E2E_TIMEOUT:-80m}
VM_MINI_TIMEOUT=${VM_MINI_TIMEOUT:-20m}
VM_NO_ROLLBACK=${VM_NO_ROLLBACK:-0}
# Software emulation runs a cluster about ten times slower than this
# machine; the tests' waits are sized for this machine.
# It also leaves out the add-ons TestHostScenario does not use, so the
# emulated CPUs go to what it proves (VM_HOST_ARGS: MINI_E2E_HOST_ARGS).
if [ "${VM_ACCEL:-tcg}" = kvm ]; then
  VM_E2E_SLOWDOWN=${VM_E2E_SLOWDOWN:-1} VM_HOST_ARGS=${VM_HOST_ARGS-}
else
  VM_E2E_SLOWDOWN=${VM_E2E_SLOWDOWN:-10}
  VM_HOST_ARGS=${VM_HOST_ARGS---k3s-arg --disable=traefik --k3s-arg --disable=metrics-server}
fi
# pkg/version's default images (lib.sh's default_image).
node_image=$(default_image node)
lb_image=$(default_image lb)
registry_image=$(default_image registry)

# As `make e2e` does: the images come from their cached builds, which take
# seconds when nothing changed, so the VM never tests stale images.
make -C "$MINI_ROOT" --no-print-directory node-image lb-image >&2

mkdir -p "$payload"/{bin,tests/e2e,images,hack,_output/node/images,docker-images}
# Built for the VM's architecture, static: the VM's libc is not the host's.
GOARCH=$GOARCH_VM make -C "$MINI_ROOT" --no-print-directory build BIN="$payload/bin/mini" >&2
(cd "$MINI_ROOT" && CGO_ENABLED=0 GOARCH=$GOARCH_VM go test -c -tags e2e -o "$payload/tests/e2e/e2e.test" ./tests/e2e)
cp "$MINI_ROOT/images/versions.env" "$payload/images/"
cp "$MINI_ROOT/hack/ensure-docker.sh" "$payload/hack/"
if [ -f "$OUT/node/images/testapp.tar" ]; then
  cp "$OUT/node/images/testapp.tar" "$payload/_output/node/images/"
fi

save() {
  local start=$SECONDS
  docker save -o "$payload/docker-images/$1.tar" "$2"
  log "saved $2 in $((SECONDS - start))s ($(du -h "$payload/docker-images/$1.tar" | cut -f1))"
}
save node "$node_image"
save lb "$lb_image"
# Only registry tests need it; taken along when it was built.
if docker image inspect "$registry_image" >/dev/null 2>&1; then save registry "$registry_image"; fi

cat >"$payload/run.sh" <<EOF
#!/usr/bin/env bash
# Written by hack/vm/payload-e2e.sh; run in the VM with cwd payload/.
set -euo pipefail
cd tests/e2e
export MINI_E2E_BINARY=\$PWD/../../bin/mini
# Every flag has a MINI_ variable: under software emulation the API server
# alone takes minutes, past --timeout's default of 3m.
export MINI_TIMEOUT=$(printf %q "$VM_MINI_TIMEOUT")
export MINI_E2E_SLOWDOWN=$(printf %q "$VM_E2E_SLOWDOWN")
export MINI_E2E_HOST_ARGS=$(printf %q "$VM_HOST_ARGS")
$([ "$VM_NO_ROLLBACK" = 1 ] && echo "export MINI_NO_ROLLBACK=true")
exec ./e2e.test -test.v -test.count=1 -test.timeout $(printf %q "$VM_E2E_TIMEOUT") -test.run $(printf %q "$VM_TESTS")
EOF
chmod +x "$payload/run.sh"
log "e2e payload: -test.run '$VM_TESTS', node $node_image, lb $lb_image"
