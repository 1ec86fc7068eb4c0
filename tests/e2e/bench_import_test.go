//go:build e2e && bench

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBenchImageImport measures `mini image import` of a ~100 MB image into
// one node and into three, against the floor: `docker save | ctr import`
// into one node by hand, in the same run and cluster. Target: three nodes
// in at most 1.3× the floor. The rounds interleave the three ways, and the
// image is removed from every node between them.
func TestBenchImageImport(t *testing.T) {
	const rounds = 3
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	e := newSandbox(t)
	id := uniqueName("bench-import")
	image := buildBigImage(t, ctx, id, 100)
	name := id
	e.createCluster(name, "--agents", "2")
	nodes := []string{"mini-" + name + "-server-0", "mini-" + name + "-agent-0", "mini-" + name + "-agent-1"}
	remove := func() {
		for _, n := range nodes {
			_, _ = docker(ctx, "exec", n, "mini-node", "ctr", "images", "rm", "--sync", image)
		}
	}
	byHand := func(flags string) time.Duration {
		remove()
		start := time.Now()
		cmd := exec.CommandContext(ctx, "sh", "-c", fmt.Sprintf("docker save %s | docker exec -i %s mini-node ctr images import %s --snapshotter overlayfs -", image, nodes[0], flags))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("floor: %v\n%s", err, out)
		}
		return time.Since(start)
	}
	var floor, floorLocal, one, three []time.Duration
	for range rounds {
		floor = append(floor, byHand(""))
		floorLocal = append(floorLocal, byHand("--local"))
		remove()
		e.mustMini("image", "import", image, "-c", name, "--nodes", "server:0")
		one = append(one, e.lastRun)
		remove()
		e.mustMini("image", "import", image, "-c", name)
		three = append(three, e.lastRun)
	}
	f, fl, o, th := median(floor), median(floorLocal), median(one), median(three)
	note := fmt.Sprintf("median of %d; floor %.3v s, floor --local %.3v s, one node %.3v s, three nodes %.3v s", rounds, secs(floor), secs(floorLocal), secs(one), secs(three))
	record(t, benchResult{Name: "image import floor: docker save | ctr import, 1 node (~100 MB)", Value: f.Seconds(), Unit: "s", Note: note})
	record(t, benchResult{Name: "image import floor with ctr import --local, 1 node", Value: fl.Seconds(), Unit: "s"})
	record(t, benchResult{Name: "mini image import, 1 node (~100 MB)", Value: o.Seconds(), Unit: "s"})
	record(t, benchResult{Name: "mini image import, 3 nodes (~100 MB)", Value: th.Seconds(), Unit: "s"})
	record(t, benchResult{Name: "image import: 3 nodes ÷ 1-node floor", Value: th.Seconds() / f.Seconds(), Unit: "×", Target: 1.3})
	record(t, benchResult{Name: "image import: 3 nodes ÷ 1-node floor with --local", Value: th.Seconds() / fl.Seconds(), Unit: "×"})
}

// buildBigImage builds an image of the test app plus mb MiB of random
// bytes (incompressible, unique to the run).
func buildBigImage(t *testing.T, ctx context.Context, id string, mb int) string {
	t.Helper()
	base := versions(t)["TESTAPP_IMAGE"]
	if _, err := docker(ctx, "image", "inspect", base); err != nil {
		dockerT(t, "load", "-i", "../../_output/node/images/testapp.tar")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "blob"))
	if err != nil {
		t.Fatal(err)
	}
	rnd, err := os.Open("/dev/urandom")
	if err != nil {
		t.Fatal(err)
	}
	defer rnd.Close()
	buf := make([]byte, 1<<20)
	for range mb {
		if _, err := rnd.Read(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+base+"\nCOPY blob /blob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := "bench.local/" + id + ":1"
	dockerT(t, "build", "-q", "-t", ref, dir)
	t.Cleanup(func() { _, _ = docker(context.Background(), "rmi", ref) })
	return ref
}
