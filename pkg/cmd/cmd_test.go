package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/fake"
	"github.com/minictl/mini/pkg/version"
)

type env struct {
	rt       *fake.Runtime
	kube     *k8sfake.Clientset
	out, err bytes.Buffer
	home     string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{rt: fake.New(version.DefaultImages().Node, version.DefaultImages().LB), home: t.TempDir(), kube: k8sfake.NewClientset()}
	e.rt.Hooks.Exec = fake.ServeKubeconfig
	return e
}

func (e *env) run(t *testing.T, args ...string) error {
	t.Helper()
	e.out.Reset()
	e.err.Reset()
	app := &App{
		Streams:    Streams{In: strings.NewReader(""), Out: &e.out, ErrOut: &e.err},
		Logger:     logrus.New(),
		NewRuntime: func() (runtime.Runtime, error) { return e.rt, nil },
		Getenv: func(k string) string {
			if k == "HOME" {
				return e.home
			}
			return ""
		},
		ProviderOptions: []cluster.Option{
			cluster.WithPrivileged(false),
			cluster.WithPollInterval(time.Millisecond),
			cluster.WithHostPrefixes(func() []string { return nil }),
			cluster.WithReadyWaiter(func(context.Context, *clientcmdapi.Config, cluster.Usable) error { return nil }),
			cluster.WithKubeClient(func(*clientcmdapi.Config) (kubernetes.Interface, error) { return e.kube, nil }),
		},
	}
	return Run(context.Background(), app, args)
}

