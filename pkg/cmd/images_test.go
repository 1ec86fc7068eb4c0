package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/version"
)

// TestImageRepositoryPrecedence: the flag beats MINI_IMAGE_REPOSITORY,
// which beats the config file's imageRepository, which beats the default.
func TestImageRepositoryPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nimageRepository: file.example.com/m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"default", "", []string{"cluster", "create", "a"}, version.ImageRepository},
		{"file", "", []string{"cluster", "create", "a", "-c", file}, "file.example.com/m"},
		{"env over file", "env.example.com/m", []string{"cluster", "create", "a", "-c", file}, "env.example.com/m"},
		{"flag over env", "env.example.com/m", []string{"cluster", "create", "a", "-c", file, "--image-repository", "flag.example.com/m"}, "flag.example.com/m"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			t.Setenv("MINI_IMAGE_REPOSITORY", tt.env)
			for _, repo := range []string{"file.example.com/m", "env.example.com/m", "flag.example.com/m"} {
				im, err := version.ImagesIn(repo)
				if err != nil {
					t.Fatal(err)
				}
				for _, ref := range im.All() {
					e.rt.Publish(ref, 1)
				}
			}
			if err := e.run(t, tt.args...); err != nil {
				t.Fatalf("%v: %v\n%s", tt.args, err, e.err.String())
			}
			want, _ := version.ImagesIn(tt.want)
			for name, image := range map[string]string{"mini-a-server-0": want.Node, "mini-a-lb": want.LB} {
				if c := e.rt.Container(name); c == nil || c.Spec.Image != image {
					t.Errorf("%s: %+v, want image %s", name, c, image)
				}
			}
		})
	}
}

func TestPullAndRepositoryFlags(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"cluster", "create", "a", "--pull", "sometimes"}, 2, `--pull "sometimes"`},
		{[]string{"cluster", "create", "a", "--image-repository", "https://x.example.com/m"}, 2, "--image-repository"},
		{[]string{"registry", "create", "r", "--image-repository", "X/Y"}, 2, "--image-repository"},
		{[]string{"node", "create", "w", "--pull", "later"}, 2, `--pull "later"`},
		{[]string{"cluster", "create", "a", "--image-repository", "m.example.com/x", "--pull", "never"}, 1, "--pull never forbids"},
		{[]string{"version", "--image-repository", "has space/x"}, 2, "--image-repository"},
		{[]string{"image", "bundle", "list", "--image-repository", "x.example.com/Upper"}, 2, "--image-repository"},
	} {
		err := e.run(t, tt.args...)
		if got := ExitCode(err); got != tt.code || err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("mini %v: exit %d, %v; want exit %d saying %q", tt.args, got, err, tt.code, tt.says)
		}
	}
	if names := e.rt.ContainerNames(); len(names) > 0 {
		t.Errorf("left behind %v", names)
	}
	if err := e.run(t, "version", "-o", "yaml", "--image-repository", "m.example.com/x"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nodeImage: m.example.com/x/mini-node:", "loadBalancerImage: m.example.com/x/mini-lb:", "registryImage: m.example.com/x/mini-registry:"} {
		if !strings.Contains(e.out.String(), want) {
			t.Errorf("version printed %q, want %q", e.out.String(), want)
		}
	}
}

// TestBundleRoundTrip: list names the defaults, save pulls what is missing
// and writes one archive, load puts them into another engine; a file that
// is no bundle, or a save that cannot pull, fail clearly and leave no file.
func TestBundleRoundTrip(t *testing.T) {
	e := newEnv(t)
	def := version.DefaultImages()
	if err := e.run(t, "image", "bundle", "list", "--no-headers"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(e.out.String()); strings.Join(got, " ") != "node "+def.Node+" lb "+def.LB+" registry "+def.Registry {
		t.Errorf("list = %v, want %v", got, def.All())
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "mini.tar")
	// The registry image is neither in the engine nor published.
	err := e.run(t, "image", "bundle", "save", file)
	if err == nil || !strings.Contains(err.Error(), def.Registry) {
		t.Errorf("save without the registry image: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a failed save left %v", entries)
	}
	e.rt.Publish(def.Registry, 1)
	if err := e.run(t, "image", "bundle", "save", file); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("save left %v, want only the bundle", entries)
	}

	other := newEnv(t)
	if err := other.run(t, "image", "bundle", "load", file); err != nil {
		t.Fatal(err)
	}
	for _, ref := range def.All() {
		if ok, _ := other.rt.ImageExists(t.Context(), ref); !ok {
			t.Errorf("%s not loaded", ref)
		}
	}
	junk := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(junk, []byte("not a bundle at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := other.run(t, "image", "bundle", "load", junk); err == nil || !strings.Contains(err.Error(), junk+" is not an image bundle") {
		t.Errorf("load of a text file: %v", err)
	}
	if err := other.run(t, "image", "bundle", "load", filepath.Join(dir, "nope.tar")); err == nil || !strings.Contains(err.Error(), "nope.tar") {
		t.Errorf("load of a missing file: %v", err)
	}
}
