//go:build e2e && bench

package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

const benchRuns = 3

// TestBenchNode measures the node image alone, the way issue 2 defines it:
// container start → node Ready, → CoreDNS Available, idle memory, image
// size, with a trivial container as the floor in the same run.
func TestBenchNode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	image := nodeImage(t)

	var floor []time.Duration
	for range 5 {
		start := time.Now()
		if _, err := docker(ctx, "run", "--rm", "--entrypoint", "true", image); err != nil {
			t.Fatal(err)
		}
		floor = append(floor, time.Since(start))
	}
	record(t, benchResult{Name: "docker run of a trivial container (floor)", Value: median(floor).Seconds(), Unit: "s",
		Note: fmt.Sprintf("median of 5: %.2v", secs(floor))})

	var ready, dns []time.Duration
	var last string
	for i := range benchRuns {
		name := uniqueName("mini-bench-node")
		start := time.Now()
		startNode(t, ctx, name)
		waitReadyzAnonymous(t, ctx, name)
		cs, _ := nodeClient(t, ctx, name)
		if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 3*time.Minute, true, nodeReady(cs, name)); err != nil {
			t.Fatal(err)
		}
		ready = append(ready, time.Since(start))
		if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 3*time.Minute, true, deploymentAvailable(cs, "kube-system", "coredns")); err != nil {
			t.Fatal(err)
		}
		dns = append(dns, time.Since(start))
		t.Logf("run %d: Ready %s, CoreDNS %s", i, ready[i].Round(10*time.Millisecond), dns[i].Round(10*time.Millisecond))
		if i < benchRuns-1 {
			_, _ = docker(ctx, "rm", "-f", "-v", name)
			_, _ = docker(ctx, "volume", "rm", "-f", name+"-data")
		}
		last = name
	}
	record(t, benchResult{Name: "node container start → node Ready", Value: median(ready).Seconds(), Unit: "s", Target: 6,
		Note: fmt.Sprintf("median of %d: %.3v", benchRuns, secs(ready))})
	record(t, benchResult{Name: "node container start → CoreDNS Available", Value: median(dns).Seconds(), Unit: "s", Target: 10,
		Note: fmt.Sprintf("median of %d: %.3v", benchRuns, secs(dns))})

	// Idle memory: two quiet minutes after everything is up.
	select {
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	mem, err := docker(ctx, "stats", "--no-stream", "--format", "{{.MemUsage}}", last)
	if err != nil {
		t.Fatal(err)
	}
	record(t, benchResult{Name: "idle node memory after 2 min (docker stats)", Value: parseMiB(t, mem), Unit: "MiB", Target: 350,
		Note: "server with CoreDNS, local-path, metrics-server"})

	size, err := docker(ctx, "image", "inspect", "-f", "{{.Size}}", image)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := strconv.ParseFloat(size, 64)
	record(t, benchResult{Name: "node image size", Value: b / 1e6, Unit: "MB", Target: 300, Note: image})
}

// waitReadyzAnonymous polls /readyz on the published port without
// credentials (anonymous may read it), so timing adds no docker exec load.
func waitReadyzAnonymous(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var hostPort string
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		if hostPort == "" {
			out, err := docker(ctx, "port", name, "6443/tcp")
			if err != nil {
				return false, nil
			}
			hostPort = strings.Split(out, "\n")[0]
		}
		resp, err := client.Get("https://" + hostPort + "/readyz")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	if err != nil {
		t.Fatalf("readyz: %v", err)
	}
}

// parseMiB reads docker stats' "123.4MiB / 23.4GiB".
func parseMiB(t *testing.T, s string) float64 {
	t.Helper()
	used := strings.TrimSpace(strings.Split(s, "/")[0])
	for suffix, mul := range map[string]float64{"GiB": 1024, "MiB": 1, "KiB": 1.0 / 1024} {
		if strings.HasSuffix(used, suffix) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(used, suffix), 64)
			if err != nil {
				t.Fatal(err)
			}
			return v * mul
		}
	}
	t.Fatalf("cannot parse memory %q", s)
	return 0
}
