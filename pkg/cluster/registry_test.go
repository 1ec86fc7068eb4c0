package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/minictl/mini/pkg/registry"
)

func TestCreateListDeleteRegistry(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	r, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "dev", Port: "127.0.0.1:0", Image: registryImage,
		ProxyRemoteURL: "https://registry-1.docker.io"})
	if err != nil {
		t.Fatal(err)
	}
	c := h.rt.Container("mini-registry-dev")
	if c == nil || !c.Running || c.Spec.Network != RegistryNetwork || c.Spec.RestartPolicy != "unless-stopped" {
		t.Fatalf("registry container: %+v", c)
	}
	if len(c.Spec.Ports) != 1 || c.Spec.Ports[0].ContainerPort != 5000 || c.Spec.Ports[0].HostIP != "127.0.0.1" || c.Spec.Ports[0].HostPort == 0 {
		t.Errorf("ports = %+v, want 127.0.0.1:PORT->5000 with a port picked", c.Spec.Ports)
	}
	if !slices.Contains(c.Spec.Env, "REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io") {
		t.Errorf("env = %v, want the proxy URL", c.Spec.Env)
	}
	if r.Host != "localhost:"+itoa(c.Spec.Ports[0].HostPort) {
		t.Errorf("host = %s", r.Host)
	}
	if _, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "dev", Image: registryImage}); !errors.Is(err, ErrExists) {
		t.Errorf("second create: err = %v, want ErrExists", err)
	}
	regs, err := h.p.Registries(ctx)
	if err != nil || len(regs) != 1 || regs[0].Name != "dev" || regs[0].ProxyRemoteURL == "" {
		t.Fatalf("list = %+v, %v", regs, err)
	}
	if _, err := h.p.Registries(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("list of a missing registry: err = %v", err)
	}
	if err := h.p.DeleteRegistries(ctx, nil, true); err != nil {
		t.Fatal(err)
	}
	h.assertEmpty(t)
}

func TestRegistryKeepsTheUsersVolume(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "dev", Port: "0", Image: registryImage, Volume: dir}); err != nil {
		t.Fatal(err)
	}
	if m := h.rt.Container("mini-registry-dev").Spec.Mounts; len(m) != 1 || m[0].Source != dir || m[0].Target != "/var/lib/registry" {
		t.Errorf("mounts = %+v", m)
	}
	if len(h.rt.VolumeNames()) != 0 {
		t.Errorf("volumes %v made for a registry with --volume", h.rt.VolumeNames())
	}
	if err := h.p.DeleteRegistries(ctx, []string{"dev"}, false); err != nil {
		t.Fatal(err)
	}
	h.assertEmpty(t)
}

func TestCreateRegistryRefusals(t *testing.T) {
	h := newHarness(t)
	_, err := h.p.CreateRegistry(context.Background(), RegistryCreateOptions{Name: "Bad_Name", Port: "x:1", Image: "",
		ProxyRemoteURL: "ftp://x", ProxyUsername: "u"})
	for _, want := range []string{"registry name", "--port", "--proxy-remote-url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %s", err, want)
		}
	}
	_, err = h.p.CreateRegistry(context.Background(), RegistryCreateOptions{Name: "dev", Image: "missing:1"})
	if err == nil || !strings.Contains(err.Error(), "registry image: pulling image missing:1") || !strings.Contains(err.Error(), "make images") {
		t.Errorf("missing image: err = %v", err)
	}
	h.assertEmpty(t)
}

