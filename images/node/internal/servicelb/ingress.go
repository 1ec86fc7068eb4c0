package servicelb

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// managed reports whether this controller owns the status of svc. A
// non-LoadBalancer Service is owned too, so that stale ingress left from
// when it was one can be cleared.
func managed(svc *corev1.Service) bool {
	return svc.Spec.LoadBalancerClass == nil
}

// needsSync reports whether svc has or should have an ingress, the only
// Services worth a trip through the queue.
func needsSync(svc *corev1.Service) bool {
	return managed(svc) &&
		(svc.Spec.Type == corev1.ServiceTypeLoadBalancer || len(svc.Status.LoadBalancer.Ingress) > 0)
}

// nodeReady reports whether n can take traffic: Ready and not being deleted.
func nodeReady(n *corev1.Node) bool {
	if n.DeletionTimestamp != nil {
		return false
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// internalIPs returns the parseable InternalIP addresses of n.
func internalIPs(n *corev1.Node) []netip.Addr {
	var out []netip.Addr
	for _, a := range n.Status.Addresses {
		if a.Type != corev1.NodeInternalIP {
			continue
		}
		if ip, err := netip.ParseAddr(a.Address); err == nil {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

// readyNodeIPs returns the InternalIPs of the Ready nodes, sorted
// numerically (so 10.0.0.9 comes before 10.0.0.10) and without duplicates,
// so the same set of nodes always yields the same status and no write.
func readyNodeIPs(nodes []*corev1.Node) []netip.Addr {
	var ips []netip.Addr
	for _, n := range nodes {
		if nodeReady(n) {
			ips = append(ips, internalIPs(n)...)
		}
	}
	slices.SortFunc(ips, func(a, b netip.Addr) int { return a.Compare(b) })
	return slices.Compact(ips)
}

// desiredIngress is the ingress svc should have given the Ready node IPs:
// none unless it is a LoadBalancer, and only addresses of the Service's IP
// families (kube-proxy would ignore the others).
func desiredIngress(svc *corev1.Service, ips []netip.Addr) []corev1.LoadBalancerIngress {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return nil
	}
	// VIP is what the API server defaults an empty mode to; setting it
	// keeps the comparison with the stored status exact. It also tells
	// kube-proxy to accept traffic sent to the node IP on the Service port.
	vip := corev1.LoadBalancerIPModeVIP
	var out []corev1.LoadBalancerIngress
	for _, ip := range ips {
		if !wantsFamily(svc, ip) {
			continue
		}
		out = append(out, corev1.LoadBalancerIngress{IP: ip.String(), IPMode: &vip})
	}
	return out
}

// wantsFamily reports whether ip's family is one of svc's; a Service with no
// families recorded (headless, or not yet defaulted) accepts both.
func wantsFamily(svc *corev1.Service, ip netip.Addr) bool {
	if len(svc.Spec.IPFamilies) == 0 {
		return true
	}
	family := corev1.IPv4Protocol
	if ip.Is6() {
		family = corev1.IPv6Protocol
	}
	return slices.Contains(svc.Spec.IPFamilies, family)
}

// ingressEqual compares ingress lists as this controller writes them: by IP
// and mode, with a missing mode meaning VIP, in order.
func ingressEqual(a, b []corev1.LoadBalancerIngress) bool {
	return slices.EqualFunc(a, b, func(x, y corev1.LoadBalancerIngress) bool {
		return x.IP == y.IP && x.Hostname == y.Hostname && ipMode(x) == ipMode(y) && len(x.Ports) == len(y.Ports)
	})
}

func ipMode(i corev1.LoadBalancerIngress) corev1.LoadBalancerIPMode {
	if i.IPMode == nil {
		return corev1.LoadBalancerIPModeVIP
	}
	return *i.IPMode
}

// nodeChanged reports whether an update to a node can change any Service's
// ingress: its readiness, its InternalIPs, or its deletion mark.
func nodeChanged(old, cur *corev1.Node) bool {
	return nodeReady(old) != nodeReady(cur) || !slices.Equal(internalIPs(old), internalIPs(cur))
}
