//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// importResult is one node of `mini image import -o json`.
type importResult struct {
	Node     string   `json:"node"`
	Imported []string `json:"imported"`
	Skipped  []string `json:"skipped"`
}

// TestImagesAndRegistries is a developer's loop without any public
// registry: an image built on the host (it never existed anywhere else) is
// imported into every node and runs with imagePullPolicy Never, even after
// a node restart; a registry made with `mini registry create` takes a
// `docker push` and pods pull the same reference; a second registry as a
// pull-through cache of the first serves pods, and keeps serving cached
// images when its upstream is gone.
func TestImagesAndRegistries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	e := newSandbox(t)
	id := uniqueName("e2e")
	// Two images: the one imported and the one pushed, so the nodes hold
	// none of the pushed image's own layers before they pull it.
	image := buildTestImage(t, ctx, id+"-imported")
	pushedSrc := buildTestImage(t, ctx, id+"-pushed")
	up, cache, own := id+"-up", id+"-cache", id+"-own"
	t.Cleanup(func() { _, _, _ = e.mini("registry", "delete", up, cache) })
	upHost := strings.TrimSpace(e.mustMini("registry", "create", up))
	cacheHost := strings.TrimSpace(e.mustMini("registry", "create", cache, "--proxy-remote-url", "http://mini-registry-"+up+":5000"))

	pushed := upHost + "/e2e/" + id + ":1"
	dockerT(t, "tag", pushedSrc, pushed)
	t.Cleanup(func() { _, _ = docker(context.Background(), "rmi", pushed) })
	dockerT(t, "push", pushed)

	name := id
	e.createCluster(name, "--agents", "2", "--registry-use", up, "--registry-use", cache, "--registry-create", own)
	cs := e.client(name)
	nodes := []string{"mini-" + name + "-server-0", "mini-" + name + "-agent-0", "mini-" + name + "-agent-1"}

	t.Run("import into every node, then skip", func(t *testing.T) {
		var res []importResult
		mustJSON(t, e.mustMini("image", "import", image, "-c", name, "-o", "json"), &res)
		for _, r := range res {
			if !slices.Equal(r.Imported, []string{image}) {
				t.Errorf("first import on %s: %+v", r.Node, r)
			}
		}
		if len(res) != 3 {
			t.Fatalf("imported into %d nodes, want 3", len(res))
		}
		for i, n := range nodes {
			mustCreatePinnedPod(t, ctx, cs, fmt.Sprintf("imported-%d", i), image, n, corev1.PullNever)
		}
		for i := range nodes {
			waitFor(t, ctx, "imported pod Running", 2*time.Minute, podRunning(cs, testNS, fmt.Sprintf("imported-%d", i)))
		}
		var again []importResult
		mustJSON(t, e.mustMini("image", "import", image, "-c", name, "-o", "json"), &again)
		for _, r := range again {
			if len(r.Imported) != 0 || !slices.Equal(r.Skipped, []string{image}) {
				t.Errorf("second import on %s: %+v, want skipped", r.Node, r)
			}
		}
	})
	t.Run("imported image survives a node restart", func(t *testing.T) {
		node := nodes[2]
		before := time.Now()
		dockerT(t, "restart", node)
		waitFor(t, ctx, node+" Ready again", 3*time.Minute, nodeReadySince(cs, node, before))
		mustCreatePinnedPod(t, ctx, cs, "after-restart", image, node, corev1.PullNever)
		waitFor(t, ctx, "pod after restart Running", 2*time.Minute, podRunning(cs, testNS, "after-restart"))
	})
	t.Run("pod pulls what the host pushed, by the same name", func(t *testing.T) {
		mustCreatePinnedPod(t, ctx, cs, "pushed", pushed, nodes[1], corev1.PullAlways)
		waitFor(t, ctx, "pushed image Running", 2*time.Minute, podRunning(cs, testNS, "pushed"))
		cm, err := cs.CoreV1().ConfigMaps("kube-public").Get(ctx, "local-registry-hosting", metav1.GetOptions{})
		if err != nil || !strings.Contains(cm.Data["localRegistryHosting.v1"], "hostFromClusterNetwork: \"mini-registry-"+own+":5000\"") {
			t.Errorf("local-registry-hosting: %v, %v", cm, err)
		}
	})
	t.Run("pull-through cache", func(t *testing.T) {
		cached := cacheHost + "/e2e/" + id + ":1"
		node := nodes[2]
		mustCreatePinnedPod(t, ctx, cs, "via-cache", cached, node, corev1.PullAlways)
		waitFor(t, ctx, "pod via the cache Running", 2*time.Minute, podRunning(cs, testNS, "via-cache"))
		cat, err := httpGet(ctx, "http://"+strings.Replace(cacheHost, "localhost", "127.0.0.1", 1)+"/v2/_catalog")
		if err != nil || !strings.Contains(cat, "e2e/"+id) {
			t.Errorf("cache catalog %q (%v) does not hold e2e/%s", cat, err, id)
		}
		// With the upstream gone and the image removed from the node, only
		// the cache can serve it.
		dockerT(t, "stop", "mini-registry-"+up)
		deletePod(t, ctx, cs, "via-cache")
		imageID := dockerT(t, "exec", node, "crictl", "inspecti", "-o", "go-template", "--template", "{{.status.id}}", cached)
		dockerT(t, "exec", node, "crictl", "rmi", imageID)
		mustCreatePinnedPod(t, ctx, cs, "cache-hit", cached, node, corev1.PullAlways)
		waitFor(t, ctx, "pod served by the cache alone Running", 2*time.Minute, podRunning(cs, testNS, "cache-hit"))
		dockerT(t, "start", "mini-registry-"+up)
	})
	t.Run("cluster delete removes its own registry only", func(t *testing.T) {
		e.deleteCluster(name)
		var regs []struct {
			Name     string            `json:"name"`
			Networks map[string]string `json:"networks"`
		}
		mustJSON(t, e.mustMini("registry", "list", "-o", "json"), &regs)
		var names []string
		for _, r := range regs {
			if strings.HasPrefix(r.Name, id) {
				names = append(names, r.Name)
				if _, on := r.Networks["mini-"+name]; on {
					t.Errorf("registry %s is still on the deleted cluster's network", r.Name)
				}
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{cache, up}) {
			t.Errorf("registries after the cluster's deletion: %v, want %s and %s", names, cache, up)
		}
	})
}