func TestClusterWithRegistries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	shared, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "shared", Port: "0", Image: registryImage})
	if err != nil {
		t.Fatal(err)
	}
	userFile := filepath.Join(t.TempDir(), "registries.yaml")
	if err := os.WriteFile(userFile, []byte("mirrors:\n  docker.io:\n    endpoint: [\"https://mirror.example\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.createCluster(t, "reg", 1, 1, func(o *CreateOptions) {
		o.RegistryCreate = []string{"own"}
		o.RegistryUse = []string{"shared:" + itoa(shared.HostPort)}
		o.RegistryConfig = userFile
	})
	own := h.rt.Container("mini-registry-own")
	if own == nil || own.Spec.Labels[LabelRegistryOwner] != "reg" {
		t.Fatalf("own registry: %+v", own)
	}
	// Both registries sit on the cluster network at the addresses kept for
	// them, between the load balancer and the servers.
	if ip := own.Connected["mini-reg"]; !strings.HasSuffix(ip, ".3") {
		t.Errorf("own registry on mini-reg at %q, want .3", ip)
	}
	if ip := h.rt.Container("mini-registry-shared").Connected["mini-reg"]; !strings.HasSuffix(ip, ".4") {
		t.Errorf("shared registry on mini-reg at %q, want .4", ip)
	}
	ownPort := itoa(own.Spec.Ports[0].HostPort)
	for _, n := range []string{"mini-reg-server-0", "mini-reg-agent-0"} {
		data, ok := h.rt.Container(n).Files[RegistriesFile]
		if !ok {
			t.Fatalf("node %s has no %s", n, RegistriesFile)
		}
		cfg, err := registry.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		for host, ep := range map[string]string{
			"localhost:" + ownPort:               "http://mini-registry-own:5000",
			"mini-registry-own:5000":             "http://mini-registry-own:5000",
			"localhost:" + itoa(shared.HostPort): "http://mini-registry-shared:5000",
			"docker.io":                          "https://mirror.example",
		} {
			if got := cfg.Mirrors[host].Endpoints; !slices.Equal(got, []string{ep}) {
				t.Errorf("node %s: mirror %s = %v, want %s", n, host, got, ep)
			}
		}
	}
	cm, err := h.kube.CoreV1().ConfigMaps("kube-public").Get(ctx, "local-registry-hosting", metav1.GetOptions{})
	if err != nil || !strings.Contains(cm.Data["localRegistryHosting.v1"], `host: "localhost:`+ownPort+`"`) {
		t.Errorf("local-registry-hosting = %+v, %v", cm, err)
	}

	// A node added later pulls the same way.
	if err := h.p.CreateNodes(ctx, NodeCreateOptions{Name: "extra", Cluster: "reg", Role: RoleAgent, Replicas: 1}); err != nil {
		t.Fatal(err)
	}
	if got, want := h.rt.Container("mini-reg-extra-0").Files[RegistriesFile], h.rt.Container("mini-reg-server-0").Files[RegistriesFile]; string(got) != string(want) {
		t.Errorf("added node's registries.yaml:\n%s\nwant:\n%s", got, want)
	}

	// Deleting the cluster deletes the registry it made, not the one it used.
	if err := h.p.Delete(ctx, "reg"); err != nil {
		t.Fatal(err)
	}
	if h.rt.Container("mini-registry-own") != nil {
		t.Error("the cluster's own registry survived its deletion")
	}
	sh := h.rt.Container("mini-registry-shared")
	if sh == nil || len(sh.Connected) != 0 {
		t.Fatalf("shared registry after the cluster's deletion: %+v", sh)
	}
	if err := h.p.DeleteRegistries(ctx, []string{"shared"}, false); err != nil {
		t.Fatal(err)
	}
	h.assertEmpty(t)
}

func TestClusterRegistryRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "shared", Port: "0", Image: registryImage}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "registries.yaml")
	if err := os.WriteFile(bad, []byte("mirror:\n  x: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := defaultOpts("reg")
	o.RegistryCreate = []string{"shared", "new:notaport"}
	o.RegistryUse = []string{"missing", "shared:1"}
	o.RegistryConfig = bad
	err := h.p.Create(ctx, o)
	for _, want := range []string{`--registry-create "new:notaport"`, "--registry-config", "line 1", "named twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to mention %s", err, want)
		}
	}
	o = defaultOpts("reg")
	o.RegistryCreate = []string{"shared"}
	o.RegistryUse = []string{"missing"}
	err = h.p.Create(ctx, o)
	for _, want := range []string{`registry "shared": already exists`, `--registry-use missing`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to mention %s", err, want)
		}
	}
	o = defaultOpts("reg")
	o.RegistryUse = []string{"shared:1"}
	if err := h.p.Create(ctx, o); err == nil || !strings.Contains(err.Error(), "is published on port") {
		t.Errorf("port mismatch: err = %v", err)
	}
	if names := h.rt.ContainerNames(); !slices.Equal(names, []string{"mini-registry-shared"}) {
		t.Errorf("refused creates left %v", names)
	}
}

func TestClusterRollbackReleasesRegistries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "shared", Port: "0", Image: registryImage}); err != nil {
		t.Fatal(err)
	}
	h.rt.Hooks.StartContainer = func(name string) error {
		if name == "mini-reg-server-0" {
			return errors.New("boom")
		}
		return h.onStart(name)
	}
	o := defaultOpts("reg")
	o.RegistryCreate = []string{"own"}
	o.RegistryUse = []string{"shared"}
	if err := h.p.Create(ctx, o); err == nil {
		t.Fatal("create succeeded")
	}
	if names := h.rt.ContainerNames(); !slices.Equal(names, []string{"mini-registry-shared"}) {
		t.Errorf("after rollback: containers %v", names)
	}
	if c := h.rt.Container("mini-registry-shared"); len(c.Connected) != 0 {
		t.Errorf("shared registry still on %v", c.Connected)
	}
	if nets := h.rt.NetworkNames(); !slices.Equal(nets, []string{RegistryNetwork}) {
		t.Errorf("after rollback: networks %v", nets)
	}
}
