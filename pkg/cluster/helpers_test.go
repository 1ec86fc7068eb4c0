package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/kubeconfig"
	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/fake"
)

const (
	nodeImage     = "mini/node:test"
	lbImage       = "mini/lb:test"
	registryImage = "mini/registry:test"
)

// harness is a provider on a fake engine and a fake Kubernetes API that
// act like a cluster where it matters: a started node registers a Ready
// Node object, every running server serves its kubeconfig and the etcd
// membership, and deleting a server's Node object removes its etcd member
// (the node image's controller).
type harness struct {
	p       *Provider
	rt      *fake.Runtime
	kube    *k8sfake.Clientset
	kubecfg string
	logs    *strings.Builder
	// waited records every wait for a usable cluster, in order.
	waited []Usable

	mu sync.Mutex
	// events is the ordered log of node starts and stops and of the API
	// calls mini makes: "start NAME", "stop NAME", "list nodes",
	// "delete node NAME", "evict NS/NAME".
	events []string
	// removed holds servers whose etcd member was removed.
	removed map[string]bool
	// keepMembers makes etcd never remove members.
	keepMembers bool
	// noControllers keeps started servers from creating what their
	// controllers would (tests of the usable wait add it themselves).
	noControllers bool
	// applied is the last config applied to each load balancer.
	applied map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{rt: fake.New(nodeImage, lbImage, registryImage), kubecfg: filepath.Join(t.TempDir(), "config"),
		kube: k8sfake.NewClientset(), removed: map[string]bool{}, applied: map[string]string{}, logs: &strings.Builder{}}
	log := logrus.New()
	log.SetOutput(h.logs)
	h.p = NewProvider(h.rt, log,
		WithPrivileged(false),
		WithKubeconfig(kubeconfig.Paths{Explicit: h.kubecfg}),
		WithPollInterval(time.Millisecond),
		WithHostPrefixes(func() []string { return nil }),
		WithKubeClient(func(*clientcmdapi.Config) (kubernetes.Interface, error) { return h.kube, nil }),
		WithRegistryProbe(func(context.Context, string) error { return nil }),
	)
	h.p.etcdTimeout, h.p.drainTimeout = time.Second, time.Second
	// The real wait, against the fake API, recorded.
	wait := h.p.waitReady
	h.p.waitReady = func(ctx context.Context, cfg *clientcmdapi.Config, u Usable) error {
		h.mu.Lock()
		h.waited = append(h.waited, u)
		h.mu.Unlock()
		return wait(ctx, cfg, u)
	}
	h.rt.Hooks.Exec = h.exec
	h.rt.Hooks.StartContainer = h.onStart
	h.rt.Hooks.StopContainer = func(name string) error { h.event("stop " + name); return nil }
	h.kube.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, k8sruntime.Object, error) {
		h.event("list nodes")
		return false, nil, nil
	})
	h.kube.PrependReactor("delete", "nodes", func(a k8stesting.Action) (bool, k8sruntime.Object, error) {
		name := a.(k8stesting.DeleteAction).GetName()
		h.event("delete node " + name)
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.keepMembers {
			h.removed[name] = true
		}
		return false, nil, nil
	})
	// An eviction deletes the pod at once, as a kubelet stopping it would.
	h.kube.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, k8sruntime.Object, error) {
		if a.GetSubresource() != "eviction" {
			return false, nil, nil
		}
		ev := a.(k8stesting.CreateAction).GetObject().(interface{ GetName() string })
		h.event("evict " + a.GetNamespace() + "/" + ev.GetName())
		err := h.kube.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), a.GetNamespace(), ev.GetName())
		return true, nil, err
	})
	return h
}

func (h *harness) event(e string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

// eventsSince returns the events after the first n.
func (h *harness) eventsSince(n int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events[n:]...)
}

func (h *harness) eventCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

// onStart makes the fake API show what a started node container brings:
// its Node, Ready, and its kubelet's Lease renewed now; a server also
// brings what the control plane's controllers make (the default
// ServiceAccount and root CA ConfigMap) and a CoreDNS pod that turned
// Ready now behind kube-dns, unless h.noControllers.
func (h *harness) onStart(name string) error {
	h.event("start " + name)
	c, err := h.rt.InspectContainer(context.Background(), name)
	if err != nil || c.Labels[LabelRole] == RoleLoadBalancer || c.Labels[LabelRole] == "" {
		return nil
	}
	now := metav1.Now()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: corev1.NamespaceNodeLease},
		Spec: coordinationv1.LeaseSpec{RenewTime: &metav1.MicroTime{Time: now.Time}}}
	objs := []k8sruntime.Object{node, lease}
	if c.Labels[LabelRole] == RoleServer && !h.noControllers {
		objs = append(objs, controllerObjects(name, now)...)
	}
	for _, o := range objs {
		if err := upsert(h.kube.Tracker(), o); err != nil {
			return err
		}
	}
	return nil
}

