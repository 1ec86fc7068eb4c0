package servicelb

import (
	"context"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/leader"
)

// LeaseName is the Lease in kube-system whose holder runs the controller.
const LeaseName = "mini-servicelb"

// Run runs the servicelb controller with workers workers (at least one)
// whenever this process holds the Lease kube-system/mini-servicelb (see
// package leader). It blocks until ctx is done and returns nil; it returns
// an error only if it cannot start.
func Run(ctx context.Context, client kubernetes.Interface, workers int) error {
	if workers < 1 {
		workers = 1
	}
	ctx = klog.NewContext(ctx, klog.FromContext(ctx).WithName("servicelb"))
	return leader.Run(ctx, client, LeaseName, func(ctx context.Context) { runTerm(ctx, client, workers) })
}

// runTerm runs one controller for one term of leadership, with fresh
// informers, so nothing cached from an earlier term is trusted.
func runTerm(ctx context.Context, client kubernetes.Interface, workers int) {
	factory := informers.NewSharedInformerFactory(client, 0)
	c, err := newController(client, factory)
	if err != nil {
		// Only fails on a stopped informer, which a fresh factory is not.
		klog.FromContext(ctx).Error(err, "servicelb controller could not start")
		return
	}
	c.run(ctx, factory, workers)
}
