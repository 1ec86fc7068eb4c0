// Package leader runs a controller on exactly one server at a time, chosen
// by a Lease in kube-system, as kube-controller-manager does. With several
// servers, controllers that hand out or rewrite shared state (pod subnets,
// LoadBalancer ingress) must not run twice.
package leader

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// Namespace holds the Leases.
const Namespace = "kube-system"

// Timing as kube-controller-manager's defaults: a crashed leader's work
// stays valid for a while; a successor takes over within seconds.
const (
	leaseDuration = 15 * time.Second
	renewDeadline = 10 * time.Second
	retryPeriod   = 2 * time.Second
)

// Run calls term whenever this process holds the Lease kube-system/lease,
// and campaigns again when it loses it: this server may well be the only
// one left. Each term gets a context that ends with the leadership, and a
// new term starts only once the previous one has returned. Run blocks until
// ctx is done, then releases the Lease so another server takes over at
// once. It returns an error only if it cannot start.
func Run(ctx context.Context, client kubernetes.Interface, lease string, term func(context.Context)) error {
	id, err := identity()
	if err != nil {
		return fmt.Errorf("%s: %w", lease, err)
	}
	logger := klog.FromContext(ctx).WithName(lease)
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: Namespace, Name: lease},
		Client:     client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: id},
	}
	// leading serialises terms: OnStartedLeading runs in a goroutine of its
	// own, so a new term waits here until the previous one is gone.
	var leading sync.Mutex
	config := leaderelection.LeaderElectionConfig{
		Lock:            lock,
		Name:            lease,
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
				term(ctx)
			},
			OnStoppedLeading: func() {
				logger.V(1).Info("not leading", "identity", id)
			},
		},
	}
	for ctx.Err() == nil {
		elector, err := leaderelection.NewLeaderElector(config)
		if err != nil {
			return fmt.Errorf("%s leader election: %w", lease, err)
		}
		elector.Run(ctx)
		leading.Lock()
		leading.Unlock() //nolint:staticcheck // waits for the term to end
	}
	return nil
}

// identity names this process in the Lease: the host name tells which
// server leads, the UUID keeps two processes on one host apart.
func identity() (string, error) {
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("leader identity: %w", err)
	}
	return host + "_" + string(uuid.NewUUID()), nil
}
