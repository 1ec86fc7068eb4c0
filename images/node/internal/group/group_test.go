package group

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

func TestWaitReturnsFirstErrorDespiteAHangingComponent(t *testing.T) {
	g, gctx := errgroup.WithContext(context.Background())
	boom := errors.New("kubelet failed")
	hang := make(chan struct{})
	defer close(hang)
	g.Go(func() error { return boom })
	g.Go(func() error { <-hang; return nil }) // ignores its context, as kube-proxy does
	start := time.Now()
	err := Wait(gctx, g, 50*time.Millisecond)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the failing component's error", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Wait did not give up on the hanging component")
	}
}

func TestWaitReturnsWhenAllStop(t *testing.T) {
	g, gctx := errgroup.WithContext(context.Background())
	g.Go(func() error { return nil })
	if err := Wait(gctx, g, time.Hour); err != nil {
		t.Fatal(err)
	}
}
