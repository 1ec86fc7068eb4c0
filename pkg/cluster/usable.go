package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Usable says what a cluster must show before a --wait ends. Node Ready
// alone is not enough: `mini cluster create && kubectl run …` failed with
// "serviceaccount default not found" for about five seconds after every
// node was Ready, because the ServiceAccount controller had not run yet,
// and a pod created then could not resolve a Service name until CoreDNS
// served. A wait ends once none of the listed signals is missing.
type Usable struct {
	// Nodes must be registered, Ready, and free of the not-ready and
	// unreachable taints, so a pod can be scheduled on each of them.
	Nodes []string
	// Restarted names the nodes started at Since: what the API says of
	// them (Ready, their pods' readiness) may date from before the stop,
	// so each kubelet must have renewed its Lease after Since, and a
	// CoreDNS pod on one of them must have turned Ready after Since.
	Restarted []string
	Since     time.Time
	// Workloads requires what every pod in the "default" namespace needs
	// at admission and start: the default ServiceAccount and the
	// kube-root-ca.crt ConfigMap its token volume projects.
	Workloads bool
	// DNS says whether CoreDNS must answer: a ready endpoint behind
	// kube-system/kube-dns, which CoreDNS's readiness probe (its /ready
	// plugin) only grants once it serves.
	DNS DNSWait
}

// DNSWait says whether a wait includes CoreDNS.
type DNSWait int

const (
	// DNSSkip does not look at CoreDNS.
	DNSSkip DNSWait = iota
	// DNSRequired waits for CoreDNS: the cluster deploys it (not disabled).
	DNSRequired
	// DNSIfDeployed waits for CoreDNS when the kube-dns Service exists: a
	// restarted cluster has it, unless it was created with CoreDNS disabled.
	DNSIfDeployed
)

// describe names what the wait covers, for the progress line.
func (u Usable) describe() string {
	parts := []string{fmt.Sprintf("%d node(s) Ready", len(u.Nodes))}
	if u.Workloads {
		parts = append(parts, "default ServiceAccount")
	}
	switch u.DNS {
	case DNSRequired:
		parts = append(parts, "CoreDNS")
	case DNSIfDeployed:
		parts = append(parts, "CoreDNS if deployed")
	}
	return strings.Join(parts, ", ")
}

// kubeDNS is the Service CoreDNS serves behind (k3s and kubeadm's name).
const kubeDNS = "kube-dns"

// waitUsable polls the API until the cluster behind cfg is usable as u
// says, or ctx ends; the error then lists everything still missing.
func (p *Provider) waitUsable(ctx context.Context, cfg *clientcmdapi.Config, u Usable) error {
	cs, err := p.kubeClient(cfg)
	if err != nil {
		return err
	}
	for {
		missing, nodes := pendingUsable(ctx, cs, u)
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return &NotUsableError{Missing: missing, Nodes: nodes, Err: ctx.Err()}
		case <-time.After(p.poll):
		}
	}
}

// NotUsableError is a wait for a usable cluster that ended first.
type NotUsableError struct {
	// Missing lists what the cluster still lacked, one phrase each.
	Missing []string
	// Nodes are the nodes among them (not registered, not Ready), whose
	// logs tell why.
	Nodes []string
	Err   error
}

func (e *NotUsableError) Error() string {
	return fmt.Sprintf("waiting for the cluster to be usable (%s): %v", strings.Join(e.Missing, "; "), e.Err)
}

func (e *NotUsableError) Unwrap() error { return e.Err }

// FailingNodes names the nodes whose logs explain the failure.
func (e *NotUsableError) FailingNodes() []string { return e.Nodes }

