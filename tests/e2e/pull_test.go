//go:build e2e

package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/version"
)

// TestImagesFromAMirrorOrABundle is a corporate or air-gapped user's
// first cluster. mini's images are on a mirror (a registry made with
// `mini registry create`, pushed to as a release would), not in the engine
// under the mirror's names. One switch, --image-repository, makes create
// pull them; a bundle saved from the mirror and loaded back serves a
// create that may not pull at all. A mirror that lacks them, or --pull
// never without them, fails before anything exists, naming the reference.
func TestImagesFromAMirrorOrABundle(t *testing.T) {
	e := newSandbox(t)
	id := uniqueName("pull")
	host, mirror := newMirror(t, e, id, "e2e/minictl")
	repo := mirror.Repository
	untag := func(t *testing.T) {
		t.Helper()
		// Only the mirror's names go: the defaults keep the layers for
		// the other tests, and the engine must fetch the manifests and
		// tag the images again.
		for _, ref := range mirror.All() {
			if _, err := docker(context.Background(), "image", "inspect", ref); err == nil {
				dockerT(t, "rmi", ref)
			}
		}
	}
	untag(t)

	t.Run("a wrong reference fails before anything exists", func(t *testing.T) {
		e := newSandbox(t)
		name := id + "-wrong"
		_, stderr, err := e.mini("cluster", "create", name, "--image-repository", host+"/nothing-here")
		if err == nil || !strings.Contains(stderr, host+"/nothing-here/mini-node:") || !strings.Contains(stderr, "Ways out") {
			t.Errorf("create from an empty mirror: %v\n%s", err, stderr)
		}
		if left := leftovers(t, name); left != "" {
			t.Errorf("a failed pull left %s", left)
		}
	})

	t.Run("--pull never does not pull", func(t *testing.T) {
		e := newSandbox(t)
		name := id + "-never"
		_, stderr, err := e.mini("cluster", "create", name, "--image-repository", repo, "--pull", "never")
		if err == nil || !strings.Contains(stderr, mirror.Node) || !strings.Contains(stderr, "--pull never") {
			t.Errorf("create --pull never: %v\n%s", err, stderr)
		}
		if left := leftovers(t, name); left != "" {
			t.Errorf("--pull never left %s", left)
		}
	})

	t.Run("a bundle saved, removed and loaded runs a cluster that pulls nothing", func(t *testing.T) {
		e := newSandbox(t)
		file := filepath.Join(t.TempDir(), "mini-images.tar")
		e.mustMini("image", "bundle", "save", file, "--image-repository", repo)
		untag(t)
		loaded := strings.Fields(e.mustMini("image", "bundle", "load", file))
		for _, ref := range mirror.All() {
			if !slices.Contains(loaded, ref) {
				t.Errorf("load printed %v, want %s among them", loaded, ref)
			}
		}
		name := id + "-bundle"
		e.createCluster(name, "--image-repository", repo, "--pull", "never",
			"--k3s-arg", "--disable=traefik", "--k3s-arg", "--disable=metrics-server")
		if n := readyNodes(t, e.client(name)); n != 1 {
			t.Errorf("%d Ready nodes, want 1", n)
		}
		e.deleteCluster(name)
		untag(t)
	})

	t.Run("the switch pulls node and lb, and the cluster is Ready", func(t *testing.T) {
		e := newSandbox(t)
		name := id
		t.Cleanup(func() { _, _, _ = e.mini("cluster", "delete", name) })
		_, stderr, err := e.mini("cluster", "create", name, "--agents", "1", "--image-repository", repo,
			"--k3s-arg", "--disable=traefik", "--k3s-arg", "--disable=metrics-server")
		if err != nil {
			e.explainFailure(name)
			t.Fatalf("create from the mirror: %v\n%s", err, stderr)
		}
		for _, ref := range []string{mirror.Node, mirror.LB} {
			if !strings.Contains(stderr, "Pulled "+ref) {
				t.Errorf("create did not say it pulled %s:\n%s", ref, stderr)
			}
			dockerT(t, "image", "inspect", ref)
		}
		if got := dockerT(t, "inspect", "-f", "{{.Config.Image}}", "mini-"+name+"-agent-0"); got != mirror.Node {
			t.Errorf("agent runs %s, want %s", got, mirror.Node)
		}
		if n := readyNodes(t, e.client(name)); n != 2 {
			t.Errorf("%d Ready nodes, want 2", n)
		}
	})
}

// newMirror makes a registry (deleted after the test) and pushes mini's
// default images to it under HOST/path, as a release pushes them; it
// returns the registry's host and the images there. The engine keeps the
// mirror's names too until the test ends; tests remove them as they need.
func newMirror(t *testing.T, e *sandbox, id, path string) (string, version.Images) {
	t.Helper()
	reg := id + "-mirror"
	t.Cleanup(func() { _, _, _ = e.mini("registry", "delete", reg) })
	host := strings.TrimSpace(e.mustMini("registry", "create", reg))
	mirror, err := version.ImagesIn(host + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	for i, src := range version.DefaultImages().All() {
		dst := mirror.All()[i]
		dockerT(t, "tag", src, dst)
		dockerT(t, "push", dst)
		t.Cleanup(func() { _, _ = docker(context.Background(), "rmi", dst) })
	}
	return host, mirror
}
