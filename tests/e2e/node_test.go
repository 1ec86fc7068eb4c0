//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
)

const testNS = "default"

// TestNodeImage boots one server node exactly as the launcher runs it and
// proves what the node image promises: a Ready node, its addons, pod
// networking, Services, DNS, logs, exec, storage, metrics, and state that
// survives a restart.
func TestNodeImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	name := uniqueName("mini-e2e-node")
	v := versions(t)
	startNode(t, ctx, name)
	cs, cfg := nodeClient(t, ctx, name)

	waitFor(t, ctx, "node Ready", 3*time.Minute, nodeReady(cs, name))
	for _, d := range []string{"coredns", "local-path-provisioner", "metrics-server", "traefik"} {
		waitFor(t, ctx, d+" Available", 4*time.Minute, deploymentAvailable(cs, "kube-system", d))
	}
	waitFor(t, ctx, "default ServiceAccount", time.Minute, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(testNS).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})

	// A Deployment of our test server behind a ClusterIP Service, and a
	// client pod that calls it by name and by ClusterIP.
	mustCreateTestApp(t, ctx, cs, v["TESTAPP_IMAGE"])
	waitFor(t, ctx, "web Available", 2*time.Minute, deploymentAvailable(cs, testNS, "web"))
	mustCreatePod(t, ctx, cs, "client", v["TESTAPP_IMAGE"], nil)
	waitFor(t, ctx, "client Ready", 2*time.Minute, podRunning(cs, testNS, "client"))

	svc, err := cs.CoreV1().Services(testNS).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// kube-proxy programs the Service about a second after the endpoints
	// appear; poll the real request rather than sleeping.
	for _, url := range []string{"http://" + svc.Spec.ClusterIP + "/", "http://web.default.svc.cluster.local/"} {
		waitFor(t, ctx, "pod → "+url, time.Minute, func(ctx context.Context) (bool, error) {
			body, err := proxyGet(ctx, cs, testNS, "client", "get", map[string]string{"url": url})
			return err == nil && strings.Contains(body, "hello from web-"), nil
		})
	}
	for _, host := range []string{"kubernetes.default", "web.default.svc.cluster.local"} {
		waitFor(t, ctx, "DNS "+host, time.Minute, func(ctx context.Context) (bool, error) {
			body, err := proxyGet(ctx, cs, testNS, "client", "dns", map[string]string{"name": host})
			return err == nil && strings.Contains(body, "10.43."), nil
		})
	}

	// servicelb gives a LoadBalancer Service the node's IP, and kube-proxy
	// forwards that IP and port to the pods.
	nodeObj, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var nodeIP string
	for _, a := range nodeObj.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			nodeIP = a.Address
		}
	}
	if _, err := cs.CoreV1().Services(testNS).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web-lb"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Port: 8081, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "LoadBalancer ingress = node IP", time.Minute, func(ctx context.Context) (bool, error) {
		s, err := cs.CoreV1().Services(testNS).Get(ctx, "web-lb", metav1.GetOptions{})
		return err == nil && len(s.Status.LoadBalancer.Ingress) == 1 && s.Status.LoadBalancer.Ingress[0].IP == nodeIP, nil
	})
	waitFor(t, ctx, "pod → LoadBalancer IP", time.Minute, func(ctx context.Context) (bool, error) {
		body, err := proxyGet(ctx, cs, testNS, "client", "get", map[string]string{"url": "http://" + nodeIP + ":8081/"})
		return err == nil && strings.Contains(body, "hello from web-"), nil
	})

	// kubectl logs and kubectl exec go API server → kubelet.
	logs, err := cs.CoreV1().Pods(testNS).GetLogs("client", &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil || !strings.Contains(string(logs), "listening on") {
		t.Fatalf("logs: %q, %v", logs, err)
	}
	mustCreatePod(t, ctx, cs, "shell", v["HELPER_IMAGE"], []string{"sleep", "3600"})
	waitFor(t, ctx, "shell Ready", 2*time.Minute, podRunning(cs, testNS, "shell"))
	if out := mustExec(t, ctx, cs, cfg, "shell", "sh", "-c", "echo exec-$((40+2))"); out != "exec-42" {
		t.Fatalf("exec output %q", out)
	}

	// A PVC on the default (local-path) StorageClass binds once a pod uses it.
	mustCreatePVCPod(t, ctx, cs, v["HELPER_IMAGE"])
	waitFor(t, ctx, "PVC Bound", 2*time.Minute, func(ctx context.Context) (bool, error) {
		pvc, err := cs.CoreV1().PersistentVolumeClaims(testNS).Get(ctx, "data", metav1.GetOptions{})
		return err == nil && pvc.Status.Phase == corev1.ClaimBound, nil
	})
	waitFor(t, ctx, "pod with PVC Ready", 2*time.Minute, podRunning(cs, testNS, "writer"))

	// kubectl top node reads the metrics API that metrics-server serves.
	waitFor(t, ctx, "node metrics", 3*time.Minute, func(ctx context.Context) (bool, error) {
		body, err := cs.RESTClient().Get().AbsPath("/apis/metrics.k8s.io/v1beta1/nodes/" + name).DoRaw(ctx)
		return err == nil && strings.Contains(string(body), `"cpu"`), nil
	})

	// State survives a restart of the node container (SQLite on the volume).
	if _, err := cs.CoreV1().ConfigMaps(testNS).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "survivor"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := docker(ctx, "restart", name); err != nil {
		t.Fatal(err)
	}
	cs, _ = nodeClient(t, ctx, name)
	waitFor(t, ctx, "API after restart", 2*time.Minute, func(ctx context.Context) (bool, error) {
		cm, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "survivor", metav1.GetOptions{})
		return err == nil && cm.Data["k"] == "v", nil
	})
	waitFor(t, ctx, "node Ready after restart", 3*time.Minute, nodeReady(cs, name))
	if _, err := cs.AppsV1().Deployments(testNS).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Fatalf("deployment lost across restart: %v", err)
	}
	// Status fields can still show the pre-restart state; real traffic
	// through the restarted pods and Service cannot.
	waitFor(t, ctx, "pod → Service after restart", 3*time.Minute, func(ctx context.Context) (bool, error) {
		body, err := proxyGet(ctx, cs, testNS, "client", "get", map[string]string{"url": "http://web.default.svc.cluster.local/"})
		return err == nil && strings.Contains(body, "hello from web-"), nil
	})
	if pvc, err := cs.CoreV1().PersistentVolumeClaims(testNS).Get(ctx, "data", metav1.GetOptions{}); err != nil || pvc.Status.Phase != corev1.ClaimBound {
		t.Fatalf("pvc after restart: %v", err)
	}
}

