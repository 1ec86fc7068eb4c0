package cluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/runtime"
)

func only(calls []string, prefix string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, strings.TrimPrefix(c, prefix))
		}
	}
	return out
}

func TestStopStartOrder(t *testing.T) {
	h := newHarness(t)
	o := defaultOpts("dev")
	o.Servers, o.Agents = 2, 2
	ctx := context.Background()
	if err := h.p.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	n := len(h.rt.Calls())
	if err := h.p.Stop(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	wantStop := "mini-dev-agent-1 mini-dev-agent-0 mini-dev-server-1 mini-dev-server-0 mini-dev-lb"
	if got := strings.Join(only(h.rt.Calls()[n:], "StopContainer "), " "); got != wantStop {
		t.Errorf("stop order %q, want %q", got, wantStop)
	}
	cl, _ := h.p.Get(ctx, "dev")
	if Running(cl.Nodes()) != 0 {
		t.Errorf("nodes still running after stop")
	}
	n = len(h.rt.Calls())
	h.waited = nil
	if err := h.p.Start(ctx, "dev", StartOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	calls := h.rt.Calls()[n:]
	started := only(calls, "StartContainer ")
	// Agents start together, in any order.
	slices.Sort(started[3:])
	wantStart := "mini-dev-lb mini-dev-server-0 mini-dev-server-1 mini-dev-agent-0 mini-dev-agent-1"
	if got := strings.Join(started, " "); got != wantStart {
		t.Errorf("start order %q, want %q", got, wantStart)
	}
	if len(only(calls, "Exec mini-dev-lb sh -c")) != 1 {
		t.Errorf("load balancer config not re-applied on start: %v", calls)
	}
	if len(h.waited) != 1 || len(h.waited[0].Nodes) != 4 || len(h.waited[0].Restarted) != 4 || h.waited[0].DNS != DNSIfDeployed {
		t.Errorf("waited %+v, want the 4 restarted nodes and DNS if deployed", h.waited)
	}
	// Restart stops and starts again.
	n = len(h.rt.Calls())
	if err := h.p.Restart(ctx, "dev", StartOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := h.rt.Calls()[n:]; len(only(got, "StopContainer ")) != 5 || len(only(got, "StartContainer ")) != 5 {
		t.Errorf("restart calls: %v", got)
	}
}

// An etcd cluster starts its servers without waiting between them (server
// 0 cannot serve without a quorum), then waits for the API, then starts
// the agents.
func TestStartOrderHA(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 2)
	ctx := context.Background()
	if err := h.p.Stop(ctx, "ha"); err != nil {
		t.Fatal(err)
	}
	n := h.eventCount()
	if err := h.p.Start(ctx, "ha", StartOptions{Wait: true, Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	got := h.eventsSince(n)
	want := []string{"start mini-ha-lb", "start mini-ha-server-0", "start mini-ha-server-1", "start mini-ha-server-2", "list nodes"}
	if len(got) < len(want)+2 || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("start events %v, want %v then the agents", got, want)
	}
	agents := only(got[len(want):], "start ")
	slices.Sort(agents)
	if !slices.Equal(agents, []string{"mini-ha-agent-0", "mini-ha-agent-1"}) {
		t.Errorf("after the API answered: %v, want the two agents", agents)
	}
	if len(h.waited) != 2 || len(h.waited[1].Nodes) != 5 {
		t.Errorf("waited %v, want the 5 nodes Ready last", h.waited)
	}
}

// The API wait is bounded: agents are not started when it never answers.
func TestStartAPITimeout(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 1)
	ctx := context.Background()
	if err := h.p.Stop(ctx, "ha"); err != nil {
		t.Fatal(err)
	}
	h.kube.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, k8sruntime.Object, error) {
		return true, nil, errors.New("etcdserver: no leader")
	})
	err := h.p.Start(ctx, "ha", StartOptions{Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no leader") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Start() = %v, want a timeout naming the last API error", err)
	}
	if c := h.rt.Container("mini-ha-agent-0"); c.Running {
		t.Errorf("agent started although the API never answered")
	}
}

func TestStartFailsOnLBConfigError(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.p.Create(ctx, defaultOpts("dev")); err != nil {
		t.Fatal(err)
	}
	if err := h.p.Stop(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) { return 1, nil }
	err := h.p.Start(ctx, "dev", StartOptions{})
	var ee *runtime.ExecError
	if !errors.As(err, &ee) {
		t.Fatalf("Start() = %v, want the reload's exit code as an ExecError", err)
	}
}

func TestUnknownCluster(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"start": h.p.Start(ctx, "nope", StartOptions{}),
		"stop":  h.p.Stop(ctx, "nope"),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an unknown cluster = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := h.p.List(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("List(nope) = %v", err)
	}
	// Delete of an unknown cluster only warns.
	if err := h.p.Delete(ctx, "nope"); err != nil {
		t.Errorf("Delete(nope) = %v", err)
	}
}

func TestDeleteKeepsOtherClustersAndContexts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// An unrelated context must survive.
	pre := clientcmdapi.NewConfig()
	pre.Clusters["work"] = &clientcmdapi.Cluster{Server: "https://work"}
	pre.Contexts["work"] = &clientcmdapi.Context{Cluster: "work"}
	if err := clientcmd.WriteToFile(*pre, h.kubecfg); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"dev", "other"} {
		if err := h.p.Create(ctx, defaultOpts(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.p.Delete(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	for _, c := range append(h.rt.ContainerNames(), append(h.rt.NetworkNames(), h.rt.VolumeNames()...)...) {
		if strings.HasPrefix(c, "mini-dev") {
			t.Errorf("%s left behind", c)
		}
	}
	cls, err := h.p.List(ctx)
	if err != nil || len(cls) != 1 || cls[0].Name != "other" {
		t.Errorf("List() = %+v, %v", cls, err)
	}
	cfg, err := clientcmd.LoadFromFile(h.kubecfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Contexts["mini-dev"] != nil || cfg.Contexts["mini-other"] == nil || cfg.Contexts["work"] == nil {
		t.Errorf("contexts after delete: %v", cfg.Contexts)
	}
	if cfg.CurrentContext != "mini-other" {
		t.Errorf("current-context = %q, want mini-other untouched", cfg.CurrentContext)
	}
}

func TestKubeconfigMergeToOutput(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	o := defaultOpts("dev")
	o.UpdateKubeconfig = false
	if err := h.p.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir() + "/out"
	if _, err := h.p.MergeKubeconfig(ctx, "dev", out, false, 0); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(out)
	if err != nil || cfg.Contexts["mini-dev"] == nil || cfg.CurrentContext != "" {
		t.Errorf("merged output = %+v, %v", cfg, err)
	}
}
