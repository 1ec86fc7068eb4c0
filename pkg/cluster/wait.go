package cluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WaitForNodesReady polls the API until at least want nodes report Ready,
// or ctx ends. It asks the API server itself rather than reading logs.
//
// After a restart a node's Ready condition can be stale (it is only
// reconsidered after the node monitor's grace period), so when since is set
// a node also needs its kubelet to have renewed its Lease after since.
func WaitForNodesReady(ctx context.Context, cfg *clientcmdapi.Config, want int, since time.Time, interval time.Duration) error {
	cs, err := newKubeClient(cfg)
	if err != nil {
		return err
	}
	last := "no answer yet"
	for {
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			last = err.Error()
		} else {
			renewed := map[string]bool{}
			if !since.IsZero() {
				leases, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, metav1.ListOptions{})
				if err == nil {
					for _, l := range leases.Items {
						if l.Spec.RenewTime != nil && !l.Spec.RenewTime.Time.Before(since) {
							renewed[l.Name] = true
						}
					}
				}
			}
			ready := 0
			for _, n := range nodes.Items {
				if nodeReady(n) && (since.IsZero() || renewed[n.Name]) {
					ready++
				}
			}
			if ready >= want {
				return nil
			}
			last = fmt.Sprintf("%d of %d node(s) Ready", ready, want)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d node(s) to be Ready (%s): %w", want, last, ctx.Err())
		case <-time.After(interval):
		}
	}
}

func nodeReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
