package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/minictl/mini/pkg/runtime"
)

func readyNode(name string, taints ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	for _, t := range taints {
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: t, Effect: corev1.TaintEffectNoSchedule})
	}
	return n
}

func renewedLease(name string, at time.Time) *coordinationv1.Lease {
	return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: corev1.NamespaceNodeLease},
		Spec: coordinationv1.LeaseSpec{RenewTime: &metav1.MicroTime{Time: at}}}
}

// Each signal of a usable cluster, missing alone, keeps the wait going
// and is named; with all of them the cluster is usable.
func TestPendingUsable(t *testing.T) {
	since := time.Now()
	before, after := metav1.NewTime(since.Add(-time.Minute)), metav1.NewTime(since.Add(time.Second))
	all := func() []k8sruntime.Object {
		return append([]k8sruntime.Object{readyNode("s0"), readyNode("a0")}, controllerObjects("s0", after)...)
	}
	without := func(kind string) []k8sruntime.Object {
		var out []k8sruntime.Object
		for _, o := range all() {
			if typeName(o) != kind {
				out = append(out, o)
			}
		}
		return out
	}
	full := Usable{Nodes: []string{"s0", "a0"}, Workloads: true, DNS: DNSRequired}
	restarted := full
	restarted.Restarted, restarted.Since = []string{"s0", "a0"}, since
	notReady := readyNode("a0")
	notReady.Status.Conditions[0].Status = corev1.ConditionFalse
	staleDNS := controllerObjects("s0", before)
	for _, tc := range []struct {
		name string
		objs []k8sruntime.Object
		u    Usable
		want string // "" for usable
	}{
		{"everything there", all(), full, ""},
		{"node not registered", append(without("node"), readyNode("s0")), full, "node a0 not registered"},
		{"node not Ready", append(without("node"), readyNode("s0"), notReady), full, "node a0 not Ready"},
		{"node still tainted", append(without("node"), readyNode("s0"), readyNode("a0", corev1.TaintNodeNotReady)), full, "node a0 still tainted"},
		{"no default ServiceAccount", without("serviceaccount"), full, "ServiceAccount default/default"},
		{"no root CA ConfigMap", without("configmap"), full, "ConfigMap default/kube-root-ca.crt"},
		{"no CoreDNS endpoint", without("endpointslice"), full, "CoreDNS: no ready endpoint"},
		{"CoreDNS disabled", without("endpointslice"), Usable{Nodes: full.Nodes, Workloads: true}, ""},
		{"CoreDNS if deployed, not deployed", without("service"), Usable{Nodes: full.Nodes, DNS: DNSIfDeployed}, ""},
		{"CoreDNS if deployed, deployed, not ready", without("endpointslice"), Usable{Nodes: full.Nodes, DNS: DNSIfDeployed}, "CoreDNS"},
		{"restarted, kubelets back", append(all(), renewedLease("s0", after.Time), renewedLease("a0", after.Time)), restarted, ""},
		{"restarted, a kubelet not back", append(all(), renewedLease("s0", after.Time), renewedLease("a0", before.Time)), restarted, "node a0: kubelet not back"},
		{"restarted, CoreDNS Ready from before the stop", append(append(without("pod"), staleDNS[3]), renewedLease("s0", after.Time), renewedLease("a0", after.Time)), restarted, "CoreDNS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := k8sfake.NewClientset(tc.objs...)
			missing, _ := pendingUsable(context.Background(), cs, tc.u)
			got := strings.Join(missing, "; ")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("pending = %q, want %q", got, tc.want)
			}
		})
	}
}

func typeName(o k8sruntime.Object) string {
	switch o.(type) {
	case *corev1.Node:
		return "node"
	case *corev1.ServiceAccount:
		return "serviceaccount"
	case *corev1.ConfigMap:
		return "configmap"
	case *corev1.Service:
		return "service"
	case *corev1.Pod:
		return "pod"
	default:
		return "endpointslice"
	}
}

// The race users hit: every node Ready, but the ServiceAccount controller
// and CoreDNS not there yet. Create must not return before they are.
func TestCreateWaitsUntilUsable(t *testing.T) {
	h := newHarness(t)
	h.noControllers = true
	gets := 0
	h.kube.PrependReactor("get", "serviceaccounts", func(k8stesting.Action) (bool, k8sruntime.Object, error) {
		gets++
		if gets == 3 {
			for _, o := range controllerObjects("mini-dev-server-0", metav1.Now()) {
				if err := upsert(h.kube.Tracker(), o); err != nil {
					t.Error(err)
				}
			}
		}
		return false, nil, nil
	})
	h.createCluster(t, "dev", 1, 1)
	if gets < 3 {
		t.Errorf("create returned after %d look(s) at the default ServiceAccount, before it existed", gets)
	}
	ctx := context.Background()
	if _, err := h.kube.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Errorf("create returned without the default ServiceAccount: %v", err)
	}
}

