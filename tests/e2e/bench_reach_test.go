//go:build e2e && bench

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestBenchTimeToK8s measures minikube's "time-to-k8s" the way a k3d user
// lives it: `mini cluster create -p PORT:80@loadbalancer` (--wait), then a
// Deployment, Service and Ingress applied at once, until the first 200
// from http://127.0.0.1:PORT/ on the host. Median of 5.
func TestBenchTimeToK8s(t *testing.T) {
	const runs = 5
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	e := newSandbox(t)
	image := versions(t)["TESTAPP_IMAGE"]
	var total, create []time.Duration
	for range runs {
		name := uniqueName("bench-t2k")
		port := freePort(t)
		start := time.Now()
		e.createCluster(name, "-p", fmt.Sprintf("%d:80@loadbalancer", port))
		create = append(create, e.lastRun)
		cs := e.client(name)
		mustCreateTestApp(t, ctx, cs, image)
		mustCreateIngress(t, ctx, cs)
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", port), "hello from web-")
		total = append(total, time.Since(start))
		e.mustMini("cluster", "delete", name)
	}
	record(t, benchResult{Name: "time-to-k8s: create -p … → first HTTP 200 through an Ingress", Value: median(total).Seconds(), Unit: "s", Target: 15,
		Note: fmt.Sprintf("median of %d: %.3v; of which create --wait %.3v", runs, secs(total), secs(create))})
}