// buildTestImage builds an image on the host that exists nowhere else: the
// test app plus a file unique to this run.
func buildTestImage(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	base := versions(t)["TESTAPP_IMAGE"]
	if _, err := docker(ctx, "image", "inspect", base); err != nil {
		dockerT(t, "load", "-i", "../../_output/node/images/testapp.tar")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "marker"), []byte(id), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+base+"\nCOPY marker /marker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := "e2e.local/" + id + ":1"
	dockerT(t, "build", "-q", "-t", ref, dir)
	t.Cleanup(func() { _, _ = docker(context.Background(), "rmi", ref) })
	return ref
}

func mustCreatePinnedPod(t *testing.T, ctx context.Context, cs kubernetes.Interface, name, image, node string, policy corev1.PullPolicy) {
	t.Helper()
	c := testContainer(image, nil)
	c.ImagePullPolicy = policy
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{c}},
	}
	mustCreate(t, ctx, "pod "+name, func(ctx context.Context) error {
		_, err := cs.CoreV1().Pods(testNS).Create(ctx, pod, metav1.CreateOptions{})
		return err
	})
}

func deletePod(t *testing.T, ctx context.Context, cs kubernetes.Interface, name string) {
	t.Helper()
	zero := int64(0)
	if err := cs.CoreV1().Pods(testNS).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "pod "+name+" gone", time.Minute, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Pods(testNS).Get(ctx, name, metav1.GetOptions{})
		return err != nil, nil
	})
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
}
