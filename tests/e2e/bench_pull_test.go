//go:build e2e && bench

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/minictl/mini/pkg/version"
)

// TestBenchPulledCreate measures a first cluster on a host that has none
// of mini's images: node and load balancer pushed to a local registry (as
// a release pushes them), removed from the engine under every name, so
// that every layer crosses the wire and is unpacked, then `mini cluster
// create --image-repository` until the cluster is usable (only the Debian
// base layer stays, held by the build's mini/node-base). It also records
// the node image's pushed (compressed) size. The default names are put
// back afterwards, from the registry.
func TestBenchPulledCreate(t *testing.T) {
	e := newSandbox(t)
	id := uniqueName("pullbench")
	host, mirror := newMirror(t, e, id, "bench/minictl")
	repo := mirror.Repository
	def := version.DefaultImages()
	pairs := [][2]string{{def.Node, mirror.Node}, {def.LB, mirror.LB}}
	// Put the defaults back whatever happens, before the registry goes.
	t.Cleanup(func() {
		ctx := context.Background()
		for _, p := range pairs {
			if _, err := docker(ctx, "image", "inspect", p[0]); err == nil {
				continue
			}
			if _, err := docker(ctx, "pull", p[1]); err != nil {
				t.Errorf("restoring %s: %v", p[0], err)
				continue
			}
			if _, err := docker(ctx, "tag", p[1], p[0]); err != nil {
				t.Errorf("restoring %s: %v", p[0], err)
			}
		}
		for _, p := range pairs {
			_, _ = docker(ctx, "rmi", p[1])
		}
	})
	for _, p := range pairs {
		if out, err := docker(context.Background(), "rmi", p[1], p[0]); err != nil {
			t.Fatalf("removing %s from the engine: %v (%s); delete the clusters that run it, then benchmark", p[0], err, out)
		}
	}

	name := id
	e.createCluster(name, "--image-repository", repo)
	record(t, benchResult{Name: "mini cluster create, node and lb images pulled from a local registry (--wait)", Value: e.lastRun.Seconds(),
		Unit: "s", Target: 30, Note: "the images under no name in the engine: every layer pulled and unpacked but the Debian base, which the build's mini/node-base keeps"})
	e.deleteCluster(name)

	size := pushedSize(t, host, "bench/minictl/"+version.NodeImageName, version.NodeImageTag)
	record(t, benchResult{Name: "node image, pushed (compressed layers and config)", Value: float64(size) / 1e6, Unit: "MB",
		Note: fmt.Sprintf("%s in the registry's manifest", mirror.Node)})
}

// pushedSize sums a manifest's layers and config as the registry stores
// them: what a pull downloads.
func pushedSize(t *testing.T, host, name, tag string) int64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+host+"/v2/"+name+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		Config struct{ Size int64 }
		Layers []struct{ Size int64 }
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest of %s:%s: %s, %v", name, tag, resp.Status, err)
	}
	total := m.Config.Size
	for _, l := range m.Layers {
		total += l.Size
	}
	return total
}
