//go:build e2e && bench

package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestBenchCluster measures what a user waits for: `mini cluster create`
// with --wait (1 server, load balancer, merged kubeconfig, node Ready) and
// `mini cluster delete`, median of 5 each.
func TestBenchCluster(t *testing.T) {
	e := newSandbox(t)
	var create, del []time.Duration
	for range 5 {
		name := uniqueName("bench")
		e.createCluster(name) // also registers a cleanup delete in case of failure
		create = append(create, e.lastRun)
		e.mustMini("cluster", "delete", name)
		del = append(del, e.lastRun)
	}
	record(t, benchResult{Name: "mini cluster create (1 server, --wait)", Value: median(create).Seconds(), Unit: "s", Target: 8,
		Note: fmt.Sprintf("median of 5: %.3v", secs(create))})
	record(t, benchResult{Name: "mini cluster delete", Value: median(del).Seconds(), Unit: "s", Target: 2,
		Note: fmt.Sprintf("median of 5: %.3v", secs(del))})
}