func TestCreateFlagsReachTheNodes(t *testing.T) {
	e := newEnv(t)
	kc := filepath.Join(t.TempDir(), "kc")
	err := e.run(t, "cluster", "create", "dev", "-s", "1", "-a", "2", "--kubeconfig", kc,
		"-e", "A=1@agent:0", "-e", "B=x,y@agents:*", "--k3s-arg", "--disable=traefik@server:0",
		"--label", "tier=edge@agent:1", "--servers-memory", "1g", "--api-port", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	a0, a1, s1 := e.rt.Container("mini-dev-agent-0").Spec, e.rt.Container("mini-dev-agent-1").Spec, e.rt.Container("mini-dev-server-0").Spec
	if !slices.Contains(a0.Env, "A=1") || slices.Contains(a1.Env, "A=1") || !slices.Contains(a1.Env, "B=x,y") {
		t.Errorf("env: a0 %v a1 %v", a0.Env, a1.Env)
	}
	if !slices.Contains(s1.Cmd, "--disable=traefik") || !slices.Contains(a1.Cmd, "tier=edge") || s1.MemoryBytes != 1<<30 {
		t.Errorf("s1 %v (mem %d), a1 %v", s1.Cmd, s1.MemoryBytes, a1.Cmd)
	}
	if e.out.Len() != 0 {
		t.Errorf("create wrote to stdout: %q", e.out.String())
	}
	if kcfg, err := clientcmd.LoadFromFile(kc); err != nil || kcfg.CurrentContext != "mini-dev" {
		t.Errorf("--kubeconfig %s not written: %v", kc, err)
	}
	if !strings.Contains(e.err.String(), "✓ Starting 1 server(s)") {
		t.Errorf("no progress on stderr: %q", e.err.String())
	}

	if err := e.run(t, "cluster", "list", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var cls []cluster.Cluster
	if err := json.Unmarshal(e.out.Bytes(), &cls); err != nil || len(cls) != 1 || len(cls[0].Agents) != 2 {
		t.Fatalf("list -o json = %s (%v)", e.out.String(), err)
	}
	if err := e.run(t, "node", "list", "--no-headers"); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(e.out.String()), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "mini-dev-lb") {
		t.Errorf("node list = %q", e.out.String())
	}
	if err := e.run(t, "cluster", "delete", "dev", "--kubeconfig", kc); err != nil {
		t.Fatal(err)
	}
	if n := e.rt.ContainerNames(); len(n) != 0 {
		t.Errorf("containers after delete: %v", n)
	}
	if kcfg, err := clientcmd.LoadFromFile(kc); err != nil || kcfg.Contexts["mini-dev"] != nil {
		t.Errorf("--kubeconfig %s still has mini-dev after delete: %v", kc, err)
	}
}

// freePort returns a host port nothing listens on now: --port values are
// checked against the host.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func TestPortFlags(t *testing.T) {
	e := newEnv(t)
	web, extra := freePort(t), freePort(t)
	err := e.run(t, "cluster", "create", "dev", "-a", "2", "-p", web+":80@agent:0,1", "--port", "30000-30001/udp")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	if err := e.run(t, "cluster", "list", "dev", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var cls []cluster.Cluster
	if err := json.Unmarshal(e.out.Bytes(), &cls); err != nil || len(cls) != 1 {
		t.Fatalf("list -o json = %s (%v)", e.out.String(), err)
	}
	want := []string{"127.0.0.1:" + web + ":80/tcp@agent:0,1", "127.0.0.1:30000-30001:30000-30001/udp@all"}
	if !slices.Equal(cls[0].Ports, want) || !slices.Contains(cls[0].LoadBalancer.Ports, "127.0.0.1:"+web+"->80/tcp") {
		t.Errorf("ports %v, load balancer publishes %v; want %v", cls[0].Ports, cls[0].LoadBalancer.Ports, want)
	}
	if err := e.run(t, "cluster", "edit", "dev", "--port-add", extra+":90", "--port-delete", web+":80"); err != nil {
		t.Fatalf("edit: %v\n%s", err, e.err.String())
	}
	if got := e.rt.Container("mini-dev-lb").Spec.Labels[cluster.LabelPorts]; got != want[1]+" 127.0.0.1:"+extra+":90/tcp@all" {
		t.Errorf("ports after edit: %q", got)
	}
	if err := e.run(t, "cluster", "edit", "dev", "--port-delete", web+":80"); ExitCode(err) != 1 || !strings.Contains(err.Error(), "no such port") {
		t.Errorf("deleting a port twice: %v", err)
	}
	if err := e.run(t, "cluster", "edit"); ExitCode(err) != 2 {
		t.Errorf("edit without a name: %v", err)
	}
}

func TestNodeCommands(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "cluster", "create", "dev"); err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	ready := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "mini-dev-w-0"},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	if err := e.kube.Tracker().Add(ready); err != nil {
		t.Fatal(err)
	}
	if err := e.run(t, "node", "create", "w", "--cluster", "dev", "--memory", "1g"); err != nil {
		t.Fatalf("node create: %v\n%s", err, e.err.String())
	}
	if c := e.rt.Container("mini-dev-w-0"); c == nil || c.Spec.MemoryBytes != 1<<30 || e.out.Len() != 0 {
		t.Fatalf("node create made %v, stdout %q", e.rt.ContainerNames(), e.out.String())
	}
	if !strings.Contains(e.err.String(), "Waiting until the new node(s) take pods: 1 node(s) Ready") {
		t.Errorf("no progress on stderr: %q", e.err.String())
	}
	if err := e.run(t, "node", "list", "-c", "dev", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(e.out.Bytes(), &rows); err != nil || len(rows) != 3 || rows[2]["name"] != "mini-dev-w-0" ||
		rows[2]["role"] != "agent" || rows[2]["cluster"] != "dev" || rows[2]["ip"] != "172.30.0.100" || rows[2]["state"] != "running" {
		t.Errorf("node list -o json = %s (%v)", e.out.String(), err)
	}
	if err := e.run(t, "node", "stop", "w-0", "-c", "dev"); err != nil || e.rt.Container("mini-dev-w-0").Running {
		t.Errorf("node stop: %v", err)
	}
	if err := e.run(t, "node", "start", "mini-dev-w-0"); err != nil || !e.rt.Container("mini-dev-w-0").Running {
		t.Errorf("node start: %v", err)
	}
	err := e.run(t, "node", "create", "s", "--role", "server")
	if ExitCode(err) != 1 || !strings.Contains(err.Error(), "SQLite") {
		t.Errorf("adding a server to a SQLite cluster: %v", err)
	}
	err = e.run(t, "node", "delete", "w-0", "mini-dev-lb", "-c", "dev")
	if ExitCode(err) != 1 || !strings.Contains(err.Error(), "load balancer") || e.rt.Container("mini-dev-w-0") != nil {
		t.Errorf("node delete: %v; containers %v", err, e.rt.ContainerNames())
	}
	for _, args := range [][]string{{"node", "delete"}, {"node", "create"}, {"node", "start"}, {"node", "create", "a", "b"}} {
		if err := e.run(t, args...); ExitCode(err) != 2 {
			t.Errorf("mini %v: %v, want a usage error", args, err)
		}
	}
}

