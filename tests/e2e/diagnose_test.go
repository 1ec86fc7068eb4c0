//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minictl/mini/pkg/cluster"
)

// TestDoctor runs every check against this machine's engine: they must
// pass here (warnings allowed), and doctor must leave nothing behind.
func TestDoctor(t *testing.T) {
	e := newSandbox(t)
	out, _, err := e.mini("doctor")
	t.Logf("mini doctor:\n%s", out)
	if err != nil {
		t.Fatalf("mini doctor: %v", err)
	}
	for _, check := range []string{"engine", "node-image", "lb-image", "registry-image", "privileged", "cgroups", "disk", "dns", "inotify", "ports"} {
		if !strings.Contains(out, "✓ "+check+": ") {
			t.Errorf("no passed %s check in the output", check)
		}
	}
	const doctor = "label=dev.mini.role=doctor"
	if left := dockerT(t, "ps", "-a", "-q", "--filter", doctor) + dockerT(t, "network", "ls", "-q", "--filter", doctor); left != "" {
		t.Errorf("doctor left containers or networks behind: %s", left)
	}
}

// TestClusterLogs collects a running cluster's logs into a directory.
func TestClusterLogs(t *testing.T) {
	e := newSandbox(t)
	name := uniqueName("logs")
	e.createCluster(name)
	// CoreDNS Available: at least one kube-system pod has run and logged.
	waitFor(t, context.Background(), "coredns Available", 3*time.Minute, deploymentAvailable(e.client(name), "kube-system", "coredns"))

	dir := filepath.Join(t.TempDir(), "logs")
	if out := strings.TrimSpace(e.mustMini("cluster", "logs", name, "-o", dir)); out != dir {
		t.Errorf("stdout %q, want the output path %s", out, dir)
	}
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Error(err)
		}
		return string(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "errors.txt")); err == nil {
		// Pods still starting cannot give logs yet; that is not this test's concern.
		t.Logf("errors.txt:\n%s", b)
	}
	server := "mini-" + name + "-server-0"
	// kubelet runs inside mini-node, so its log is the node's output.
	if log := read(server + "/docker.log"); !strings.Contains(log, "kubelet_node_status.go") {
		t.Errorf("%s/docker.log has no kubelet lines (%d bytes)", server, len(log))
	}
	if log := read(server + "/containerd.log"); log == "" {
		t.Errorf("%s/containerd.log is empty", server)
	}
	pods, _ := filepath.Glob(filepath.Join(dir, "kubernetes", "pods", "kube-system", "coredns-*.log"))
	if len(pods) == 0 {
		t.Fatalf("no coredns pod log in %s/kubernetes/pods/kube-system", dir)
	}
	if b, err := os.ReadFile(pods[0]); err != nil || len(b) == 0 {
		t.Errorf("%s: %d bytes, %v; want CoreDNS's startup lines", pods[0], len(b), err)
	}
	if nodes := read("kubernetes/nodes.txt"); !strings.Contains(nodes, server) {
		t.Errorf("kubernetes/nodes.txt = %q, want %s listed", nodes, server)
	}
	var cls []cluster.Cluster
	if err := json.Unmarshal([]byte(read("cluster.json")), &cls); err != nil || len(cls) != 1 || cls[0].Name != name {
		t.Errorf("cluster.json: %v, %+v", err, cls)
	}
	if conf := read("mini-" + name + "-lb/stream.conf"); !strings.Contains(conf, "6443") {
		t.Errorf("load balancer config %q, want the API's port", conf)
	}
}
