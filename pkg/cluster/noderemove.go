package cluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/minictl/mini/pkg/runtime"
)

// drainTimeout bounds a drain: a disruption budget that never allows an
// eviction, or a pod slow to stop, must not hold a delete forever. The
// node goes anyway; its pods are then deleted with it.
const drainTimeout = time.Minute

// kubeconfigTimeout bounds reading the admin kubeconfig from a server that
// is already running, so it has written it long ago.
const kubeconfigTimeout = 10 * time.Second

// removeNode takes node n out of cluster cl (as it is now) and removes its
// container and data volume. The order matters:
//
//  1. a node the load balancer sends traffic to (every server, and any
//     node a --port goes to) leaves it first, so no new connection is
//     sent to it;
//  2. with drain, the node is cordoned and its pods evicted, while it
//     still runs them;
//  3. the container stops before its Node object is deleted: a running
//     kubelet would register the node again;
//  4. deleting the Node object makes the remaining servers remove a
//     server's etcd member; the wait for that is on a remaining server's
//     own view of the membership. Until it is gone the container is kept
//     (stopped), so a failed removal can be retried;
//  5. container and volume go, and the load balancer is rendered again
//     from the nodes that are left.
//
// The API steps are best effort: without an API the node is still
// removed, with a warning saying what is left behind. The kubeconfig and
// the etcd membership are read from a running server not in avoid (which
// holds n and any node that may be broken, such as those a rollback
// removes).
func (p *Provider) removeNode(ctx context.Context, cl Cluster, n Node, drain bool, avoid map[string]bool) error {
	isServer := n.Role == RoleServer
	fronted := cl.lbFronts(n.Role, n.Index)
	if fronted {
		if err := p.syncLB(ctx, cl.Name, n.Name); err != nil {
			p.log.Warnf("taking %s out of the load balancer: %v", n.Name, err)
		}
	}
	cs, err := p.clusterClient(ctx, cl, avoid, kubeconfigTimeout)
	if err != nil {
		p.log.Warnf("cannot reach the API of cluster %s (%v): %s is removed without a drain, and its Node object may stay (remove it with `kubectl delete node %s`)", cl.Name, err, n.Name, n.Name)
		cs = nil
	}
	if drain && n.Running && cs != nil {
		if err := p.drain(ctx, cs, n.Name); err != nil {
			p.log.Warnf("drain of %s incomplete, deleting it anyway: %v", n.Name, err)
		}
	}
	if n.Running {
		if err := p.rt.StopContainer(ctx, n.Name, StopTimeout); err != nil {
			return err
		}
	}
	if cs != nil {
		err := cs.CoreV1().Nodes().Delete(ctx, n.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			p.log.Warnf("deleting the Node object %s: %v", n.Name, err)
		}
	}
	if isServer {
		via := firstRunning(cl.Servers, avoid)
		if via == "" {
			return fmt.Errorf("no running server left in cluster %s to check that etcd removed member %s", cl.Name, n.Name)
		}
		if err := p.waitMemberGone(ctx, via, n.Name); err != nil {
			return fmt.Errorf("server %s is still an etcd member, so its container is kept (stopped) for another try: %w", n.Name, err)
		}
	}
	if err := p.rt.RemoveContainer(ctx, n.Name, runtime.RemoveOptions{Force: true, Volumes: true}); err != nil && !runtime.IsNotFound(err) {
		return err
	}
	vol := Namer{Cluster: cl.Name}.Volume(n.Name)
	if err := p.rt.RemoveVolume(ctx, vol); err != nil && !runtime.IsNotFound(err) {
		return err
	}
	if fronted {
		return p.syncLB(ctx, cl.Name)
	}
	return nil
}

// drain cordons a node and evicts its pods, then waits (up to
// p.drainTimeout) until they are gone. Evictions honour disruption budgets:
// a refused one is retried until the timeout.
func (p *Provider) drain(ctx context.Context, cs kubernetes.Interface, node string) error {
	ctx, cancel := context.WithTimeout(ctx, p.drainTimeout)
	defer cancel()
	cordon := []byte(`{"spec":{"unschedulable":true}}`)
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, cordon, metav1.PatchOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			return nil // never registered: nothing runs there
		}
		return fmt.Errorf("cordoning node %s: %w", node, err)
	}
	last := ""
	for {
		left, err := p.evictPods(ctx, cs, node)
		switch {
		case err != nil:
			last = err.Error()
		case left == 0:
			return nil
		default:
			last = fmt.Sprintf("%d pod(s) left", left)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("draining node %s (%s): %w", node, last, ctx.Err())
		case <-time.After(p.poll):
		}
	}
}

// evictPods asks to evict every pod a drain moves off node, and returns
// how many are still there.
func (p *Provider) evictPods(ctx context.Context, cs kubernetes.Interface, node string) (int, error) {
	pods, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return 0, err
	}
	left := 0
	for _, pod := range pods.Items {
		if pod.Spec.NodeName != node || !drained(pod) {
			continue
		}
		left++
		if pod.DeletionTimestamp != nil {
			continue // on its way out
		}
		ev := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace}}
		switch err := cs.PolicyV1().Evictions(pod.Namespace).Evict(ctx, ev); {
		case err == nil, apierrors.IsNotFound(err):
		case apierrors.IsTooManyRequests(err):
			p.log.Debugf("eviction of pod %s/%s refused by a disruption budget; retrying", pod.Namespace, pod.Name)
		default:
			return left, fmt.Errorf("evicting pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	return left, nil
}

// drained tells the pods a drain moves from those it leaves: DaemonSet
// pods (their controller ignores cordons and would recreate them), mirror
// pods of static manifests (the kubelet owns them) and finished pods.
func drained(pod corev1.Pod) bool {
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return false
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	for _, o := range pod.OwnerReferences {
		if o.Controller != nil && *o.Controller && o.Kind == "DaemonSet" {
			return false
		}
	}
	return true
}
