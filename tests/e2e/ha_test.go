//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// TestHACluster proves the HA story on one 3-server + 2-agent cluster (its
// create is the expensive part, so the steps share it): every node Ready,
// pods on every node reaching each other, the API surviving the loss of
// server 0 and server 0 rejoining, servers and agents added and removed
// while the cluster runs, a stop/start that keeps state, and a Docker
// daemon restart the cluster comes back from on its own.
func TestHACluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	e := newSandbox(t)
	name := uniqueName("e2e-ha")
	e.createCluster(name, "--servers", "3", "--agents", "2")
	prefix := "mini-" + name
	servers := []string{prefix + "-server-0", prefix + "-server-1", prefix + "-server-2"}
	agents := []string{prefix + "-agent-0", prefix + "-agent-1"}
	cs := e.client(name)
	v := versions(t)

	if n := readyNodes(t, cs); n != 5 {
		t.Fatalf("%d Ready nodes, want 5", n)
	}
	for _, s := range servers {
		node, err := cs.CoreV1().Nodes().Get(ctx, s, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if node.Labels["node-role.kubernetes.io/etcd"] != "true" || node.Labels["node-role.kubernetes.io/control-plane"] != "true" {
			t.Errorf("server %s labels = %v", s, node.Labels)
		}
	}
	waitMembers(t, ctx, servers[1], servers...)

	t.Run("pods spread and reach each other", func(t *testing.T) {
		mustCreateSpread(t, ctx, cs, v["TESTAPP_IMAGE"], 5)
		waitFor(t, ctx, "spread Available", 3*time.Minute, deploymentAvailable(cs, testNS, "spread"))
		pods, err := cs.CoreV1().Pods(testNS).List(ctx, metav1.ListOptions{LabelSelector: "app=spread"})
		if err != nil {
			t.Fatal(err)
		}
		nodes := map[string]bool{}
		for _, p := range pods.Items {
			nodes[p.Spec.NodeName] = true
		}
		if len(nodes) != 5 {
			t.Fatalf("5 replicas landed on %d nodes (%v), want one per node", len(nodes), nodes)
		}
		// Each pod calls the next one by pod IP (crossing nodes) and the
		// Service by name (DNS from every node).
		for i, p := range pods.Items {
			next := pods.Items[(i+1)%len(pods.Items)]
			for _, url := range []string{"http://" + net.JoinHostPort(next.Status.PodIP, "8080") + "/", "http://spread.default.svc.cluster.local/"} {
				waitFor(t, ctx, fmt.Sprintf("%s (on %s) GET %s", p.Name, p.Spec.NodeName, url), time.Minute, func(ctx context.Context) (bool, error) {
					body, err := proxyGet(ctx, cs, testNS, p.Name, "/get", map[string]string{"url": url})
					return err == nil && strings.HasPrefix(body, "200\nhello from "), nil
				})
			}
		}
	})

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "survivor"}, Data: map[string]string{"k": "v"}}
	if _, err := cs.CoreV1().ConfigMaps(testNS).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	t.Run("server 0 killed and restarted", func(t *testing.T) {
		dockerT(t, "kill", servers[0])
		killed := time.Now()
		// A fresh connection per try, as kubectl makes: a kept-alive one
		// through the load balancer would still lead to the dead server.
		answered := false
		for time.Since(killed) < 5*time.Second {
			if _, err := freshClient(t, e, name).CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err == nil {
				answered = true
				break
			}
		}
		t.Logf("API answered through the load balancer %s after server 0 was killed", time.Since(killed).Round(time.Millisecond))
		if !answered {
			t.Fatal("the API did not answer through the load balancer within 5 s of server 0's death")
		}
		mustCreateDeployment(t, ctx, cs, "after-kill", v["TESTAPP_IMAGE"], 1)
		waitFor(t, ctx, "after-kill Available", 3*time.Minute, deploymentAvailable(cs, testNS, "after-kill"))

		started := time.Now()
		dockerT(t, "start", servers[0])
		waitMembers(t, ctx, servers[0], servers...)
		waitFor(t, ctx, servers[0]+" Ready again", 3*time.Minute, nodeReadySince(cs, servers[0], started))
	})

	t.Run("nodes added and removed", func(t *testing.T) {
		e.mustMini("node", "create", "extra", "--cluster", name)
		e.mustMini("node", "create", "extrasrv", "--cluster", name, "--role", "server")
		agent, server := prefix+"-extra-0", prefix+"-extrasrv-0"
		for _, n := range []string{agent, server} {
			waitFor(t, ctx, n+" Ready", 3*time.Minute, nodeReady(cs, n))
		}
		waitMembers(t, ctx, servers[1], append(slices.Clone(servers), server)...)
		ip := containerIP(t, server, prefix)
		if conf := lbConfig(t, prefix); !strings.Contains(conf, ip+":6443") {
			t.Errorf("load balancer does not front the new server %s:\n%s", ip, conf)
		}

		e.mustMini("node", "delete", agent, server, "--cluster", name)
		for _, n := range []string{agent, server} {
			if _, err := cs.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{}); err == nil {
				t.Errorf("node %s still in the API after delete", n)
			}
			if out := dockerT(t, "ps", "-a", "-q", "--filter", "name=^"+n+"$"); out != "" {
				t.Errorf("container %s left after delete", n)
			}
		}
		waitMembers(t, ctx, servers[1], servers...)
		if conf := lbConfig(t, prefix); strings.Contains(conf, ip+":6443") {
			t.Errorf("load balancer still fronts the deleted server %s:\n%s", ip, conf)
		}
	})

	t.Run("stop and start", func(t *testing.T) {
		e.mustMini("cluster", "stop", name)
		e.mustMini("cluster", "start", name, "--wait")
		if n := readyNodes(t, cs); n != 5 {
			t.Fatalf("%d Ready nodes after start, want 5", n)
		}
		got, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "survivor", metav1.GetOptions{})
		if err != nil || got.Data["k"] != "v" {
			t.Fatalf("ConfigMap after stop/start: %v, %v", got, err)
		}
		waitMembers(t, ctx, servers[2], servers...)
		for _, a := range agents {
			if ip := containerIP(t, a, prefix); ip == "" {
				t.Errorf("agent %s has no IP after start", a)
			}
		}
	})

	t.Run("docker daemon restart", func(t *testing.T) {
		restartOwnDaemon(t, ctx)
		restarted := time.Now()
		for _, n := range append(slices.Clone(servers), agents...) {
			waitFor(t, ctx, n+" Ready after the daemon restart", 5*time.Minute, nodeReadySince(cs, n, restarted))
		}
		got, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "survivor", metav1.GetOptions{})
		if err != nil || got.Data["k"] != "v" {
			t.Fatalf("ConfigMap after the daemon restart: %v, %v", got, err)
		}
		waitMembers(t, ctx, servers[0], servers...)
	})
}

