//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/minictl/mini/pkg/cluster"
)

// TestClusterLifecycle proves the main path: create with --wait, reach the
// nodes through the merged kubeconfig and the load balancer, list, stop,
// start with data kept, delete leaving nothing behind.
func TestClusterLifecycle(t *testing.T) {
	e := newSandbox(t)
	name := uniqueName("e2e")
	e.createCluster(name, "--agents", "1")

	// The merged kubeconfig points at the load balancer's host port.
	cfg, err := clientcmd.LoadFromFile(e.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "mini-"+name {
		t.Errorf("current-context = %q", cfg.CurrentContext)
	}
	lbPort := dockerT(t, "inspect", "--format", `{{(index (index .NetworkSettings.Ports "6443/tcp") 0).HostPort}}`, "mini-"+name+"-lb")
	if server := cfg.Clusters["mini-"+name].Server; server != "https://127.0.0.1:"+lbPort {
		t.Errorf("server = %s, want the load balancer's port %s", server, lbPort)
	}
	cs := e.client(name)
	if n := readyNodes(t, cs); n != 2 {
		t.Fatalf("%d Ready nodes, want 2", n)
	}

	var cls []cluster.Cluster
	if err := json.Unmarshal([]byte(e.mustMini("cluster", "list", name, "-o", "json")), &cls); err != nil {
		t.Fatal(err)
	}
	if len(cls) != 1 || cls[0].Name != name || len(cls[0].Servers) != 1 || len(cls[0].Agents) != 1 || cls[0].LoadBalancer == nil ||
		strconv.Itoa(cls[0].API.Port) != lbPort || cluster.Running(cls[0].Nodes()) != 3 {
		t.Errorf("cluster list -o json = %+v", cls)
	}
	if out := e.mustMini("node", "list", name, "--no-headers"); len(strings.Split(strings.TrimSpace(out), "\n")) != 3 {
		t.Errorf("node list = %q", out)
	}

	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "survivor"}, Data: map[string]string{"k": "v"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	e.mustMini("cluster", "stop", name)
	if state := dockerT(t, "inspect", "--format", "{{.State.Running}}", "mini-"+name+"-server-0"); state != "false" {
		t.Errorf("server 0 running after stop: %s", state)
	}
	e.mustMini("cluster", "start", name, "--wait")
	if ip := dockerT(t, "inspect", "--format", "{{(index .NetworkSettings.Networks \"mini-"+name+"\").IPAddress}}", "mini-"+name+"-server-0"); ip != cls[0].Servers[0].IP {
		t.Errorf("server 0 IP after start = %s, want %s", ip, cls[0].Servers[0].IP)
	}
	got, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "survivor", metav1.GetOptions{})
	if err != nil || got.Data["k"] != "v" {
		t.Fatalf("ConfigMap after stop/start: %v, %v", got, err)
	}

	e.deleteCluster(name)
	if left := leftovers(t, name); left != "" {
		t.Errorf("left behind after delete: %s", left)
	}
	cfg, err = clientcmd.LoadFromFile(e.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Contexts["mini-"+name] != nil || cfg.Clusters["mini-"+name] != nil || cfg.AuthInfos["admin@mini-"+name] != nil {
		t.Errorf("kubeconfig entries left behind: %+v", cfg)
	}
}

// TestCreateFailsOnTakenAPIPort proves a taken port is refused up front,
// with a clear error and nothing created.
func TestCreateFailsOnTakenAPIPort(t *testing.T) {
	e := newSandbox(t)
	name := uniqueName("e2e-port")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Cleanup(func() { _, _, _ = e.mini("cluster", "delete", name) })
	_, stderr, err := e.mini("cluster", "create", name, "--api-port", l.Addr().String())
	if err == nil || !strings.Contains(stderr, "--api-port") {
		t.Fatalf("create with a taken port: err %v, stderr %q", err, stderr)
	}
	if left := leftovers(t, name); left != "" {
		t.Errorf("left behind: %s", left)
	}
}

// TestCreateRollsBack proves a create that fails after making containers
// (here: a timeout too short for the API server) removes everything,
// including the kubeconfig entry.
func TestCreateRollsBack(t *testing.T) {
	e := newSandbox(t)
	name := uniqueName("e2e-rb")
	t.Cleanup(func() { _, _, _ = e.mini("cluster", "delete", name) })
	_, _, err := e.mini("cluster", "create", name, "--timeout", "1s")
	if err == nil {
		t.Fatal("create with --timeout 1s succeeded")
	}
	if left := leftovers(t, name); left != "" {
		t.Errorf("left behind after rollback: %s", left)
	}
	if cfg, err := clientcmd.LoadFromFile(e.kubeconfig); err == nil && cfg.Contexts["mini-"+name] != nil {
		t.Errorf("kubeconfig entry left behind")
	}
}

// TestTwoClusters proves two clusters side by side do not interfere: each
// answers on its own port, and deleting one leaves the other working.
func TestTwoClusters(t *testing.T) {
	e := newSandbox(t)
	a, b := uniqueName("e2e-a"), uniqueName("e2e-b")
	e.createCluster(a)
	// The launcher passes node flags through: b runs without Traefik.
	e.createCluster(b, "--k3s-arg", "--disable=traefik")
	for _, n := range []string{a, b} {
		if got := readyNodes(t, e.client(n)); got != 1 {
			t.Errorf("cluster %s: %d Ready nodes, want 1", n, got)
		}
	}
	ctx := context.Background()
	waitFor(t, ctx, "traefik in "+a, 3*time.Minute, deploymentAvailable(e.client(a), "kube-system", "traefik"))
	// Addons are applied together; once local-path runs, traefik would have been too.
	waitFor(t, ctx, "local-path in "+b, 3*time.Minute, deploymentAvailable(e.client(b), "kube-system", "local-path-provisioner"))
	if _, err := e.client(b).AppsV1().Deployments("kube-system").Get(ctx, "traefik", metav1.GetOptions{}); err == nil {
		t.Errorf("cluster %s runs traefik despite --k3s-arg --disable=traefik", b)
	}
	e.deleteCluster(a)
	if got := readyNodes(t, e.client(b)); got != 1 {
		t.Errorf("cluster %s after deleting %s: %d Ready nodes", b, a, got)
	}
	if left := leftovers(t, a); left != "" {
		t.Errorf("left behind: %s", left)
	}
}