// controllerObjects are what a server's controllers and CoreDNS put in
// the API: the default ServiceAccount, the root CA ConfigMap, and a
// CoreDNS pod on server Ready since now, behind kube-dns.
func controllerObjects(server string, now metav1.Time) []k8sruntime.Object {
	ready := true
	return []k8sruntime.Object{
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "default"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kube-root-ca.crt", Namespace: "default"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Namespace: "kube-system"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "coredns-0", Namespace: "kube-system"},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now}}}},
		&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "kube-dns-x", Namespace: "kube-system",
			Labels: map[string]string{discoveryv1.LabelServiceName: "kube-dns"}},
			Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.42.0.2"}, NodeName: &server,
				Conditions: discoveryv1.EndpointConditions{Ready: &ready},
				TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: "kube-system", Name: "coredns-0"}}}},
	}
}

// upsert adds o to the fake API, or replaces it when it exists.
func upsert(tr k8stesting.ObjectTracker, o k8sruntime.Object) error {
	gvks, _, err := scheme.Scheme.ObjectKinds(o)
	if err != nil {
		return err
	}
	gvr, _ := meta.UnsafeGuessKindToResource(gvks[0])
	m, err := meta.Accessor(o)
	if err != nil {
		return err
	}
	if err := tr.Add(o); err != nil {
		if !apierrors.IsAlreadyExists(err) {
			return err
		}
		return tr.Update(gvr, o, m.GetNamespace())
	}
	return nil
}

// exec answers like a node: servers serve their kubeconfig and the etcd
// membership; everything else (the load balancer's reload) succeeds.
func (h *harness) exec(name string, spec runtime.ExecSpec) (int, error) {
	ctx := context.Background()
	c, err := h.rt.InspectContainer(ctx, name)
	if err != nil || !c.Running {
		return -1, errors.New("container " + name + " is not running")
	}
	server := c.Labels[LabelRole] == RoleServer
	switch {
	case c.Labels[LabelRole] == RoleLoadBalancer && spec.Stdin != nil:
		conf, _ := io.ReadAll(spec.Stdin)
		h.mu.Lock()
		h.applied[name] = string(conf)
		h.mu.Unlock()
	case server && slices.Equal(spec.Cmd, etcdMembersCmd):
		_ = json.NewEncoder(spec.Stdout).Encode(h.members())
	case len(spec.Cmd) == 2 && spec.Cmd[0] == "cat" && spec.Cmd[1] == RegistriesFile:
		data, ok := h.rt.Container(name).Files[RegistriesFile]
		if !ok {
			return 1, nil
		}
		_, _ = spec.Stdout.Write(data)
	case server && len(spec.Cmd) == 2 && spec.Cmd[0] == "cat" && spec.Stdout != nil:
		_, _ = io.WriteString(spec.Stdout, fake.NodeKubeconfig)
	}
	return 0, nil
}

// members is the etcd membership: every server container not removed.
func (h *harness) members() []etcdMember {
	cs, _ := h.rt.ListContainers(context.Background(), map[string]string{LabelRole: RoleServer})
	h.mu.Lock()
	defer h.mu.Unlock()
	ms := []etcdMember{}
	for _, c := range cs {
		if !h.removed[c.Name] {
			ms = append(ms, etcdMember{Name: c.Name, PeerURL: "https://" + c.Labels[LabelIP] + ":2380", Started: c.Running})
		}
	}
	return ms
}

// lbConf returns the load balancer's config: the last one applied, else
// the one it was seeded with.
func (h *harness) lbConf(lb string) string {
	conf := string(h.rt.Container(lb).Files["/etc/nginx/mini/stream.conf"])
	h.mu.Lock()
	defer h.mu.Unlock()
	if a, ok := h.applied[lb]; ok {
		conf = a
	}
	return conf
}

// lbBackends returns the server addresses in the load balancer's config.
func (h *harness) lbBackends(t *testing.T, lb string) []string {
	t.Helper()
	return upstreamServers(h.lbConf(lb))
}

// upstreamServers returns the addresses of the upstream servers in conf.
func upstreamServers(conf string) []string {
	var out []string
	for _, line := range strings.Split(conf, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "server" && f[1] != "{" {
			out = append(out, f[1])
		}
	}
	return out
}

func defaultOpts(name string) CreateOptions {
	return CreateOptions{Name: name, Servers: 1, Image: nodeImage, LBImage: lbImage, RegistryImage: registryImage, Wait: true,
		Timeout: time.Minute, UpdateKubeconfig: true, SwitchContext: true}
}

// createCluster makes a cluster on h, failing the test on error.
func (h *harness) createCluster(t *testing.T, name string, servers, agents int, mutate ...func(*CreateOptions)) {
	t.Helper()
	o := defaultOpts(name)
	o.Servers, o.Agents = servers, agents
	for _, m := range mutate {
		m(&o)
	}
	if err := h.p.Create(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) assertEmpty(t *testing.T) {
	t.Helper()
	if c, n, v := h.rt.ContainerNames(), h.rt.NetworkNames(), h.rt.VolumeNames(); len(c)+len(n)+len(v) > 0 {
		t.Errorf("left behind: containers %v, networks %v, volumes %v", c, n, v)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// listen occupies a loopback port for the test and returns it as an
// --api-port value.
func listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}
