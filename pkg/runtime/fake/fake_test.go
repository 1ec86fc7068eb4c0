package fake

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/runtime"
)

// The fake must refuse what an engine refuses, or unit tests would pass on
// orderings that fail against Docker.
func TestFakeBehavesLikeAnEngine(t *testing.T) {
	ctx := context.Background()
	r := New("img")
	if _, err := r.CreateContainer(ctx, runtime.ContainerSpec{Name: "c", Image: "missing"}); !runtime.IsNotFound(err) {
		t.Errorf("missing image: %v", err)
	}
	if _, err := r.CreateContainer(ctx, runtime.ContainerSpec{Name: "c", Image: "img", Network: "n"}); !runtime.IsNotFound(err) {
		t.Errorf("missing network: %v", err)
	}
	if _, err := r.CreateNetwork(ctx, runtime.NetworkSpec{Name: "n", Labels: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.CreateVolume(ctx, runtime.VolumeSpec{Name: "v"}); err != nil {
		t.Fatal(err)
	}
	spec := runtime.ContainerSpec{Name: "c", Image: "img", Network: "n", IP: "10.0.0.5", Labels: map[string]string{"k": "v"},
		Mounts: []runtime.Mount{{Type: runtime.MountVolume, Source: "v", Target: "/data"}}}
	if _, err := r.CreateContainer(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateContainer(ctx, spec); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("duplicate name: %v", err)
	}
	if err := r.StartContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveNetwork(ctx, "n"); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("network in use: %v", err)
	}
	if err := r.RemoveVolume(ctx, "v"); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("volume in use: %v", err)
	}
	if err := r.RemoveContainer(ctx, "c", runtime.RemoveOptions{}); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("running container without force: %v", err)
	}
	got, err := r.ListContainers(ctx, map[string]string{"k": "v"})
	if err != nil || len(got) != 1 || got[0].IPs["n"] != "10.0.0.5" || !got[0].Running {
		t.Errorf("ListContainers = %+v, %v", got, err)
	}
	if got, _ := r.ListContainers(ctx, map[string]string{"k": "other"}); len(got) != 0 {
		t.Errorf("label filter ignored: %+v", got)
	}
	var out strings.Builder
	if code, err := r.Exec(ctx, "c", runtime.ExecSpec{Cmd: []string{"cat", "/nope"}, Stdout: &out}); err != nil || code != 1 {
		t.Errorf("cat of a missing file: %d, %v", code, err)
	}
	if err := r.RemoveContainer(ctx, "c", runtime.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveVolume(ctx, "v"); err != nil {
		t.Error(err)
	}
	if err := r.RemoveNetwork(ctx, "n"); err != nil {
		t.Error(err)
	}
	want := "CreateNetwork n,CreateVolume v,CreateContainer c,StartContainer c,Exec c cat /nope,RemoveContainer c,RemoveVolume v,RemoveNetwork n"
	if got := strings.Join(r.Calls(), ","); got != want {
		t.Errorf("calls = %s\nwant   %s", got, want)
	}
}

func TestFakeHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := New("img")
	if _, err := r.CreateContainer(ctx, runtime.ContainerSpec{Name: "c", Image: "img"}); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateContainer on a cancelled context: %v", err)
	}
}

func TestFakeRenameAndPortClash(t *testing.T) {
	ctx := context.Background()
	r := New("img")
	port := []runtime.PortMapping{{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80}}
	for _, n := range []string{"a", "b"} {
		if _, err := r.CreateContainer(ctx, runtime.ContainerSpec{Name: n, Image: "img", Ports: port}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.StartContainer(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.StartContainer(ctx, "b"); !errors.Is(err, runtime.ErrConflict) || !strings.Contains(err.Error(), "already allocated") {
		t.Errorf("a second container on a published port: %v", err)
	}
	if err := r.RenameContainer(ctx, "a", "b"); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("rename onto a taken name: %v", err)
	}
	if err := r.RenameContainer(ctx, "a", "c"); err != nil {
		t.Fatal(err)
	}
	if c, err := r.InspectContainer(ctx, "c"); err != nil || !c.Running || r.Container("a") != nil {
		t.Errorf("after rename: %+v, %v", c, err)
	}
	if err := r.RenameContainer(ctx, "a", "d"); !runtime.IsNotFound(err) {
		t.Errorf("rename of a missing container: %v", err)
	}
}
