// Package e2e holds mini's end-to-end tests: they build the mini binary and
// create real clusters on the local Docker engine with the real node and
// load balancer images. They run only with the e2e build tag:
//
//	go test -tags e2e -timeout 30m ./tests/e2e/
//
// Every test uses a unique cluster name and a temporary KUBECONFIG (never
// the user's), and removes what it made with t.Cleanup; on failure it first
// exports the cluster's logs with `mini cluster logs` into $MINI_E2E_LOGS
// (default _output/e2e-logs) and logs the tail of its containers' output.
//
// On a slower host (make test-vm under software emulation),
// MINI_E2E_SLOWDOWN=N stretches every wait of the tests N times, and
// MINI_E2E_HOST_ARGS adds flags to the cluster TestHostScenario creates.
package e2e
