package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/fake"
)

func TestPrivilegedLocalReadsBoundingSet(t *testing.T) {
	rt := fake.New("img")
	for status, want := range map[string]bool{"CapBnd:\t000001ffffffffff\n": true, "CapBnd:\t000001fffeffffff\n": false} {
		p := privilegedProbe{readStatus: func() ([]byte, error) { return []byte(status), nil }}
		got, _, err := p.allowed(context.Background(), rt, runtime.Info{ID: "e", Local: true}, "img")
		if err != nil || got != want {
			t.Errorf("status %q: allowed = %v, %v; want %v", status, got, err, want)
		}
	}
	if len(rt.Calls()) != 0 {
		t.Errorf("a local engine needs no probe container: %v", rt.Calls())
	}
}

func TestPrivilegedRemoteProbesOnceAndCaches(t *testing.T) {
	rt := fake.New("img")
	rt.Hooks.StartContainer = func(name string) error {
		if strings.HasPrefix(name, "mini-probe-privileged-") {
			return errors.New("runc create failed: unable to apply caps: operation not permitted")
		}
		return nil
	}
	dir := t.TempDir()
	p := privilegedProbe{readStatus: func() ([]byte, error) { t.Fatal("read the local status for a remote engine"); return nil, nil }, cacheDir: dir}
	info := runtime.Info{ID: "ABC:DEF", Local: false}
	for i := 0; i < 2; i++ {
		got, _, err := p.allowed(context.Background(), rt, info, "img")
		if err != nil || got {
			t.Fatalf("run %d: allowed = %v, %v; want false", i, got, err)
		}
	}
	if n := len(only(rt.Calls(), "CreateContainer ")); n != 1 {
		t.Errorf("probe ran %d times, want once (then cached)", n)
	}
	if len(rt.ContainerNames()) != 0 {
		t.Errorf("probe container left behind: %v", rt.ContainerNames())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "privileged-ABC_DEF")); err != nil || strings.TrimSpace(string(b)) != "no" {
		t.Errorf("cache file: %q, %v", b, err)
	}
}