func TestEnvironmentSetsFlags(t *testing.T) {
	e := newEnv(t)
	t.Setenv("MINI_AGENTS", "2")
	t.Setenv("MINI_NO_LB", "true")
	// The flag beats the environment.
	t.Setenv("MINI_SERVERS", "3")
	if err := e.run(t, "cluster", "create", "envy", "--servers", "1"); err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	names := strings.Join(e.rt.ContainerNames(), " ")
	if names != "mini-envy-agent-0 mini-envy-agent-1 mini-envy-server-0" {
		t.Errorf("containers = %s", names)
	}
}

func TestDefaultNameAndKubeconfigFromHome(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "cluster", "create"); err != nil {
		t.Fatalf("create: %v", err)
	}
	if e.rt.Container("mini-dev-server-0") == nil {
		t.Errorf("default name is not dev: %v", e.rt.ContainerNames())
	}
	if err := e.run(t, "kubeconfig", "merge", "dev", "--output", "-"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "name: mini-dev") {
		t.Errorf("merge -o - printed %q", e.out.String())
	}
	if err := e.run(t, "kubeconfig", "get", "dev"); err != nil || !strings.Contains(e.out.String(), "admin@mini-dev") {
		t.Errorf("kubeconfig get: %v %q", err, e.out.String())
	}
	if err := e.run(t, "cluster", "stop", "--all"); err != nil {
		t.Fatal(err)
	}
	if err := e.run(t, "cluster", "start", "dev"); err != nil {
		t.Fatal(err)
	}
}

func TestExitCodes(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0},
		{[]string{"cluster", "create", "--no-such-flag"}, 2},
		{[]string{"cluster", "delete"}, 2},
		{[]string{"cluster", "delete", "a", "--all"}, 2},
		{[]string{"cluster", "list", "-o", "xml"}, 2},
		{[]string{"kubeconfig", "get"}, 2},
		{[]string{"cluster", "create", "dev", "--image", "missing:1"}, 1},
		{[]string{"cluster", "start", "nope"}, 1},
		{[]string{"completion", "bash"}, 0},
		{[]string{"completion", "tcsh"}, 2},
	}
	for _, tt := range tests {
		err := e.run(t, tt.args...)
		if got := ExitCode(err); got != tt.code {
			t.Errorf("mini %v: exit code %d (%v), want %d", tt.args, got, err, tt.code)
		}
	}
	if ExitCode(context.Canceled) != 130 {
		t.Errorf("an interruption must exit 130")
	}
}

func TestVersionNeedsNoEngine(t *testing.T) {
	var out bytes.Buffer
	app := &App{
		Streams: Streams{Out: &out, ErrOut: &out}, Logger: logrus.New(), Getenv: func(string) string { return "" },
		NewRuntime: func() (runtime.Runtime, error) { t.Fatal("version connected to the engine"); return nil, nil },
	}
	if err := Run(context.Background(), app, []string{"version", "-o", "json"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), version.DefaultImages().Node) {
		t.Errorf("version output %q lacks the node image", out.String())
	}
}
