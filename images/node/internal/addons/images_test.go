package addons

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// readVersionsEnv parses images/versions.env, the one place image names are
// pinned; hack/ scripts build and preload exactly these images.
func readVersionsEnv(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../../versions.env")
	if err != nil {
		t.Fatalf("open versions.env: %v", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("versions.env: malformed line %q", line)
		}
		env[k] = strings.Trim(v, `"'`)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read versions.env: %v", err)
	}
	return env
}

func TestImagesMatchVersionsEnv(t *testing.T) {
	env := readVersionsEnv(t)
	for key, got := range map[string]string{
		"COREDNS_IMAGE":        CoreDNSImage,
		"METRICS_SERVER_IMAGE": MetricsServerImage,
		"LOCAL_PATH_IMAGE":     LocalPathImage,
		"TRAEFIK_IMAGE":        TraefikImage,
		"HELPER_IMAGE":         HelperImage,
	} {
		want, ok := env[key]
		if !ok {
			t.Errorf("versions.env has no %s", key)
			continue
		}
		if got != want {
			t.Errorf("%s: constant is %q, versions.env says %q", key, got, want)
		}
	}
}

// TestManifestsUseOnlyPinnedImages walks every container (and the
// local-path helper pod template) in every manifest: each image must be one
// of versions.env's *_IMAGE values and pulled IfNotPresent, since nodes have
// no registry to pull from.
func TestManifestsUseOnlyPinnedImages(t *testing.T) {
	env := readVersionsEnv(t)
	var pinned []string
	for k, v := range env {
		if strings.HasSuffix(k, "_IMAGE") {
			pinned = append(pinned, v)
		}
	}
	seen := map[string]bool{}
	for _, name := range manifestNames() {
		for _, obj := range mustRender(t, name, testValues()) {
			for _, c := range containersOf(t, obj) {
				image, _, _ := unstructured.NestedString(c, "image")
				policy, _, _ := unstructured.NestedString(c, "imagePullPolicy")
				if !slices.Contains(pinned, image) {
					t.Errorf("%s %s: image %q is not in versions.env", obj.GetKind(), obj.GetName(), image)
				}
				if policy != "IfNotPresent" {
					t.Errorf("%s %s: image %q has pull policy %q, want IfNotPresent", obj.GetKind(), obj.GetName(), image, policy)
				}
				seen[image] = true
			}
		}
	}
	for _, image := range []string{CoreDNSImage, MetricsServerImage, LocalPathImage, TraefikImage, HelperImage} {
		if !seen[image] {
			t.Errorf("no manifest runs %s", image)
		}
	}
}

// containersOf returns the containers of a workload's pod template, and for
// the local-path ConfigMap those of the helper pod it embeds.
func containersOf(t *testing.T, obj *unstructured.Unstructured) []map[string]any {
	t.Helper()
	var list []any
	switch obj.GetKind() {
	case "Deployment", "DaemonSet", "StatefulSet":
		list, _, _ = unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
	case "ConfigMap":
		raw, ok, _ := unstructured.NestedString(obj.Object, "data", "helperPod.yaml")
		if !ok {
			return nil
		}
		pods, err := decodeObjects(strings.NewReader(raw))
		if err != nil || len(pods) != 1 {
			t.Fatalf("helperPod.yaml: want one pod, got %d (%v)", len(pods), err)
		}
		list, _, _ = unstructured.NestedSlice(pods[0].Object, "spec", "containers")
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, c.(map[string]any))
	}
	return out
}
