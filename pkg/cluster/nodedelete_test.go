package cluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	k8stesting "k8s.io/client-go/testing"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// addPod puts a pod on node, owned by a controller of kind (none if "").
func (h *harness) addPod(t *testing.T, name, node, kind string) {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, Spec: corev1.PodSpec{NodeName: node}}
	if kind != "" {
		yes := true
		pod.OwnerReferences = []metav1.OwnerReference{{Kind: kind, Name: "owner", Controller: &yes}}
	}
	if err := h.kube.Tracker().Add(pod); err != nil {
		t.Fatal(err)
	}
}

func TestNodeDeleteServer(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 1)
	h.addPod(t, "web", "mini-ha-server-2", "ReplicaSet")
	h.addPod(t, "proxy", "mini-ha-server-2", "DaemonSet")
	h.addPod(t, "elsewhere", "mini-ha-agent-0", "")
	ctx := context.Background()
	n := h.eventCount()
	if err := h.p.DeleteNodes(ctx, NodeDeleteOptions{Names: []string{"server-2"}, Cluster: "ha"}); err != nil {
		t.Fatal(err)
	}
	// Drain, then stop, then the Node object: a running kubelet would
	// register it again.
	want := []string{"evict default/web", "stop mini-ha-server-2", "delete node mini-ha-server-2"}
	if got := h.eventsSince(n); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if h.rt.Container("mini-ha-server-2") != nil || slices.Contains(h.rt.VolumeNames(), "mini-ha-server-2-data") {
		t.Errorf("container or volume left: %v %v", h.rt.ContainerNames(), h.rt.VolumeNames())
	}
	if node, err := h.kube.CoreV1().Nodes().Get(ctx, "mini-ha-server-2", metav1.GetOptions{}); err == nil {
		t.Errorf("Node object left: %v", node.Name)
	}
	if want := []string{"172.30.0.10:6443", "172.30.0.11:6443"}; !slices.Equal(h.lbBackends(t, "mini-ha-lb"), want) {
		t.Errorf("load balancer backends %v, want %v", h.lbBackends(t, "mini-ha-lb"), want)
	}
	// The membership was asked on a remaining server, after the Node object
	// went; the load balancer stopped sending to the server before it stopped.
	calls := h.rt.Calls()
	reload := slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "Exec mini-ha-lb ") })
	if reload < 0 || reload > slices.Index(calls, "StopContainer mini-ha-server-2") {
		t.Errorf("load balancer not updated before the server stopped: %v", calls)
	}
	ask := slices.Index(calls, "Exec mini-ha-server-0 "+strings.Join(etcdMembersCmd, " "))
	if ask < 0 || ask < slices.Index(calls, "StopContainer mini-ha-server-2") || ask > slices.Index(calls, "RemoveContainer mini-ha-server-2") {
		t.Errorf("etcd membership not awaited between stop and removal: %v", calls)
	}
	// Two servers are left: that deserves a warning.
	if !strings.Contains(h.logs.String(), "no fault tolerance") {
		t.Errorf("no warning about 2 servers: %s", h.logs.String())
	}
	// And now one more would cost etcd its quorum.
	err := h.p.DeleteNodes(ctx, NodeDeleteOptions{Names: []string{"mini-ha-server-1"}})
	if err == nil || !strings.Contains(err.Error(), "quorum") || !strings.Contains(err.Error(), "add a server first") {
		t.Errorf("deleting a server of 2: %v, want the quorum refusal", err)
	}
}

func TestNodeDeleteAgentKeepsLB(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 2)
	n := len(h.applied)
	if err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"mini-dev-agent-1"}}); err != nil {
		t.Fatal(err)
	}
	if len(h.applied) != n {
		t.Errorf("deleting an agent reconfigured the load balancer")
	}
	cl, _ := h.p.Get(context.Background(), "dev")
	if len(cl.Agents) != 1 || cl.Agents[0].Name != "mini-dev-agent-0" {
		t.Errorf("agents after delete: %+v", cl.Agents)
	}
}

func TestNodeDeleteRefusals(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1)
	h.createCluster(t, "nolb", 3, 0, func(o *CreateOptions) { o.NoLB = true })
	err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{
		"mini-dev-lb", "mini-dev-server-0", "nope", "mini-nolb-server-0", "mini-dev-agent-0",
	}})
	for _, want := range []string{
		"mini-dev-lb is the load balancer", "last server of cluster dev", `"nope" not found`,
		"mini-nolb-server-0 publishes the API",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	// The one name that could go went.
	if h.rt.Container("mini-dev-agent-0") != nil || h.rt.Container("mini-dev-server-0") == nil || h.rt.Container("mini-dev-lb") == nil {
		t.Errorf("containers after delete: %v", h.rt.ContainerNames())
	}
	if err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"mini-dev-server-0"}, Cluster: "nolb"}); err == nil ||
		!strings.Contains(err.Error(), "belongs to cluster dev") {
		t.Errorf("--cluster mismatch: %v", err)
	}
	if err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"x"}, Cluster: "gone"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown --cluster: %v", err)
	}
}

