package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/runtime"
)

func creates(calls []string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, "Create") || strings.HasPrefix(c, "Start") {
			out = append(out, c)
		}
	}
	return out
}

func TestCreateOrder(t *testing.T) {
	h := newHarness(t)
	opts := defaultOpts("dev")
	opts.Servers, opts.Agents = 2, 1
	if err := h.p.Create(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	// Nodes join through the load balancer, so it comes first.
	want := []string{
		"CreateNetwork mini-dev",
		"CreateVolume mini-dev-server-0-data", "CreateVolume mini-dev-server-1-data", "CreateVolume mini-dev-agent-0-data",
		"CreateContainer mini-dev-lb", "StartContainer mini-dev-lb",
		"CreateContainer mini-dev-server-0", "StartContainer mini-dev-server-0",
		"CreateContainer mini-dev-server-1", "StartContainer mini-dev-server-1",
		"CreateContainer mini-dev-agent-0", "StartContainer mini-dev-agent-0",
	}
	if got := creates(h.rt.Calls()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(h.waited) != 1 || len(h.waited[0].Nodes) != 3 || !h.waited[0].Workloads || h.waited[0].DNS != DNSRequired {
		t.Errorf("waited for %+v, want 3 nodes, workloads and DNS", h.waited)
	}
	cfg, err := clientcmd.LoadFromFile(h.kubecfg)
	if err != nil {
		t.Fatal(err)
	}
	lb := h.rt.Container("mini-dev-lb")
	port := lb.Spec.Ports[0]
	if port.HostIP != "127.0.0.1" || port.HostPort == 0 || port.ContainerPort != 6443 {
		t.Errorf("lb port = %+v", port)
	}
	if cfg.CurrentContext != "mini-dev" || !strings.HasSuffix(cfg.Clusters["mini-dev"].Server, ":"+itoa(port.HostPort)) {
		t.Errorf("kubeconfig: current %q, server %q, lb port %d", cfg.CurrentContext, cfg.Clusters["mini-dev"].Server, port.HostPort)
	}
	if !strings.Contains(string(lb.Files["/etc/nginx/mini/stream.conf"]), "server 172.30.0.11:6443") {
		t.Errorf("lb config lacks server 1:\n%s", lb.Files["/etc/nginx/mini/stream.conf"])
	}
	cl, err := h.p.Get(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Servers) != 2 || len(cl.Agents) != 1 || cl.LoadBalancer == nil || cl.API.Port != port.HostPort || Running(cl.Nodes()) != 4 {
		t.Errorf("cluster rebuilt from labels = %+v", cl)
	}
}

func TestCreateSingleServerStartsLBLast(t *testing.T) {
	h := newHarness(t)
	if err := h.p.Create(context.Background(), defaultOpts("dev")); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(only(h.rt.Calls(), "StartContainer "), " ")
	if got != "mini-dev-server-0 mini-dev-lb" {
		t.Errorf("start order %q: nothing joins through the load balancer, so it should not delay the server", got)
	}
}

func TestCreateRefusesBeforeCreatingAnything(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(h *harness, o *CreateOptions)
		want   string
	}{
		{"missing node image", func(h *harness, o *CreateOptions) { o.Image = "mini/node:nope" }, "node image: pulling image mini/node:nope"},
		{"missing lb image", func(h *harness, o *CreateOptions) { o.LBImage = "mini/lb:nope" }, "load balancer image: pulling image mini/lb:nope"},
		{"bad name", func(h *harness, o *CreateOptions) { o.Name = "Dev" }, "invalid"},
		{"bad filter", func(h *harness, o *CreateOptions) { o.Env = []string{"A=B@agent:0"} }, "out of range"},
		{"existing cluster", func(h *harness, o *CreateOptions) {
			if err := h.p.Create(context.Background(), defaultOpts("dev")); err != nil {
				t.Fatal(err)
			}
		}, "already exists"},
		{"api port taken", func(h *harness, o *CreateOptions) {
			l := listen(t)
			o.APIPort = l
		}, "--api-port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			o := defaultOpts("dev")
			tt.mutate(h, &o)
			before := len(h.rt.Calls())
			err := h.p.Create(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Create() = %v, want an error containing %q", err, tt.want)
			}
			if after := h.rt.Calls()[before:]; len(creates(after)) > 0 || len(after) > 0 && strings.HasPrefix(after[0], "Remove") {
				t.Errorf("Create() touched the engine: %v", after)
			}
		})
	}
}