// restartOwnDaemon stops the Docker engine hack/ensure-docker.sh started
// (its pid file says so) and starts it again with that script. An engine
// someone else runs (a laptop's systemd unit, a remote DOCKER_HOST) is not
// this test's to restart, and then the test is skipped, saying why.
func restartOwnDaemon(t *testing.T, ctx context.Context) {
	t.Helper()
	pidfile := os.Getenv("MINI_DOCKERD_PIDFILE")
	if pidfile == "" {
		pidfile = "/var/run/mini-dockerd.pid"
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Skipf("the Docker engine was not started by hack/ensure-docker.sh (%v); not restarting someone else's engine", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || syscall.Kill(pid, 0) != nil {
		t.Skipf("%s names no running dockerd; not restarting an engine this test did not start", pidfile)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("stopping dockerd %d: %v", pid, err)
	}
	waitFor(t, ctx, "dockerd to exit", 2*time.Minute, func(context.Context) (bool, error) {
		return syscall.Kill(pid, 0) != nil, nil
	})
	out, err := exec.CommandContext(ctx, "bash", "../../hack/ensure-docker.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("starting dockerd again: %v\n%s", err, out)
	}
}

// etcdMember is one line of `mini-node etcd members -o json`.
type etcdMember struct {
	Name    string `json:"name"`
	Started bool   `json:"started"`
	Learner bool   `json:"learner"`
	Healthy bool   `json:"healthy"`
}

// waitMembers waits until etcd, asked on server via, has exactly the members
// want, every one started, a voter and healthy.
func waitMembers(t *testing.T, ctx context.Context, via string, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	var last string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		out, err := docker(ctx, "exec", via, "mini-node", "etcd", "members", "-o", "json")
		if err != nil {
			last = err.Error()
			return false, nil
		}
		last = out
		var members []etcdMember
		if err := json.Unmarshal([]byte(out), &members); err != nil {
			return false, fmt.Errorf("etcd members output %q: %w", out, err)
		}
		var names []string
		for _, m := range members {
			if !m.Started || m.Learner || !m.Healthy {
				return false, nil
			}
			names = append(names, m.Name)
		}
		slices.Sort(names)
		return slices.Equal(names, want), nil
	})
	if err != nil {
		t.Fatalf("etcd members (asked on %s) never became %v, all started voters and healthy: %v; last answer:\n%s", via, want, err, last)
	}
}

// freshClient returns a client with its own connections and a short
// timeout, for probing the API right after a failure.
func freshClient(t *testing.T, e *sandbox, name string) kubernetes.Interface {
	t.Helper()
	cfg := e.restConfig(name)
	cfg.Timeout = 2 * time.Second
	// A custom dialer keeps client-go from sharing a cached transport.
	cfg.Dial = (&net.Dialer{Timeout: 2 * time.Second}).DialContext
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// containerIP is a container's address on the cluster network.
func containerIP(t *testing.T, container, network string) string {
	t.Helper()
	return dockerT(t, "inspect", "--format", `{{(index .NetworkSettings.Networks "`+network+`").IPAddress}}`, container)
}

// lbConfig is the load balancer's rendered stream configuration.
func lbConfig(t *testing.T, prefix string) string {
	t.Helper()
	return dockerT(t, "exec", prefix+"-lb", "cat", "/etc/nginx/mini/stream.conf")
}

// mustCreateSpread creates a Deployment of the test app with one replica per
// node (a hard topology spread) and a Service in front of it.
func mustCreateSpread(t *testing.T, ctx context.Context, cs kubernetes.Interface, image string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": "spread"}
	d := deployment("spread", image, replicas)
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector: &metav1.LabelSelector{MatchLabels: labels},
	}}
	if _, err := cs.AppsV1().Deployments(testNS).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := cs.CoreV1().Services(testNS).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "spread"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func mustCreateDeployment(t *testing.T, ctx context.Context, cs kubernetes.Interface, name, image string, replicas int32) {
	t.Helper()
	if _, err := cs.AppsV1().Deployments(testNS).Create(ctx, deployment(name, image, replicas), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// deployment is the test app as a Deployment labelled app=name.
func deployment(name, image string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{testContainer(image, nil)}},
			},
		},
	}
}