// Stopped servers count against the quorum too.
func TestNodeDeleteRefusesWithServersDown(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 0)
	ctx := context.Background()
	if err := h.p.StopNodes(ctx, "ha", []string{"server-1"}); err != nil {
		t.Fatal(err)
	}
	err := h.p.DeleteNodes(ctx, NodeDeleteOptions{Names: []string{"server-2"}, Cluster: "ha"})
	if err == nil || !strings.Contains(err.Error(), "start the stopped servers first") {
		t.Errorf("DeleteNodes() = %v, want the quorum refusal", err)
	}
	// The stopped one itself can go: 2 of 3 members still run.
	if err := h.p.DeleteNodes(ctx, NodeDeleteOptions{Names: []string{"server-1"}, Cluster: "ha"}); err != nil {
		t.Errorf("deleting the stopped server: %v", err)
	}
}

func TestNodeDeleteEtcdTimeoutKeepsContainer(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 0)
	h.keepMembers = true
	err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"mini-ha-server-2"}})
	if err == nil || !strings.Contains(err.Error(), "mini-ha-server-2 is still an etcd member") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("DeleteNodes() = %v, want a timeout naming the server", err)
	}
	if c := h.rt.Container("mini-ha-server-2"); c == nil || c.Running {
		t.Errorf("the server should be kept, stopped, for another try: %+v", c)
	}
	h.keepMembers = false
	if err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"mini-ha-server-2"}}); err != nil {
		t.Errorf("second try: %v", err)
	}
}

// Without an API the node still goes, with a warning.
func TestNodeDeleteWithoutAPI(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1)
	h.p.kubeClient = func(*clientcmdapi.Config) (kubernetes.Interface, error) { return nil, errors.New("connection refused") }
	if err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"mini-dev-agent-0"}}); err != nil {
		t.Fatal(err)
	}
	if h.rt.Container("mini-dev-agent-0") != nil {
		t.Errorf("agent not deleted")
	}
	if !strings.Contains(h.logs.String(), "kubectl delete node mini-dev-agent-0") {
		t.Errorf("no warning about the Node object left: %s", h.logs.String())
	}
}

func TestNodeStartStop(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "ha", 3, 1)
	ctx := context.Background()
	n := h.eventCount()
	// Stopped in reverse start order; the second server stop costs quorum.
	if err := h.p.StopNodes(ctx, "ha", []string{"server-0", "agent-0", "mini-ha-server-1", "lb"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"stop mini-ha-agent-0", "stop mini-ha-server-1", "stop mini-ha-server-0", "stop mini-ha-lb"}
	if got := h.eventsSince(n); !slices.Equal(got, want) {
		t.Errorf("stop events %v, want %v", got, want)
	}
	if !strings.Contains(h.logs.String(), "stopping mini-ha-server-0 leaves 1 of 3 servers") {
		t.Errorf("no quorum warning: %s", h.logs.String())
	}
	n = h.eventCount()
	if err := h.p.StartNodes(ctx, "", []string{"mini-ha-agent-0", "mini-ha-server-1", "mini-ha-lb", "mini-ha-server-0"}); err != nil {
		t.Fatal(err)
	}
	want = []string{"start mini-ha-lb", "start mini-ha-server-0", "start mini-ha-server-1", "start mini-ha-agent-0"}
	if got := h.eventsSince(n); !slices.Equal(got, want) {
		t.Errorf("start events %v, want %v", got, want)
	}
	if len(h.lbBackends(t, "mini-ha-lb")) != 3 {
		t.Errorf("load balancer config not applied on start")
	}
	err := h.p.StartNodes(ctx, "", []string{"nope", "neither"})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), `"neither"`) {
		t.Errorf("unknown names: %v", err)
	}
}

// A disruption budget that never allows the eviction bounds the drain, and
// the node goes anyway.
func TestNodeDeleteDrainIsBounded(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1)
	h.addPod(t, "guarded", "mini-dev-agent-0", "ReplicaSet")
	h.kube.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, k8sruntime.Object, error) {
		return true, nil, apierrors.NewTooManyRequests("disruption budget", 1)
	})
	h.p.drainTimeout = 20 * time.Millisecond
	if err := h.p.DeleteNodes(context.Background(), NodeDeleteOptions{Names: []string{"mini-dev-agent-0"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "drain of mini-dev-agent-0 incomplete") || h.rt.Container("mini-dev-agent-0") != nil {
		t.Errorf("log %s; containers %v", h.logs.String(), h.rt.ContainerNames())
	}
	node, err := h.kube.CoreV1().Nodes().Get(context.Background(), "mini-dev-agent-0", metav1.GetOptions{})
	if err == nil {
		t.Errorf("Node object left: %+v", node)
	}
}