// TestNodeDisableCoreDNS proves --disable leaves an addon out while the
// others still deploy.
func TestNodeDisableCoreDNS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	name := uniqueName("mini-e2e-node")
	startNode(t, ctx, name, "--disable", "coredns", "--disable", "metrics-server", "--disable", "traefik")
	cs, _ := nodeClient(t, ctx, name)
	waitFor(t, ctx, "node Ready", 3*time.Minute, nodeReady(cs, name))
	waitFor(t, ctx, "local-path-provisioner Available", 4*time.Minute, deploymentAvailable(cs, "kube-system", "local-path-provisioner"))
	for _, d := range []string{"coredns", "metrics-server", "traefik"} {
		if _, err := cs.AppsV1().Deployments("kube-system").Get(ctx, d, metav1.GetOptions{}); err == nil {
			t.Errorf("%s deployed despite --disable", d)
		}
	}
	if _, err := cs.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{}); err == nil {
		t.Error("kube-dns Service deployed despite --disable coredns")
	}
	if _, err := cs.NetworkingV1().IngressClasses().Get(ctx, "traefik", metav1.GetOptions{}); err == nil {
		t.Error("traefik IngressClass deployed despite --disable traefik")
	}
}

// TestNodeBadFlag proves bad input stops the node before anything starts.
func TestNodeBadFlag(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"server", "--no-such-flag"}, "--no-such-flag"},
		{[]string{"server", "--cluster-cidr", "banana"}, "--cluster-cidr"},
		{[]string{"server", "--disable", "coredsn"}, "coredsn"},
	} {
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "docker", append([]string{"run", "--rm", nodeImage(t)}, tc.args...)...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		if err == nil {
			t.Errorf("%v: exit 0, want failure", tc.args)
			continue
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stderr %q does not name %q", tc.args, stderr.String(), tc.want)
		}
	}
}

