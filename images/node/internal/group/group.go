// Package group bounds how long a node waits for its components to stop.
//
// Components run in an errgroup; the first one to fail cancels the rest.
// Some of them (kube-proxy, parts of kubelet) do not return when their
// context ends, so a plain Wait could hang for ever, and a node process
// that hangs instead of exiting is never restarted by Docker's restart
// policy: the node would stay broken with its container "Up".
package group

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/klog/v2"
)

// StopGrace is how long components get to stop once one has failed or
// the node is shutting down.
const StopGrace = 5 * time.Second

// Wait waits for g, whose context is gctx, and returns its first error. Once
// gctx is done it waits at most grace more, then returns the cause of the
// cancellation anyway.
func Wait(gctx context.Context, g *errgroup.Group, grace time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err := <-done:
		return err
	case <-gctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(grace):
		err := context.Cause(gctx)
		klog.InfoS("Components did not stop in time; exiting anyway", "grace", grace, "cause", err)
		if err == nil {
			err = errors.New("components did not stop")
		}
		return err
	}
}
