//go:build integration

package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/version"
)

// TestEngine proves the Docker implementation against the real engine:
//
//	go test -tags integration ./pkg/runtime/docker/
//
// It needs a local image with a shell; MINI_IT_IMAGE (default: the load
// balancer image, `make lb-image`) names it.
func TestEngine(t *testing.T) {
	r, ctx, image := engine(t)
	if ok, err := r.ImageExists(ctx, "mini.invalid/none:0"); err != nil || ok {
		t.Errorf("ImageExists of a missing image = %v, %v", ok, err)
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	labels := map[string]string{"dev.mini.it": suffix}
	netName, volName, name := "mini-it-"+suffix, "mini-it-"+suffix, "mini-it-"+suffix
	t.Cleanup(func() {
		c := context.Background()
		_ = r.RemoveContainer(c, name, runtime.RemoveOptions{Force: true, Volumes: true})
		_ = r.RemoveVolume(c, volName)
		_ = r.RemoveNetwork(c, netName)
	})

	nets, err := r.ListNetworks(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var taken []string
	for _, n := range nets {
		taken = append(taken, n.Subnets...)
	}
	subnet := freeSubnet(t, taken)
	if _, err := r.CreateNetwork(ctx, runtime.NetworkSpec{Name: netName, Subnet: subnet + "0/24", Gateway: subnet + "1", Labels: labels}); err != nil {
		t.Fatal(err)
	}
	if err := r.CreateVolume(ctx, runtime.VolumeSpec{Name: volName, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	ip := subnet + "10"
	_, err = r.CreateContainer(ctx, runtime.ContainerSpec{
		Name: name, Hostname: name, Image: image, Labels: labels, Network: netName, IP: ip,
		Entrypoint: []string{"sh", "-c", "echo hello-logs; exec sleep 300"},
		Mounts:     []runtime.Mount{{Type: runtime.MountVolume, Source: volName, Target: "/data"}},
		Tmpfs:      []string{"/run"}, Init: true, RestartPolicy: "unless-stopped",
		Ports: []runtime.PortMapping{{HostIP: "127.0.0.1", ContainerPort: 8080}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.StartContainer(ctx, name); err != nil {
		t.Fatal(err)
	}
	got, err := r.InspectContainer(ctx, name)
	if err != nil || !got.Running || got.IPs[netName] != ip || got.Labels["dev.mini.it"] != suffix {
		t.Errorf("InspectContainer = %+v, %v", got, err)
	}
	list, err := r.ListContainers(ctx, labels)
	if err != nil || len(list) != 1 || list[0].Name != name {
		t.Errorf("ListContainers = %+v, %v", list, err)
	}

	// Exec with stdin, stdout, stderr and the exit code.
	var stdout, stderr bytes.Buffer
	code, err := r.Exec(ctx, name, runtime.ExecSpec{Cmd: []string{"sh", "-c", "cat > /data/f; cat /data/f; echo oops >&2; exit 3"},
		Stdin: strings.NewReader("from-stdin"), Stdout: &stdout, Stderr: &stderr})
	if err != nil || code != 3 || stdout.String() != "from-stdin" || strings.TrimSpace(stderr.String()) != "oops" {
		t.Errorf("Exec = %d, %v, stdout %q, stderr %q", code, err, stdout.String(), stderr.String())
	}

	// Copy in and out.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "in.txt", Mode: 0o644, Size: 5, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("copy!"))
	_ = tw.Close()
	if err := r.CopyTo(ctx, name, "/data", &buf); err != nil {
		t.Fatal(err)
	}
	rc, err := r.CopyFrom(ctx, name, "/data/in.txt")
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(tr); string(b) != "copy!" {
		t.Errorf("CopyFrom = %q", b)
	}
	rc.Close()

	var logs bytes.Buffer
	if err := r.Logs(ctx, name, &logs); err != nil || !strings.Contains(logs.String(), "hello-logs") {
		t.Errorf("Logs = %q, %v", logs.String(), err)
	}
	if err := r.StopContainer(ctx, name, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := r.StartContainer(ctx, name); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.InspectContainer(ctx, name); got.IPs[netName] != ip {
		t.Errorf("IP after restart = %q, want %q", got.IPs[netName], ip)
	}
	// The engine picked the host port of 8080; a list reports it.
	if list, _ := r.ListContainers(ctx, labels); len(list) != 1 || len(list[0].Ports) == 0 || list[0].Ports[0].HostPort == 0 {
		t.Errorf("ListContainers ports = %+v", list)
	}
	// Inspect reports what recreating the container needs.
	if got, _ := r.InspectContainer(ctx, name); len(got.Mounts) != 1 || got.Mounts[0].Source != volName || got.Mounts[0].Type != runtime.MountVolume || len(got.Env) == 0 {
		t.Errorf("InspectContainer env %v, mounts %+v", got.Env, got.Mounts)
	}

	// Rename keeps the container (running, with its labels) and frees the
	// old name.
	renamed := name + "-old"
	if err := r.RenameContainer(ctx, name, renamed); err != nil {
		t.Fatal(err)
	}
	if got, err := r.InspectContainer(ctx, renamed); err != nil || !got.Running || got.Labels["dev.mini.it"] != suffix {
		t.Errorf("InspectContainer after rename = %+v, %v", got, err)
	}
	if _, err := r.InspectContainer(ctx, name); !runtime.IsNotFound(err) {
		t.Errorf("the old name still answers: %v", err)
	}
	if err := r.RenameContainer(ctx, "mini-it-does-not-exist", name); !runtime.IsNotFound(err) {
		t.Errorf("RenameContainer of a missing container = %v", err)
	}
	if err := r.RenameContainer(ctx, renamed, name); err != nil {
		t.Fatal(err)
	}

	// Not-found errors are classified, not string-matched.
	if _, err := r.InspectContainer(ctx, "mini-it-does-not-exist"); !runtime.IsNotFound(err) {
		t.Errorf("InspectContainer of a missing container = %v", err)
	}
	if err := r.RemoveNetwork(ctx, "mini-it-does-not-exist"); !runtime.IsNotFound(err) {
		t.Errorf("RemoveNetwork of a missing network = %v", err)
	}
	if _, err := r.CreateContainer(ctx, runtime.ContainerSpec{Name: name, Image: image}); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("CreateContainer with a taken name = %v", err)
	}

	if err := r.RemoveContainer(ctx, name, runtime.RemoveOptions{Force: true, Volumes: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveVolume(ctx, volName); err != nil {
		t.Error(err)
	}
	if err := r.RemoveNetwork(ctx, netName); err != nil {
		t.Error(err)
	}
	if vols, _ := r.ListVolumes(ctx, labels); len(vols) != 0 {
		t.Errorf("volumes left: %+v", vols)
	}
}

// freeSubnet returns a "10.213.N." prefix whose /24 overlaps no taken subnet.
func freeSubnet(t *testing.T, taken []string) string {
	for i := 0; i < 256; i++ {
		p := "10.213." + strconv.Itoa(i) + "."
		cand := netip.MustParsePrefix(p + "0/24")
		clash := false
		for _, s := range taken {
			if tp, err := netip.ParsePrefix(s); err == nil && tp.Overlaps(cand) {
				clash = true
			}
		}
		if !clash {
			return p
		}
	}
	t.Fatal("no free subnet")
	return ""
}

// TestEngineImages proves the image calls against the real engine: an
// archive SaveImages writes, LoadImages puts back under its name; a file
// that is no archive is refused; a pull from a registry that does not
// answer fails with the engine's reason and changes nothing.
func TestEngineImages(t *testing.T) {
	r, ctx, image := engine(t)
	tag := fmt.Sprintf("mini-it/load:%d", time.Now().UnixNano())
	if out, err := exec.Command("docker", "tag", image, tag).CombinedOutput(); err != nil {
		t.Fatalf("docker tag %s: %v\n%s (build it with `make lb-image` or set MINI_IT_IMAGE)", image, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", tag).Run() })
	var archive bytes.Buffer
	if err := r.SaveImages(ctx, []string{tag}, &archive); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("docker", "rmi", tag).CombinedOutput(); err != nil {
		t.Fatalf("docker rmi %s: %v\n%s", tag, err, out)
	}
	if err := r.LoadImages(ctx, &archive); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.ImageExists(ctx, tag); err != nil || !ok {
		t.Errorf("%s after LoadImages: %v, %v", tag, ok, err)
	}
	if err := r.LoadImages(ctx, strings.NewReader("not an archive\n")); err == nil {
		t.Error("LoadImages took a text file")
	}
	var reports int
	err := r.PullImage(ctx, "localhost:1/mini-it/nope:1", func(runtime.PullProgress) { reports++ })
	if err == nil || !strings.Contains(err.Error(), "localhost:1/mini-it/nope:1") {
		t.Errorf("PullImage from a registry that does not answer = %v", err)
	}
	if ok, _ := r.ImageExists(ctx, "localhost:1/mini-it/nope:1"); ok || reports > 0 {
		t.Errorf("a failed pull left an image (%v) or reported progress (%d)", ok, reports)
	}
}

// engine connects to the engine for one test, with a deadline, and names
// the local image with a shell the test runs: $MINI_IT_IMAGE, else the
// load balancer image.
func engine(t *testing.T) (*Runtime, context.Context, string) {
	t.Helper()
	image := os.Getenv("MINI_IT_IMAGE")
	if image == "" {
		image = version.DefaultImages().LB
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if ok, err := r.ImageExists(ctx, image); err != nil || !ok {
		t.Fatalf("image %s missing (%v): build it with `make lb-image` or set MINI_IT_IMAGE", image, err)
	}
	return r, ctx, image
}
