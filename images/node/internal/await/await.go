package await

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/klog/v2"
)

// ReportEvery is how often a wait that goes on logs what it waits for and
// the last reason, as an error, so the node's log (whose errors the
// launcher shows when a create fails) says where a slow start is stuck.
const ReportEvery = 30 * time.Second

// Until calls try every interval until it returns nil, returns an error
// marked Permanent, or ctx ends. Every ReportEvery it logs what it is
// waiting for and try's last error. The error it returns names what and
// the last reason.
func Until(ctx context.Context, interval time.Duration, what string, try func(context.Context) error) error {
	return until(ctx, interval, ReportEvery, what, try)
}

func until(ctx context.Context, interval, report time.Duration, what string, try func(context.Context) error) error {
	start := time.Now()
	nextReport := start.Add(report)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		last := try(ctx)
		if last == nil {
			return nil
		}
		var perm permanent
		if errors.As(last, &perm) {
			return fmt.Errorf("%s: %w", what, perm.err)
		}
		if now := time.Now(); !now.Before(nextReport) {
			// Error severity: a wait this long is what a failing start
			// looks like, and the launcher shows a failed node's errors.
			klog.ErrorS(last, "Still waiting", "for", what, "elapsed", now.Sub(start).Round(time.Second))
			nextReport = now.Add(report)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", what, context.Cause(ctx), last)
		case <-tick.C:
		}
	}
}

// permanent marks an error that waiting longer cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that Until returns it at once.
func Permanent(err error) error { return permanent{err} }
