package cluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/minictl/mini/pkg/runtime"
)

func nodeOpts(cluster, name, role string, replicas int) NodeCreateOptions {
	return NodeCreateOptions{Name: name, Cluster: cluster, Role: role, Replicas: replicas, Wait: true, Timeout: time.Minute}
}

func TestNodeCreateAgents(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1)
	ctx := context.Background()
	if err := h.p.CreateNodes(ctx, nodeOpts("dev", "worker", RoleAgent, 2)); err != nil {
		t.Fatal(err)
	}
	s0 := h.rt.Container("mini-dev-server-0").Spec
	for i, name := range []string{"mini-dev-worker-0", "mini-dev-worker-1"} {
		c := h.rt.Container(name)
		if c == nil || !c.Running {
			t.Fatalf("%s not running", name)
		}
		l := c.Spec.Labels
		// Index 0 is agent-0's; the new ones take the next free indexes.
		if l[LabelIndex] != itoa(i+1) || c.Spec.IP != "172.30.0.10"+itoa(i+1) || l[LabelIP] != c.Spec.IP {
			t.Errorf("%s: index %s, IP %s", name, l[LabelIndex], c.Spec.IP)
		}
		for _, k := range []string{LabelCluster, LabelApp, LabelToken, LabelImage, LabelNetwork, LabelAPIHost, LabelAPIPort, LabelDatastore} {
			if l[k] != s0.Labels[k] {
				t.Errorf("%s label %s = %q, server 0 has %q", name, k, l[k], s0.Labels[k])
			}
		}
		if l[LabelRole] != RoleAgent || flagValue(c.Spec.Cmd, "--server") != "https://mini-dev-lb:6443" || c.Spec.Hostname != name {
			t.Errorf("%s: role %s, cmd %v", name, l[LabelRole], c.Spec.Cmd)
		}
		if !slices.Contains(h.rt.VolumeNames(), name+"-data") || c.Spec.Mounts[0].Source != name+"-data" {
			t.Errorf("%s: data volume missing: %v", name, h.rt.VolumeNames())
		}
	}
	cl, err := h.p.Get(ctx, "dev")
	if err != nil || len(cl.Agents) != 3 {
		t.Errorf("cluster after node create: %+v, %v", cl, err)
	}
	if len(h.applied) != 0 {
		t.Errorf("adding agents reconfigured the load balancer: %v", h.applied)
	}
}

// A new node takes neither an index its role uses nor an address another
// container on the network holds.
func TestNodeCreateAvoidsTakenAddresses(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.rt.AddNetwork(runtime.Network{Name: "shared", Subnets: []string{"10.9.0.0/24"}})
	h.createCluster(t, "dev", 1, 2, func(o *CreateOptions) { o.Network = "shared" })
	// Someone else's container holds agent index 3's address.
	if _, err := h.rt.CreateContainer(ctx, runtime.ContainerSpec{Name: "intruder", Image: nodeImage, Network: "shared", IP: "10.9.0.103"}); err != nil {
		t.Fatal(err)
	}
	// Agent 0 goes: its index is free again.
	if err := h.p.DeleteNodes(ctx, NodeDeleteOptions{Names: []string{"mini-dev-agent-0"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.p.CreateNodes(ctx, nodeOpts("dev", "w", RoleAgent, 3)); err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for i := range 3 {
		got = append(got, h.rt.Container("mini-dev-w-"+itoa(i)).Spec.IP)
	}
	if want := []string{"10.9.0.100", "10.9.0.102", "10.9.0.104"}; !slices.Equal(got, want) {
		t.Errorf("new agents got %v, want %v", got, want)
	}
}

func TestNodeCreateServers(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 0)
	ctx := context.Background()
	n := len(h.rt.Calls())
	if err := h.p.CreateNodes(ctx, nodeOpts("ha", "extra", RoleServer, 2)); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"mini-ha-extra-0", "mini-ha-extra-1"} {
		spec := h.rt.Container(name).Spec
		if spec.Labels[LabelIndex] != itoa(3+i) || spec.IP != "172.30.0.1"+itoa(3+i) {
			t.Errorf("%s: index %s, IP %s", name, spec.Labels[LabelIndex], spec.IP)
		}
		if flagValue(spec.Cmd, "--server") != "https://mini-ha-lb:6443" || slices.Contains(spec.Cmd, "--cluster-init") ||
			!slices.Contains(spec.Cmd, "--tls-san") || spec.Cmd[0] != RoleServer {
			t.Errorf("%s cmd: %v", name, spec.Cmd)
		}
	}
	// One at a time: the second starts only once the first is an etcd member.
	calls := h.rt.Calls()[n:]
	idx := func(s string) int { return slices.Index(calls, s) }
	ask := idx("Exec mini-ha-server-0 " + strings.Join(etcdMembersCmd, " "))
	if start1 := idx("StartContainer mini-ha-extra-1"); ask < idx("StartContainer mini-ha-extra-0") || ask > start1 {
		t.Errorf("etcd membership not checked between the two joins: %v", calls)
	}
	want := []string{"172.30.0.10:6443", "172.30.0.11:6443", "172.30.0.12:6443", "172.30.0.13:6443", "172.30.0.14:6443"}
	if got := h.lbBackends(t, "mini-ha-lb"); !slices.Equal(got, want) {
		t.Errorf("load balancer backends %v, want %v", got, want)
	}
	// 5 servers is odd: nothing to warn about.
	if strings.Contains(h.logs.String(), "level=warning") {
		t.Errorf("unexpected warning: %s", h.logs.String())
	}
}

func TestNodeCreateRefusesSQLiteServer(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 0)
	n := len(h.rt.Calls())
	err := h.p.CreateNodes(context.Background(), nodeOpts("dev", "s", RoleServer, 1))
	if err == nil || !strings.Contains(err.Error(), "SQLite") || !strings.Contains(err.Error(), "--servers 3") {
		t.Fatalf("CreateNodes() = %v, want the SQLite refusal", err)
	}
	if after := h.rt.Calls()[n:]; len(after) != 0 {
		t.Errorf("the refusal touched the engine: %v", after)
	}
	// A single server on etcd (--cluster-init through --k3s-arg) takes more.
	h.createCluster(t, "etcd", 1, 0, func(o *CreateOptions) { o.K3sArgs = []string{"--cluster-init"} })
	if err := h.p.CreateNodes(context.Background(), nodeOpts("etcd", "s", RoleServer, 1)); err != nil {
		t.Errorf("adding a server to a one-server etcd cluster: %v", err)
	}
	if !strings.Contains(h.logs.String(), "no fault tolerance") {
		t.Errorf("going to 2 servers did not warn: %s", h.logs.String())
	}
}

