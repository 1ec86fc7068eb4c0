package version

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = v
		}
	}
	return out
}

func TestDefaultsMatchImages(t *testing.T) {
	env := readEnvFile(t, "../../images/versions.env")
	b, err := os.ReadFile("../../images/lb/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	repo := env["IMAGE_REPOSITORY"]
	want := Images{
		Repository: repo,
		Node:       repo + "/" + env["NODE_IMAGE_NAME"] + ":" + env["KUBERNETES_VERSION"] + "-" + env["NODE_IMAGE_REVISION"],
		LB:         repo + "/" + env["LB_IMAGE_NAME"] + ":" + strings.TrimSpace(string(b)),
		Registry:   repo + "/" + env["REGISTRY_IMAGE_NAME"] + ":" + env["REGISTRY_IMAGE_TAG"],
	}
	if got := DefaultImages(); got != want {
		t.Errorf("DefaultImages() = %+v\nimages/versions.env and images/lb/VERSION say %+v", got, want)
	}
	if ImageRepository != repo {
		t.Errorf("ImageRepository = %q, images/versions.env says IMAGE_REPOSITORY=%q (hack/build-cli.sh stamps that)", ImageRepository, repo)
	}
}

func TestImagesIn(t *testing.T) {
	for _, repo := range []string{"registry.example.com/mirror/minictl", "localhost:5001", "localhost:5001/x/", "minictl", "10.0.0.1:443/a_b/c-d"} {
		im, err := ImagesIn(repo)
		if err != nil {
			t.Errorf("ImagesIn(%q): %v", repo, err)
			continue
		}
		base := strings.TrimSuffix(repo, "/")
		if im.Repository != base || im.Node != base+"/mini-node:"+NodeImageTag || im.LB != base+"/mini-lb:"+LBImageTag ||
			im.Registry != base+"/mini-registry:"+RegistryImageTag {
			t.Errorf("ImagesIn(%q) = %+v", repo, im)
		}
		if len(im.All()) != 3 || im.All()[0] != im.Node {
			t.Errorf("All() = %v, want node, lb, registry", im.All())
		}
	}
	if im, err := ImagesIn(""); err != nil || im != DefaultImages() || im.Repository != ImageRepository {
		t.Errorf(`ImagesIn("") = %+v, %v; want the defaults`, im, err)
	}
	for _, bad := range []string{"https://registry.example.com/minictl", "Registry.example.com/Mini", "reg.example.com/m:1.0",
		"reg.example.com/m@sha256:" + strings.Repeat("a", 64), "has space/x", "reg.example.com//x"} {
		if _, err := ImagesIn(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ImagesIn(%q) = %v, want an error naming it", bad, err)
		}
	}
}
