package servicelb

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// Lease coordinates the servers: only its holder runs the controller.
const (
	LeaseNamespace = "kube-system"
	LeaseName      = "mini-servicelb"
)

// Leader election timing, as kube-controller-manager's defaults: a crashed
// leader's Services keep their (still valid) ingress; a successor only has
// to take over within seconds for node changes to be reflected.
const (
	leaseDuration = 15 * time.Second
	renewDeadline = 10 * time.Second
	retryPeriod   = 2 * time.Second
)

// Run runs the servicelb controller with workers workers (at least one)
// whenever this process holds the Lease kube-system/mini-servicelb, and
// campaigns again if it loses it. It blocks until ctx is done, then
// releases the Lease so another server takes over at once, and returns
// nil. It returns an error only if it cannot start.
func Run(ctx context.Context, client kubernetes.Interface, workers int) error {
	if workers < 1 {
		workers = 1
	}
	id, err := identity()
	if err != nil {
		return err
	}
	logger := klog.FromContext(ctx).WithName("servicelb")
	ctx = klog.NewContext(ctx, logger)

	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: LeaseNamespace, Name: LeaseName},
		Client:     client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: id},
	}
	// leading serialises terms: OnStartedLeading runs in a goroutine of its
	// own, so a new term waits here until the previous controller is gone.
	var leading sync.Mutex
	config := leaderelection.LeaderElectionConfig{
		Lock:            lock,
		Name:            LeaseName,
		LeaseDuration:   leaseDuration,
		RenewDeadline:   renewDeadline,
		RetryPeriod:     retryPeriod,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) {
				leading.Lock()
				defer leading.Unlock()
				if ctx.Err() != nil {
					return
				}
				logger.Info("became leader", "identity", id)
				runTerm(ctx, client, workers)
			},
			OnStoppedLeading: func() {
				logger.V(1).Info("not leading", "identity", id)
			},
		},
	}
	for ctx.Err() == nil {
		elector, err := leaderelection.NewLeaderElector(config)
		if err != nil {
			return fmt.Errorf("servicelb leader election: %w", err)
		}
		// Returns when ctx is done or the lease was lost; in the latter case
		// stand again: this server may well be the only one left.
		elector.Run(ctx)
		leading.Lock()
		leading.Unlock() //nolint:staticcheck // waits for the term's controller to stop
	}
	return nil
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

// identity names this process in the Lease: the host name tells which
// server leads, the UUID keeps two processes on one host apart.
func identity() (string, error) {
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("servicelb identity: %w", err)
	}
	return host + "_" + string(uuid.NewUUID()), nil
}
