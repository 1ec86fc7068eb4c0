//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestClusterFromConfigFile creates clusters from files, as a team keeps
// them in a repository: a mini.dev/v1alpha1 file and a k3d v1alpha5 file of
// the same shape each give 1 server and 1 agent whose port, volume,
// environment variable and node label are all there, and `cluster delete
// -c FILE` removes the cluster the file names.
func TestClusterFromConfigFile(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "marker"), []byte("from the host"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"mini": `apiVersion: mini.dev/v1alpha1
kind: Cluster
metadata:
  name: %[1]s
servers: 1
agents: 1
ports:
  - port: "%[2]d:80"
    nodeFilters: [loadbalancer]
volumes:
  - volume: %[3]s:/mnt/e2e
    nodeFilters: ["agents:*"]
env:
  - envVar: E2E_ENV=from-file
nodeLabels:
  - label: tier=e2e
    nodeFilters: ["agent:0"]
`,
		"k3d": `apiVersion: k3d.io/v1alpha5
kind: Simple
metadata:
  name: %[1]s
servers: 1
agents: 1
ports:
  - port: %[2]d:80
    nodeFilters:
      - loadbalancer
volumes:
  - volume: %[3]s:/mnt/e2e
    nodeFilters:
      - agent:*
env:
  - envVar: E2E_ENV=from-file
    nodeFilters:
      - all
options:
  k3s:
    nodeLabels:
      - label: tier=e2e
        nodeFilters:
          - agent:0
`,
	}
	for _, kind := range []string{"mini", "k3d"} {
		t.Run(kind, func(t *testing.T) {
			e := newSandbox(t)
			name := uniqueName("e2e-" + kind)
			port := freePort(t)
			file := filepath.Join(t.TempDir(), "cluster.yaml")
			if err := os.WriteFile(file, []byte(fmt.Sprintf(files[kind], name, port, hostDir)), 0o644); err != nil {
				t.Fatal(err)
			}
			e.mustMini("config", "validate", file)
			t.Cleanup(func() { _, _, _ = e.mini("cluster", "delete", name) })
			_, stderr, err := e.mini("cluster", "create", "-c", file)
			if err != nil {
				dumpLogs(t, name)
				t.Fatalf("create -c: %v", err)
			}
			if kind == "k3d" && !strings.Contains(stderr, "k3d") {
				t.Errorf("no notice that a k3d file was read:\n%s", stderr)
			}
			cs := e.client(name)
			agent := "mini-" + name + "-agent-0"

			node, err := cs.CoreV1().Nodes().Get(ctx, agent, metav1.GetOptions{})
			if err != nil || node.Labels["tier"] != "e2e" {
				t.Errorf("agent's node labels %v (%v), want tier=e2e", node.GetLabels(), err)
			}
			if n := readyNodes(t, cs); n != 2 {
				t.Errorf("%d Ready nodes, want 2", n)
			}
			if got := dockerT(t, "exec", agent, "cat", "/mnt/e2e/marker"); got != "from the host" {
				t.Errorf("volume on the agent: %q", got)
			}
			for _, n := range []string{"mini-" + name + "-server-0", agent} {
				if got := dockerT(t, "exec", n, "printenv", "E2E_ENV"); got != "from-file" {
					t.Errorf("E2E_ENV on %s = %q", n, got)
				}
			}
			// The port reaches the cluster's ingress controller, which
			// answers 404 for a path no Ingress routes.
			waitFor(t, ctx, "Traefik behind the file's port", 3*time.Minute, func(ctx context.Context) (bool, error) {
				body, _ := httpGet(ctx, fmt.Sprintf("http://127.0.0.1:%d/", port))
				return strings.Contains(body, "404 page not found"), nil
			})

			e.mustMini("cluster", "delete", "-c", file)
			if left := leftovers(t, name); left != "" {
				t.Errorf("cluster delete -c left %s", left)
			}
		})
	}
}
