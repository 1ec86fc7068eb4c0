//go:build e2e && bench

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestBenchHA measures the HA topology: `mini cluster create --servers 3
// --agents 2` with --wait (median of 3), one more agent joining a running
// cluster (`mini node create --wait`), and the idle memory of a server and
// an agent container.
func TestBenchHA(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	e := newSandbox(t)
	const runs = 3
	var create []time.Duration
	var name string
	for i := range runs {
		name = uniqueName("bench-ha")
		e.createCluster(name, "--servers", "3", "--agents", "2")
		create = append(create, e.lastRun)
		if i < runs-1 {
			e.mustMini("cluster", "delete", name)
		}
	}
	record(t, benchResult{Name: "mini cluster create --servers 3 --agents 2 (--wait)", Value: median(create).Seconds(), Unit: "s", Target: 40,
		Note: fmt.Sprintf("median of %d: %.3v", runs, secs(create))})

	e.mustMini("node", "create", "joiner", "--cluster", name)
	record(t, benchResult{Name: "agent join: mini node create (--wait, until Ready)", Value: e.lastRun.Seconds(), Unit: "s",
		Note: "one agent into the running HA cluster"})

	// Idle memory: two quiet minutes after everything is up.
	select {
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	prefix := "mini-" + name
	for _, c := range []struct{ container, what string }{
		{prefix + "-server-0", "HA server (etcd member; runs CoreDNS, local-path, metrics-server)"},
		{prefix + "-server-1", "HA server (etcd member, no addon pods)"},
		{prefix + "-agent-0", "agent"},
	} {
		mem, err := docker(ctx, "stats", "--no-stream", "--format", "{{.MemUsage}}", c.container)
		if err != nil {
			t.Fatal(err)
		}
		target := 350.0
		if c.what == "agent" {
			target = 100
		}
		record(t, benchResult{Name: "idle memory after 2 min: " + c.what, Value: parseMiB(t, mem), Unit: "MiB", Target: target,
			Note: "docker stats, HA cluster 3 servers + 3 agents"})
	}
}