func TestCreateReportsAllProblems(t *testing.T) {
	h := newHarness(t)
	o := defaultOpts("Dev")
	o.Servers, o.Agents = 0, -1
	o.Env = []string{"NOEQUALS"}
	o.ServersMemory = "lots"
	err := h.p.Create(context.Background(), o)
	for _, want := range []string{"cluster name", "--servers", "--agents", "--env", "--servers-memory"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

func TestCreateRollsBackOnError(t *testing.T) {
	h := newHarness(t)
	other := defaultOpts("other")
	if err := h.p.Create(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-dev-agent-1" {
			return boom
		}
		return nil
	}
	o := defaultOpts("dev")
	o.Agents = 2
	err := h.p.Create(context.Background(), o)
	if !errors.Is(err, boom) {
		t.Fatalf("Create() = %v, want boom", err)
	}
	for _, c := range h.rt.ContainerNames() {
		if strings.HasPrefix(c, "mini-dev-") {
			t.Errorf("container %s left behind", c)
		}
	}
	if strings.Join(h.rt.NetworkNames(), ",") != "mini-other" {
		t.Errorf("networks = %v, want only mini-other", h.rt.NetworkNames())
	}
	for _, v := range h.rt.VolumeNames() {
		if strings.HasPrefix(v, "mini-dev-") {
			t.Errorf("volume %s left behind", v)
		}
	}
	// Rollback removes containers (in parallel) before the network and
	// volumes they use.
	calls := h.rt.Calls()
	idx := func(s string) int {
		for i, c := range calls {
			if c == s {
				return i
			}
		}
		t.Fatalf("call %q missing", s)
		return -1
	}
	lastContainer := max(idx("RemoveContainer mini-dev-server-0"), idx("RemoveContainer mini-dev-agent-0"), idx("RemoveContainer mini-dev-agent-1"))
	if lastContainer > idx("RemoveNetwork mini-dev") || lastContainer > idx("RemoveVolume mini-dev-server-0-data") {
		t.Errorf("rollback order wrong: %v", calls)
	}
}

func TestCreateShowsDeadNodeLogs(t *testing.T) {
	h := newHarness(t)
	var logs strings.Builder
	h.p.log.SetOutput(&logs)
	// The server dies before writing its kubeconfig.
	h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
		_ = h.rt.StopContainer(context.Background(), name, 0)
		return -1, errors.New("container is not running")
	}
	if err := h.p.Create(context.Background(), defaultOpts("dev")); err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(logs.String(), "logs of mini-dev-server-0") {
		t.Errorf("the dead server's output was not shown:\n%s", logs.String())
	}
	h.assertEmpty(t)
}

func TestCreateRollsBackKubeconfig(t *testing.T) {
	h := newHarness(t)
	h.p.waitReady = func(ctx context.Context, cfg *clientcmdapi.Config, _ Usable) error {
		return errors.New("nodes never became Ready")
	}
	if err := h.p.Create(context.Background(), defaultOpts("dev")); err == nil {
		t.Fatal("want an error")
	}
	cfg, err := clientcmd.LoadFromFile(h.kubecfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Contexts["mini-dev"] != nil || cfg.CurrentContext != "" {
		t.Errorf("kubeconfig entry left behind: %+v", cfg)
	}
	h.assertEmpty(t)
}

func TestCreateRollsBackOnCancel(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C arrives while server 0 starts.
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-dev-server-0" {
			cancel()
		}
		return nil
	}
	err := h.p.Create(ctx, defaultOpts("dev"))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Create() = %v, want an interruption", err)
	}
	h.assertEmpty(t)
}

func TestCreateNoRollback(t *testing.T) {
	h := newHarness(t)
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-dev-server-0" {
			return errors.New("boom")
		}
		return nil
	}
	o := defaultOpts("dev")
	o.NoRollback = true
	if err := h.p.Create(context.Background(), o); err == nil {
		t.Fatal("want an error")
	}
	if len(h.rt.ContainerNames()) != 1 || len(h.rt.NetworkNames()) != 1 {
		t.Errorf("--no-rollback removed things: %v %v", h.rt.ContainerNames(), h.rt.NetworkNames())
	}
}

func TestCreateNoLBPublishesServer0(t *testing.T) {
	h := newHarness(t)
	o := defaultOpts("dev")
	o.NoLB, o.LBImage, o.APIPort = true, "", "0.0.0.0:0"
	if err := h.p.Create(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if h.rt.Container("mini-dev-lb") != nil {
		t.Errorf("load balancer created with --no-lb")
	}
	s0 := h.rt.Container("mini-dev-server-0")
	if len(s0.Spec.Ports) != 1 || s0.Spec.Ports[0].ContainerPort != 6443 || s0.Spec.Ports[0].HostIP != "0.0.0.0" {
		t.Errorf("server 0 ports = %+v", s0.Spec.Ports)
	}
}

func TestCreateWithExternalNetwork(t *testing.T) {
	h := newHarness(t)
	h.rt.AddNetwork(runtime.Network{Name: "shared", Subnets: []string{"10.9.0.0/24"}})
	o := defaultOpts("dev")
	o.Network = "shared"
	if err := h.p.Create(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if ip := h.rt.Container("mini-dev-server-0").Spec.IP; ip != "10.9.0.10" {
		t.Errorf("server 0 IP = %s", ip)
	}
	if err := h.p.Delete(context.Background(), "dev"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.rt.NetworkNames(), ",") != "shared" {
		t.Errorf("networks after delete = %v, want the external one kept", h.rt.NetworkNames())
	}
}

func TestServerCountWarnings(t *testing.T) {
	for _, tt := range []struct {
		servers int
		want    string
	}{{1, ""}, {2, "no fault tolerance"}, {3, ""}, {4, "no more failures than 3"}, {5, ""}} {
		h := newHarness(t)
		o := defaultOpts("ha")
		o.Servers = tt.servers
		if err := h.p.Create(context.Background(), o); err != nil {
			t.Fatalf("--servers %d: %v", tt.servers, err)
		}
		warned := strings.Contains(h.logs.String(), "level=warning")
		if tt.want == "" && warned || tt.want != "" && !strings.Contains(h.logs.String(), tt.want) {
			t.Errorf("--servers %d: log %q, want a warning containing %q", tt.servers, h.logs.String(), tt.want)
		}
		if got := len(h.rt.ContainerNames()); got != tt.servers+1 {
			t.Errorf("--servers %d: %d containers", tt.servers, got)
		}
	}
}
