package await

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/klog/v2"
)

func TestUntilReturnsOnceReady(t *testing.T) {
	calls := 0
	err := Until(context.Background(), time.Millisecond, "the thing", func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Until = %v after %d calls, want nil after 3", err, calls)
	}
}

func TestUntilStopsAtOnceOnPermanent(t *testing.T) {
	bad := errors.New("wrong CA")
	calls := 0
	err := Until(context.Background(), time.Millisecond, "cluster-info", func(context.Context) error {
		calls++
		return Permanent(bad)
	})
	if !errors.Is(err, bad) || calls != 1 {
		t.Fatalf("Until = %v after %d calls, want %v after 1", err, calls, bad)
	}
	if !strings.Contains(err.Error(), "cluster-info") {
		t.Errorf("error %q does not name what was awaited", err)
	}
}

// The wait has no deadline of its own: only the context ends it, and the
// error says what was awaited, why it ended and the last reason.
func TestUntilEndsWithTheContextAndTheLastReason(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("kube-apiserver failed")
	calls := 0
	err := Until(ctx, time.Millisecond, "the API server's /readyz", func(context.Context) error {
		calls++
		if calls == 50 {
			cancel(stop)
		}
		return errors.New("readyz answered 500")
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Until = %v, want the context's cause %v", err, stop)
	}
	for _, want := range []string{"the API server's /readyz", "readyz answered 500"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestUntilReportsWhatItWaitsFor(t *testing.T) {
	var buf syncBuffer
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	klog.SetOutput(&buf)
	t.Cleanup(func() { _ = fs.Set("logtostderr", "true"); klog.SetOutput(nil) })

	calls := 0
	err := until(context.Background(), time.Millisecond, 5*time.Millisecond, "containerd's socket", func(context.Context) error {
		calls++
		if calls < 40 {
			return errors.New("connection refused")
		}
		return nil
	})
	klog.Flush()
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "Still waiting") || !strings.Contains(out, "containerd's socket") || !strings.Contains(out, "connection refused") {
		t.Fatalf("log lacks the report of the wait:\n%s", out)
	}
	// At error severity (klog's "E" lines): those are the lines the
	// launcher shows of a node that fails a create.
	if !strings.HasPrefix(out, "E") {
		t.Errorf("the report is not an error line:\n%s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
