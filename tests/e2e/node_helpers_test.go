//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/minictl/mini/pkg/version"
)

// nodeImage is the image under test: $MINI_NODE_IMAGE, else the default
// (which TestDefaultsMatchImages ties to images/versions.env).
func nodeImage(t *testing.T) string {
	t.Helper()
	if img := os.Getenv("MINI_NODE_IMAGE"); img != "" {
		return img
	}
	return version.DefaultImages().Node
}

// versions reads images/versions.env, the one list of pinned images.
func versions(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../images/versions.env")
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, val, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			v[k] = val
		}
	}
	return v
}

func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func docker(ctx context.Context, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// nodeRunArgs are the container settings the launcher uses for a node: the
// emulated-privileged form from docs (works where --privileged is refused).
func nodeRunArgs(name, volume string) []string {
	return []string{"run", "-d", "--name", name, "--hostname", name,
		"--label", "dev.mini.e2e=node",
		"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
		"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
		"--security-opt", "systempaths=unconfined",
		"--device-cgroup-rule", "a *:* rwm", "--device", "/dev/kmsg",
		"--cgroupns", "private", "--init",
		"--tmpfs", "/run", "--tmpfs", "/var/run", "--tmpfs", "/tmp",
		"-v", volume + ":/var/lib/mini",
		"-p", "127.0.0.1::6443",
	}
}

// startNode runs a node container and removes it (with its volume) when the
// test ends, dumping its logs first if the test failed.
func startNode(t *testing.T, ctx context.Context, name string, serverArgs ...string) {
	t.Helper()
	volume := name + "-data"
	args := append(nodeRunArgs(name, volume), nodeImage(t), "server", "--node-name", name)
	args = append(args, serverArgs...)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if t.Failed() {
			logs, _ := exec.CommandContext(cctx, "docker", "logs", "--tail", "150", name).CombinedOutput()
			t.Logf("logs of %s:\n%s", name, logs)
		}
		_, _ = docker(cctx, "rm", "-f", "-v", name)
		_, _ = docker(cctx, "volume", "rm", "-f", volume)
	})
	if _, err := docker(ctx, args...); err != nil {
		t.Fatal(err)
	}
}

// nodeClient waits until the node has written its admin kubeconfig (it does
// so only once the API serves) and returns a client through the published port.
func nodeClient(t *testing.T, ctx context.Context, name string) (*kubernetes.Clientset, *rest.Config) {
	t.Helper()
	var kubeconfig string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		out, err := docker(ctx, "exec", name, "cat", "/etc/mini/kubeconfig.yaml")
		if err != nil {
			if st, _ := docker(ctx, "inspect", "-f", "{{.State.Running}}", name); st == "false" {
				return false, fmt.Errorf("node container %s exited", name)
			}
			return false, nil
		}
		kubeconfig = out
		return true, nil
	})
	if err != nil {
		t.Fatalf("waiting for kubeconfig: %v", err)
	}
	hostPort, err := docker(ctx, "port", name, "6443/tcp")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig([]byte(kubeconfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host = "https://" + strings.Split(hostPort, "\n")[0]
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs, cfg
}

func waitFor(t *testing.T, ctx context.Context, what string, timeout time.Duration, cond func(context.Context) (bool, error)) {
	t.Helper()
	start := time.Now()
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, scaled(timeout), true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	t.Logf("%s after %s", what, time.Since(start).Round(100*time.Millisecond))
}

// mustCreate makes an object with create, trying again while the API
// server only says it was too slow: its own request timeout (seen under
// software emulation in `make test-vm`, where a write can outlast the
// server's 60 s) or 429. Such a write may have landed anyway, so
// AlreadyExists on a retry is success. Any other error fails the test.
func mustCreate(t *testing.T, ctx context.Context, what string, create func(context.Context) error) {
	t.Helper()
	retried := false
	err := wait.PollUntilContextTimeout(ctx, time.Second, scaled(2*time.Minute), true, func(ctx context.Context) (bool, error) {
		err := create(ctx)
		switch {
		case err == nil, retried && apierrors.IsAlreadyExists(err):
			return true, nil
		case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err), apierrors.IsTooManyRequests(err):
			t.Logf("creating %s: %v; trying again", what, err)
			retried = true
			return false, nil
		}
		return false, err
	})
	if err != nil {
		t.Fatalf("creating %s: %v", what, err)
	}
}

func nodeReady(cs kubernetes.Interface, name string) func(context.Context) (bool, error) {
	return nodeReadySince(cs, name, time.Time{})
}

// nodeReadySince reports whether the node is Ready with a heartbeat after since.
func nodeReadySince(cs kubernetes.Interface, name string, since time.Time) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == corev1.ConditionTrue && c.LastHeartbeatTime.After(since), nil
			}
		}
		return false, nil
	}
}

func deploymentAvailable(cs kubernetes.Interface, ns, name string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		return d.Status.AvailableReplicas > 0 && d.Status.AvailableReplicas == d.Status.Replicas, nil
	}
}

func podRunning(cs kubernetes.Interface, ns, name string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	}
}

// proxyGet calls a pod's HTTP endpoint through the API server's proxy.
func proxyGet(ctx context.Context, cs kubernetes.Interface, ns, pod, path string, params map[string]string) (string, error) {
	req := cs.CoreV1().RESTClient().Get().Namespace(ns).Resource("pods").Name(pod + ":8080").SubResource("proxy").Suffix(path)
	for k, v := range params {
		req = req.Param(k, v)
	}
	body, err := req.DoRaw(ctx)
	return string(body), err
}