// pendingUsable returns what the cluster still lacks to be usable, each
// a short phrase naming the node or object, and the nodes among them;
// none means usable. An API error counts as missing, as the API may not
// answer yet.
func pendingUsable(ctx context.Context, cs kubernetes.Interface, u Usable) (missing, nodes []string) {
	missing, nodes = pendingNodes(ctx, cs, u)
	if u.Workloads {
		if _, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{}); err != nil {
			missing = append(missing, "ServiceAccount default/default: "+reason(err))
		}
		if _, err := cs.CoreV1().ConfigMaps(metav1.NamespaceDefault).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{}); err != nil {
			missing = append(missing, "ConfigMap default/kube-root-ca.crt: "+reason(err))
		}
	}
	if u.DNS != DNSSkip {
		if m := pendingDNS(ctx, cs, u); m != "" {
			missing = append(missing, m)
		}
	}
	return missing, nodes
}

func pendingNodes(ctx context.Context, cs kubernetes.Interface, u Usable) (missing, nodes []string) {
	if len(u.Nodes) == 0 {
		return nil, nil
	}
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return []string{"listing nodes: " + reason(err)}, nil
	}
	byName := map[string]corev1.Node{}
	for _, n := range list.Items {
		byName[n.Name] = n
	}
	var renewed map[string]bool
	if len(u.Restarted) > 0 {
		renewed = map[string]bool{}
		leases, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, metav1.ListOptions{})
		if err != nil {
			return []string{"listing node leases: " + reason(err)}, nil
		}
		for _, l := range leases.Items {
			if l.Spec.RenewTime != nil && !l.Spec.RenewTime.Time.Before(u.Since) {
				renewed[l.Name] = true
			}
		}
	}
	for _, name := range u.Nodes {
		n, ok := byName[name]
		before := len(missing)
		switch {
		case !ok:
			missing = append(missing, "node "+name+" not registered")
		case slices.Contains(u.Restarted, name) && !renewed[name]:
			missing = append(missing, "node "+name+": kubelet not back since the start")
		case !nodeReady(n):
			missing = append(missing, "node "+name+" not Ready")
		case hasTaint(n, corev1.TaintNodeNotReady) || hasTaint(n, corev1.TaintNodeUnreachable):
			missing = append(missing, "node "+name+" still tainted not-ready")
		}
		if len(missing) > before {
			nodes = append(nodes, name)
		}
	}
	return missing, nodes
}

// pendingDNS returns why CoreDNS does not count as answering yet, or "".
func pendingDNS(ctx context.Context, cs kubernetes.Interface, u Usable) string {
	if u.DNS == DNSIfDeployed {
		_, err := cs.CoreV1().Services(metav1.NamespaceSystem).Get(ctx, kubeDNS, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return ""
		}
		if err != nil {
			return "Service kube-system/kube-dns: " + reason(err)
		}
	}
	eps, err := cs.DiscoveryV1().EndpointSlices(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + kubeDNS})
	if err != nil {
		return "CoreDNS endpoints: " + reason(err)
	}
	for _, s := range eps.Items {
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			if freshDNSPod(ctx, cs, u, ep.NodeName, ep.TargetRef) {
				return ""
			}
		}
	}
	return "CoreDNS: no ready endpoint behind kube-system/kube-dns yet"
}

// freshDNSPod tells whether a ready endpoint can be believed: on a node
// restarted at u.Since, its pod must have turned Ready after that, as the
// endpoint may still show the pod that ran before the stop.
func freshDNSPod(ctx context.Context, cs kubernetes.Interface, u Usable, node *string, ref *corev1.ObjectReference) bool {
	if len(u.Restarted) == 0 || (node != nil && !slices.Contains(u.Restarted, *node)) {
		return true
	}
	if ref == nil || ref.Kind != "Pod" {
		return false
	}
	pod, err := cs.CoreV1().Pods(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue && !c.LastTransitionTime.Time.Before(u.Since)
		}
	}
	return false
}

func nodeReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasTaint(n corev1.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

// reason is an API error in a few words: "not found" rather than the
// whole status.
func reason(err error) string {
	if apierrors.IsNotFound(err) {
		return "not created yet"
	}
	return err.Error()
}
