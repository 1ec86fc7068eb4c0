//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/minictl/mini/pkg/version"
)

// sandbox is one test's own KUBECONFIG file.
type sandbox struct {
	t          *testing.T
	kubeconfig string
	// lastRun is the wall time of the last mini command (benchmarks read it).
	lastRun time.Duration
	// deleted names the clusters deleteCluster removed: their logs were
	// exported then, if at all, and there is nothing left to export.
	deleted map[string]bool
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	return &sandbox{t: t, kubeconfig: filepath.Join(t.TempDir(), "kubeconfig"), deleted: map[string]bool{}}
}

// mini runs the binary with the sandbox's KUBECONFIG.
func (e *sandbox) mini(args ...string) (stdout, stderr string, err error) {
	e.t.Helper()
	if _, err := slowdown(); err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), scaled(10*time.Minute))
	defer cancel()
	cmd := exec.CommandContext(ctx, miniBinary(e.t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+e.kubeconfig)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	e.lastRun = time.Since(start)
	e.t.Logf("mini %s (%s, err %v)\n%s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), err, errOut.String())
	return out.String(), errOut.String(), err
}

// mustMini runs mini and fails the test on error.
func (e *sandbox) mustMini(args ...string) string {
	e.t.Helper()
	out, _, err := e.mini(args...)
	if err != nil {
		e.t.Fatalf("mini %v: %v", args, err)
	}
	return out
}

// createCluster creates a cluster and registers its deletion (and, on
// failure, an export of its logs and a dump of their tails).
func (e *sandbox) createCluster(name string, args ...string) {
	e.t.Helper()
	e.t.Cleanup(func() {
		if e.t.Failed() && !e.deleted[name] {
			e.explainFailure(name)
		}
		_, _, _ = e.mini("cluster", "delete", name)
	})
	e.mustMini(append([]string{"cluster", "create", name}, args...)...)
}

// deleteCluster deletes a cluster as a step of the test. If the test has
// failed by then, the cluster's logs are exported first: afterwards there
// would be nothing left to explain the failure with.
func (e *sandbox) deleteCluster(name string) {
	e.t.Helper()
	if e.t.Failed() {
		e.explainFailure(name)
	}
	e.mustMini("cluster", "delete", name)
	e.deleted[name] = true
}

// explainFailure keeps what explains a failed test while the cluster still
// exists: its logs exported, and their tails in the test output.
func (e *sandbox) explainFailure(name string) {
	e.t.Helper()
	e.exportLogs(name)
	dumpLogs(e.t, name)
}

// restConfig is the cluster's context in the sandbox kubeconfig.
func (e *sandbox) restConfig(name string) *rest.Config {
	e.t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: e.kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: "mini-" + name}).ClientConfig()
	if err != nil {
		e.t.Fatalf("kubeconfig for %s: %v", name, err)
	}
	return cfg
}

// client returns a clientset for the cluster's context in the sandbox
// kubeconfig.
func (e *sandbox) client(name string) *kubernetes.Clientset {
	e.t.Helper()
	cs, err := kubernetes.NewForConfig(e.restConfig(name))
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// readyNodes counts Ready nodes.
func readyNodes(t *testing.T, cs *kubernetes.Clientset) int {
	t.Helper()
	nodes, err := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing nodes: %v", err)
	}
	n := 0
	for _, node := range nodes.Items {
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				n++
			}
		}
	}
	return n
}

// docker runs the docker CLI and returns its trimmed output.
func dockerT(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// leftovers lists every engine object still labelled with the cluster.
func leftovers(t *testing.T, name string) string {
	t.Helper()
	filter := "label=dev.mini.cluster=" + name
	return strings.TrimSpace(strings.Join([]string{
		dockerT(t, "ps", "-a", "-q", "--filter", filter),
		dockerT(t, "network", "ls", "-q", "--filter", filter),
		dockerT(t, "volume", "ls", "-q", "--filter", filter),
	}, " "))
}

// exportLogs runs `mini cluster logs` into $MINI_E2E_LOGS (default: the
// repository's _output/e2e-logs), where CI picks it up, and logs the path.
func (e *sandbox) exportLogs(name string) {
	root := os.Getenv("MINI_E2E_LOGS")
	if root == "" {
		// go test runs in the package directory, tests/e2e.
		root = filepath.Join("..", "..", "_output", "e2e-logs")
	}
	root, err := filepath.Abs(root)
	if err == nil {
		err = os.MkdirAll(root, 0o755)
	}
	if err != nil {
		e.t.Logf("not exporting the logs of cluster %s: %v", name, err)
		return
	}
	dir := filepath.Join(root, strings.ReplaceAll(e.t.Name(), "/", "_")+"-"+name)
	out, _, err := e.mini("cluster", "logs", name, "-o", dir)
	if err != nil {
		e.t.Logf("mini cluster logs %s: %v", name, err)
		return
	}
	e.t.Logf("logs of cluster %s exported to %s", name, strings.TrimSpace(out))
}

// dumpLogs logs the tail of the cluster's containers' output to explain a
// failure right in the test output.
func dumpLogs(t *testing.T, name string) {
	out, _ := exec.Command("docker", "ps", "-a", "--format", "{{.Names}}", "--filter", "label=dev.mini.cluster="+name).Output()
	for _, c := range strings.Fields(string(out)) {
		logs, _ := exec.Command("docker", "logs", "--tail", "200", c).CombinedOutput()
		t.Logf("=== logs of %s ===\n%s", c, logs)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// miniBinary builds mini once per test binary ($MINI_E2E_BINARY skips the
// build) and checks the images cluster tests need, failing with how to
// build a missing one. It is not a TestMain so the node image tests in
// this package run without the load balancer image.
func miniBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if bin := os.Getenv("MINI_E2E_BINARY"); bin != "" {
			builtBin = bin
			return
		}
		dir, err := os.MkdirTemp("", "mini-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "mini")
		out, err := exec.Command("go", "build", "-trimpath", "-o", builtBin, "github.com/minictl/mini/cmd/mini").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building mini: %w\n%s", err, out)
			return
		}
		def := version.DefaultImages()
		for image, target := range map[string]string{def.Node: "make node-image", def.LB: "make lb-image",
			def.Registry: "make registry-image"} {
			if err := exec.Command("docker", "image", "inspect", image).Run(); err != nil {
				buildErr = fmt.Errorf("cluster tests need image %s; build it with `%s`", image, target)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}
