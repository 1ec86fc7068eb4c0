package kubeconfig

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/fake"
)

// Read retries until the node has written its kubeconfig: while the
// file is missing (cat exits 1), and while Docker refuses an exec into a
// container it is restarting (a conflict), instead of failing at once.
func TestReadRetriesUntilWritten(t *testing.T) {
	for name, notYet := range map[string]func() (int, error){
		"not written": func() (int, error) { return 1, nil },
		"restarting": func() (int, error) {
			return -1, fmt.Errorf("creating exec in container s0: %w: container is restarting", runtime.ErrConflict)
		},
	} {
		t.Run(name, func(t *testing.T) {
			rt := runningServer(t)
			attempts := 0
			rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
				attempts++
				if attempts < 3 {
					return notYet()
				}
				_, _ = spec.Stdout.Write([]byte(nodeKubeconfig))
				return 0, nil
			}
			got, err := Read(context.Background(), rt, "s0", time.Millisecond)
			if err != nil || string(got) != nodeKubeconfig || attempts != 3 {
				t.Fatalf("Read() = %q, %v after %d attempts", got, err, attempts)
			}
		})
	}
}

func TestReadGivesUpWithContext(t *testing.T) {
	rt := runningServer(t)
	ctx := context.Background()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := Read(ctx, rt, "s0", 5*time.Millisecond); err == nil {
		t.Fatal("want a timeout error")
	}
	// A container that does not exist fails at once, not after the timeout.
	if _, err := Read(context.Background(), rt, "missing", time.Hour); !runtime.IsNotFound(err) {
		t.Fatalf("Read() of a missing container = %v, want not found", err)
	}
}

// runningServer is a fake engine with one running server container, s0.
func runningServer(t *testing.T) *fake.Runtime {
	t.Helper()
	rt := fake.New("node")
	ctx := context.Background()
	if _, err := rt.CreateContainer(ctx, runtime.ContainerSpec{Name: "s0", Image: "node"}); err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(ctx, "s0"); err != nil {
		t.Fatal(err)
	}
	return rt
}