// A wait that times out says what is missing, and the create rolls back.
func TestCreateNotUsableNamesWhatIsMissing(t *testing.T) {
	h := newHarness(t)
	h.noControllers = true
	o := defaultOpts("dev")
	o.Timeout = 50 * time.Millisecond
	err := h.p.Create(context.Background(), o)
	if err == nil {
		t.Fatal("create succeeded without a default ServiceAccount or CoreDNS")
	}
	for _, want := range []string{"usable", "ServiceAccount default/default", "CoreDNS", "deadline exceeded"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	h.assertEmpty(t)
}

// With CoreDNS disabled on server 0, create does not wait for it.
func TestCreateWithoutCoreDNS(t *testing.T) {
	h := newHarness(t)
	h.noControllers = true
	for _, o := range controllerObjects("mini-dev-server-0", metav1.Now())[:2] { // ServiceAccount and ConfigMap only
		if err := upsert(h.kube.Tracker(), o); err != nil {
			t.Fatal(err)
		}
	}
	h.createCluster(t, "dev", 1, 0, func(o *CreateOptions) {
		o.K3sArgs = []string{"--disable=coredns@server:0"}
		o.Timeout = 5 * time.Second
	})
	if len(h.waited) != 1 || h.waited[0].DNS != DNSSkip {
		t.Errorf("waited %+v, want no DNS wait", h.waited)
	}
}

func TestPlanCoreDNS(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--disable=traefik"}, true},
		{[]string{"--disable=coredns"}, false},
		{[]string{"--disable", "coredns"}, false},
		{[]string{"--disable=traefik,coredns"}, false},
		{[]string{"--disable=coredns@agent:*"}, true},
		{[]string{"--disable=coredns@server:1"}, true},
		{[]string{"--disable=coredns@server:0"}, false},
		{[]string{"--disable"}, true},
	} {
		o := defaultOpts("dev")
		o.Servers, o.Agents, o.K3sArgs = 2, 1, tc.args
		po, err := o.parse()
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got := planCoreDNS(po); got != tc.want {
			t.Errorf("planCoreDNS(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// A node that keeps failing (running, restarted by its policy, never
// Ready) is named when the wait ends, with its last errors rather than
// its last lines.
func TestCreateShowsWhyANodeIsNotReady(t *testing.T) {
	h := newHarness(t)
	var logs strings.Builder
	h.p.log.SetOutput(&logs)
	start := h.rt.Hooks.StartContainer
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-dev-agent-0" {
			c := h.rt.Container(name)
			c.Restarts = 4
			c.Output = `E1204 10:00:01.000000 1 kubelet.go:1] "Failed to start ContainerManager" err="cannot enter cgroupv2"` + "\n" +
				strings.Repeat("I1204 10:00:02.000000 1 server.go:1] shutting down\n", 30)
			h.event("start " + name)
			return nil // no Node object: never Ready
		}
		return start(name)
	}
	o := defaultOpts("dev")
	o.Agents, o.Timeout = 1, 100*time.Millisecond
	err := h.p.Create(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "node mini-dev-agent-0 not registered") {
		t.Fatalf("err = %v, want the agent named", err)
	}
	out := logs.String()
	for _, want := range []string{"node mini-dev-agent-0 is not Ready (running, restarted 4 time(s))", "Failed to start ContainerManager"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "logs of mini-dev-server-0") || strings.Contains(out, "shutting down") {
		t.Errorf("log shows a Ready node or info lines:\n%s", out)
	}
	h.assertEmpty(t)
}

func TestRelevantLines(t *testing.T) {
	log := "I1 ok\nE1204 x failed\nI2 ok\nW3 error: disk\nI4 ok\n"
	if got := relevantLines(log, 5); got != "E1204 x failed\nW3 error: disk" {
		t.Errorf("relevantLines = %q", got)
	}
	if got := relevantLines("a\nb\nc\n", 2); got != "b\nc" {
		t.Errorf("without errors: %q", got)
	}
}

// A server whose API never comes up (no kubeconfig before the timeout)
// is named with its last errors too, though it is running.
func TestCreateShowsWhyTheAPINeverCameUp(t *testing.T) {
	h := newHarness(t)
	var logs strings.Builder
	h.p.log.SetOutput(&logs)
	h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
		h.rt.Container(name).Output = "E1204 etcd.go:1] \"failed to start\" err=\"disk full\"\nI1204 retrying\n"
		return 1, nil // no kubeconfig yet
	}
	o := defaultOpts("dev")
	o.Timeout = 50 * time.Millisecond
	if err := h.p.Create(context.Background(), o); err == nil {
		t.Fatal("want an error")
	}
	if out := logs.String(); !strings.Contains(out, "node mini-dev-server-0 is not Ready (running)") || !strings.Contains(out, "disk full") {
		t.Errorf("the running server's errors were not shown:\n%s", out)
	}
	h.assertEmpty(t)
}