func TestNodeCreateRefusesBeforeCreatingAnything(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(h *harness, o *NodeCreateOptions)
		want   []string
	}{
		{"every option problem at once", func(h *harness, o *NodeCreateOptions) {
			o.Name, o.Role, o.Replicas, o.Memory = "Bad_Name", "worker", 0, "lots"
		}, []string{"node name", "--role", "--replicas", "--memory"}},
		{"unknown cluster", func(h *harness, o *NodeCreateOptions) { o.Cluster = "nope" }, []string{"not found"}},
		{"name taken", func(h *harness, o *NodeCreateOptions) { o.Name = "agent" }, []string{"mini-dev-agent-0 already exists"}},
		{"name too long", func(h *harness, o *NodeCreateOptions) { o.Name = strings.Repeat("a", 60) }, []string{"too long"}},
		{"cluster stopped", func(h *harness, o *NodeCreateOptions) {
			if err := h.p.Stop(context.Background(), "dev"); err != nil {
				t.Fatal(err)
			}
		}, []string{"not running", "mini cluster start dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.createCluster(t, "dev", 1, 1)
			o := nodeOpts("dev", "w", RoleAgent, 1)
			tt.mutate(h, &o)
			n := len(h.rt.Calls())
			err := h.p.CreateNodes(context.Background(), o)
			for _, want := range tt.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("CreateNodes() = %v, want an error containing %q", err, want)
				}
			}
			if after := creates(h.rt.Calls()[n:]); len(after) != 0 {
				t.Errorf("created something: %v", after)
			}
		})
	}
}

// A failed create removes what it made the way node delete would: the
// server that already joined leaves etcd, and the load balancer is back
// to the servers there were.
func TestNodeCreateRollsBack(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 0)
	boom := errors.New("boom")
	onStart := h.rt.Hooks.StartContainer
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-ha-extra-1" {
			return boom
		}
		return onStart(name)
	}
	before := h.rt.VolumeNames()
	err := h.p.CreateNodes(context.Background(), nodeOpts("ha", "extra", RoleServer, 2))
	if !errors.Is(err, boom) {
		t.Fatalf("CreateNodes() = %v, want boom", err)
	}
	for _, c := range h.rt.ContainerNames() {
		if strings.Contains(c, "extra") {
			t.Errorf("container %s left behind", c)
		}
	}
	if got := h.rt.VolumeNames(); !slices.Equal(got, before) {
		t.Errorf("volumes %v, want %v", got, before)
	}
	if !h.removed["mini-ha-extra-0"] {
		t.Errorf("the joined server's Node object was not deleted, so etcd kept its member")
	}
	if _, err := h.kube.CoreV1().Nodes().Get(context.Background(), "mini-ha-extra-0", metav1.GetOptions{}); err == nil {
		t.Errorf("Node object mini-ha-extra-0 left behind")
	}
	want := []string{"172.30.0.10:6443", "172.30.0.11:6443", "172.30.0.12:6443"}
	if got := h.lbBackends(t, "mini-ha-lb"); !slices.Equal(got, want) {
		t.Errorf("load balancer backends after rollback %v, want %v", got, want)
	}
}

func TestNodeCreateRollsBackOnCancel(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	onStart := h.rt.Hooks.StartContainer
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-dev-w-0" {
			cancel()
		}
		return onStart(name)
	}
	err := h.p.CreateNodes(ctx, nodeOpts("dev", "w", RoleAgent, 1))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("CreateNodes() = %v, want an interruption", err)
	}
	if h.rt.Container("mini-dev-w-0") != nil || slices.Contains(h.rt.VolumeNames(), "mini-dev-w-0-data") {
		t.Errorf("left behind: %v %v", h.rt.ContainerNames(), h.rt.VolumeNames())
	}
}
