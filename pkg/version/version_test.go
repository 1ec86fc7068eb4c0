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
	want := env["NODE_IMAGE_REPO"] + ":" + env["KUBERNETES_VERSION"] + "-" + env["NODE_IMAGE_REVISION"]
	if DefaultNodeImage != want {
		t.Errorf("DefaultNodeImage = %q, images/versions.env says %q", DefaultNodeImage, want)
	}
	if DefaultRegistryImage != env["REGISTRY_IMAGE"] {
		t.Errorf("DefaultRegistryImage = %q, images/versions.env says REGISTRY_IMAGE=%q", DefaultRegistryImage, env["REGISTRY_IMAGE"])
	}
	b, err := os.ReadFile("../../images/lb/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != LBImageVersion {
		t.Errorf("LBImageVersion = %q, images/lb/VERSION says %q", LBImageVersion, got)
	}
}
