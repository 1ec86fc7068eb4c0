package servicelb

import (
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, ready bool, ips ...string) *corev1.Node {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}},
			Addresses:  []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: name}},
		},
	}
	for _, ip := range ips {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
	}
	return n
}

func strs(ips []netip.Addr) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

func TestReadyNodeIPs(t *testing.T) {
	deleting := node("deleting", true, "10.0.0.7")
	deleting.DeletionTimestamp = &metav1.Time{}
	noCondition := node("new", true, "10.0.0.8")
	noCondition.Status.Conditions = nil
	external := node("ext", true)
	external.Status.Addresses = append(external.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeExternalIP, Address: "203.0.113.1"})

	got := strs(readyNodeIPs([]*corev1.Node{
		node("b", true, "10.0.0.10", "fd00::2"),
		node("a", true, "10.0.0.9"),
		node("dup", true, "10.0.0.9"), // same IP twice: listed once
		node("down", false, "10.0.0.1"),
		node("bad", true, "not-an-ip"),
		deleting, noCondition, external,
	}))
	// Numeric order, IPv4 before IPv6; NotReady, deleting, condition-less
	// nodes and non-internal addresses left out.
	want := []string{"10.0.0.9", "10.0.0.10", "fd00::2"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDesiredIngress(t *testing.T) {
	ips := readyNodeIPs([]*corev1.Node{node("a", true, "10.0.0.2", "fd00::2")})
	lb := func(families ...corev1.IPFamily) *corev1.Service {
		return &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, IPFamilies: families}}
	}
	for name, tc := range map[string]struct {
		svc  *corev1.Service
		want []string
	}{
		"ipv4 only":   {lb(corev1.IPv4Protocol), []string{"10.0.0.2"}},
		"ipv6 only":   {lb(corev1.IPv6Protocol), []string{"fd00::2"}},
		"dual stack":  {lb(corev1.IPv6Protocol, corev1.IPv4Protocol), []string{"10.0.0.2", "fd00::2"}},
		"no families": {lb(), []string{"10.0.0.2", "fd00::2"}},
		"cluster ip":  {&corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}}, nil},
		"node port":   {&corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort}}, nil},
	} {
		got := desiredIngress(tc.svc, ips)
		if !slices.Equal(ingressIPs(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: got %v, want %v", name, ingressIPs(got), tc.want)
		}
		for _, in := range got {
			if in.IPMode == nil || *in.IPMode != corev1.LoadBalancerIPModeVIP {
				t.Errorf("%s: %s has no VIP mode", name, in.IP)
			}
		}
	}
}

func TestIngressEqual(t *testing.T) {
	vip, proxy := corev1.LoadBalancerIPModeVIP, corev1.LoadBalancerIPModeProxy
	a := []corev1.LoadBalancerIngress{{IP: "10.0.0.1", IPMode: &vip}}
	if !ingressEqual(a, []corev1.LoadBalancerIngress{{IP: "10.0.0.1"}}) {
		t.Error("a missing mode must equal VIP, as the API server defaults it")
	}
	for name, b := range map[string][]corev1.LoadBalancerIngress{
		"other ip":   {{IP: "10.0.0.2", IPMode: &vip}},
		"proxy mode": {{IP: "10.0.0.1", IPMode: &proxy}},
		"hostname":   {{IP: "10.0.0.1", Hostname: "lb.example", IPMode: &vip}},
		"ports":      {{IP: "10.0.0.1", IPMode: &vip, Ports: []corev1.PortStatus{{Port: 80}}}},
		"longer":     {{IP: "10.0.0.1", IPMode: &vip}, {IP: "10.0.0.2", IPMode: &vip}},
		"empty":      nil,
	} {
		if ingressEqual(a, b) {
			t.Errorf("%s: reported equal", name)
		}
	}
}

func TestNeedsSync(t *testing.T) {
	class := "example.com/lb"
	for name, tc := range map[string]struct {
		svc  corev1.Service
		want bool
	}{
		"load balancer":      {corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}, true},
		"other class":        {corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: &class}}, false},
		"plain cluster ip":   {corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}}, false},
		"stale ingress left": {corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}, Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "10.0.0.1"}}}}}, true},
	} {
		if got := needsSync(&tc.svc); got != tc.want {
			t.Errorf("%s: needsSync = %v, want %v", name, got, tc.want)
		}
	}
}

func TestNodeChanged(t *testing.T) {
	base := node("a", true, "10.0.0.1")
	heartbeat := base.DeepCopy()
	heartbeat.Status.Conditions[0].LastHeartbeatTime = metav1.Now()
	if nodeChanged(base, heartbeat) {
		t.Error("a heartbeat counts as a change")
	}
	if !nodeChanged(base, node("a", false, "10.0.0.1")) {
		t.Error("readiness change missed")
	}
	if !nodeChanged(base, node("a", true, "10.0.0.2")) {
		t.Error("address change missed")
	}
}