func mustCreateTestApp(t *testing.T, ctx context.Context, cs kubernetes.Interface, image string) {
	t.Helper()
	labels := map[string]string{"app": "web"}
	_, err := cs.AppsV1().Deployments(testNS).Create(ctx, deployment("web", image, 1), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Services(testNS).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func testContainer(image string, command []string) corev1.Container {
	c := corev1.Container{Name: "main", Image: image, ImagePullPolicy: corev1.PullIfNotPresent, Command: command}
	if command == nil {
		c.Ports = []corev1.ContainerPort{{ContainerPort: 8080}}
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 1}
	}
	return c
}

func mustCreatePod(t *testing.T, ctx context.Context, cs kubernetes.Interface, name, image string, command []string) {
	t.Helper()
	_, err := cs.CoreV1().Pods(testNS).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{testContainer(image, command)}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func mustCreatePVCPod(t *testing.T, ctx context.Context, cs kubernetes.Interface, image string) {
	t.Helper()
	_, err := cs.CoreV1().PersistentVolumeClaims(testNS).Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("64Mi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := testContainer(image, []string{"sh", "-c", "echo persisted > /data/file && sleep 3600"})
	c.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	_, err = cs.CoreV1().Pods(testNS).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "writer"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{c}, Volumes: []corev1.Volume{{Name: "data",
			VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func mustExec(t *testing.T, ctx context.Context, cs kubernetes.Interface, cfg *rest.Config, pod string, command ...string) string {
	t.Helper()
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(testNS).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "main", Command: command, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	exec, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr}); err != nil {
		t.Fatalf("exec %v: %v (stderr %q)", command, err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// TestJoinRefusals proves an agent checks the server's CA against the hash
// in its token before trusting it, that a server refuses to join a SQLite
// server, and that both say why.
func TestJoinRefusals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	server := uniqueName("mini-e2e-node")
	startNode(t, ctx, server)
	nodeClient(t, ctx, server) // the API serves, so cluster-info can be read
	ip, err := docker(ctx, "inspect", "-f", "{{.NetworkSettings.IPAddress}}", server)
	if err != nil {
		t.Fatal(err)
	}
	server0 := "https://" + ip + ":6443"
	stderr, err := runNodeForeground(t, ctx, uniqueName("mini-e2e-agent"), "agent",
		"--server", server0, "--token", "K10"+strings.Repeat("0", 64)+"::server:wrong")
	if err == nil {
		t.Fatal("agent with a wrong CA hash exited 0")
	}
	if !strings.Contains(stderr, "server CA does not match the token") {
		t.Fatalf("agent did not say why it refused:\n%s", stderr)
	}

	// The same SQLite server refuses a second server: its datastore cannot
	// be shared, and the joiner must say so rather than start a new cluster.
	tok, err := docker(ctx, "exec", server, "cat", "/var/lib/mini/server/token")
	if err != nil {
		t.Fatal(err)
	}
	stderr, err = runNodeForeground(t, ctx, uniqueName("mini-e2e-server"), "server",
		"--server", server0, "--token", strings.TrimSpace(tok))
	if err == nil {
		t.Fatal("a server joining a SQLite server exited 0")
	}
	if !strings.Contains(stderr, "keeps its state in SQLite") || !strings.Contains(stderr, "--cluster-init") {
		t.Fatalf("joining server did not say why it refused:\n%s", stderr)
	}
}

// runNodeForeground runs a node container to its exit and returns its stderr.
func runNodeForeground(t *testing.T, ctx context.Context, name string, cmdArgs ...string) (string, error) {
	t.Helper()
	args := append(nodeRunArgs(name, name+"-data"), nodeImage(t))
	args = append(args, cmdArgs...)
	args[1] = "--rm" // run in the foreground instead of -d
	t.Cleanup(func() {
		_, _ = docker(context.Background(), "rm", "-f", "-v", name)
		_, _ = docker(context.Background(), "volume", "rm", "-f", name+"-data")
	})
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.String(), err
}

// TestNodeEmbeddedEtcd proves --cluster-init runs the node on embedded etcd
// instead of SQLite, with state surviving a restart.
func TestNodeEmbeddedEtcd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	name := uniqueName("mini-e2e-node")
	startNode(t, ctx, name, "--cluster-init")
	cs, _ := nodeClient(t, ctx, name)
	waitFor(t, ctx, "node Ready", 3*time.Minute, nodeReady(cs, name))
	if _, err := docker(ctx, "exec", name, "test", "-d", "/var/lib/mini/server/db/etcd/member"); err != nil {
		t.Fatalf("no etcd member directory: %v", err)
	}
	if _, err := docker(ctx, "exec", name, "test", "!", "-e", "/var/lib/mini/server/db/state.db"); err != nil {
		t.Fatalf("SQLite used despite --cluster-init: %v", err)
	}
	if _, err := cs.CoreV1().ConfigMaps(testNS).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "in-etcd"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := docker(ctx, "restart", name); err != nil {
		t.Fatal(err)
	}
	cs, _ = nodeClient(t, ctx, name)
	waitFor(t, ctx, "ConfigMap after restart", 2*time.Minute, func(ctx context.Context) (bool, error) {
		cm, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "in-etcd", metav1.GetOptions{})
		return err == nil && cm.Data["k"] == "v", nil
	})
}
