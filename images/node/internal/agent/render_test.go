package agent

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/registries"
)

// strictDecode decodes with the real API types and fails on unknown fields,
// so a typo in a rendered config is caught here rather than by a node that
// refuses to start.
func strictDecode(t *testing.T, data []byte, into runtime.Object, add func(*runtime.Scheme) error) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := add(scheme); err != nil {
		t.Fatal(err)
	}
	codecs := serializer.NewCodecFactory(scheme, serializer.EnableStrict)
	if _, _, err := codecs.UniversalDeserializer().Decode(data, nil, into); err != nil {
		t.Fatalf("decode:\n%s\n%v", data, err)
	}
}

func TestKubeletConfig(t *testing.T) {
	data, err := RenderKubeletConfig(KubeletOptions{
		NodeName: "n", NodeIP: "172.18.0.2", ClusterDNS: "10.43.0.10", ClusterDomain: "cluster.local",
		ClientCAFile: "/ca.crt", ServingCert: pki.Pair{CertPath: "/s.crt", KeyPath: "/s.key"},
		ResolvConf: "/r", Taints: []string{"dedicated=infra:NoSchedule", "gpu:NoExecute"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var kc kubeletv1beta1.KubeletConfiguration
	strictDecode(t, data, &kc, kubeletv1beta1.AddToScheme)
	if kc.FailCgroupV1 == nil || *kc.FailCgroupV1 {
		t.Error("failCgroupV1 must be false: cgroup v1 hosts are supported")
	}
	if kc.CgroupDriver != "cgroupfs" || kc.ClusterDNS[0] != "10.43.0.10" || kc.ResolverConfig == nil || *kc.ResolverConfig != "/r" {
		t.Errorf("unexpected config: %+v", kc)
	}
	if len(kc.RegisterWithTaints) != 2 || kc.RegisterWithTaints[0].Value != "infra" || kc.RegisterWithTaints[1].Key != "gpu" {
		t.Errorf("taints: %+v", kc.RegisterWithTaints)
	}
	if kc.EvictionHard["nodefs.available"] != "0%" {
		t.Error("disk eviction must be off")
	}
}

func TestKubeletArgsUserLast(t *testing.T) {
	args := kubeletArgs(KubeletOptions{NodeName: "n", NodeIP: "1.2.3.4", Labels: []string{"a=b", "c=d"}, ExtraArgs: []string{"max-pods=20"}}, "/cfg")
	if args[len(args)-1] != "--max-pods=20" {
		t.Errorf("user args must come last: %v", args)
	}
	if !strings.Contains(strings.Join(args, " "), "--node-labels=a=b,c=d") {
		t.Errorf("labels: %v", args)
	}
}

func TestProxyConfig(t *testing.T) {
	data, err := RenderProxyConfig(ProxyOptions{NodeName: "y", // YAML 1.1 would read a bare y as a boolean
		ClusterCIDR: "10.42.0.0/16", Kubeconfig: "/k"})
	if err != nil {
		t.Fatal(err)
	}
	var pc kubeproxyv1alpha1.KubeProxyConfiguration
	strictDecode(t, data, &pc, kubeproxyv1alpha1.AddToScheme)
	if pc.HostnameOverride != "y" {
		t.Errorf("hostnameOverride = %q", pc.HostnameOverride)
	}
	if pc.Mode != "iptables" || pc.Conntrack.MaxPerCore == nil || *pc.Conntrack.MaxPerCore != 0 {
		t.Errorf("unexpected: %+v", pc)
	}
}

func TestCNIConfig(t *testing.T) {
	data, err := RenderCNIConfig("10.42.1.0/24")
	if err != nil {
		t.Fatal(err)
	}
	var conf struct {
		Plugins []struct {
			Type   string `json:"type"`
			IPMasq bool   `json:"ipMasq"`
			IPAM   struct {
				Ranges [][]struct{ Subnet string } `json:"ranges"`
			} `json:"ipam"`
		} `json:"plugins"`
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		t.Fatal(err)
	}
	if conf.Plugins[0].Type != "bridge" || conf.Plugins[0].IPAM.Ranges[0][0].Subnet != "10.42.1.0/24" || conf.Plugins[0].IPMasq {
		t.Errorf("bridge: %+v", conf.Plugins[0])
	}
	if _, err := RenderCNIConfig("bogus"); err == nil {
		t.Error("bad cidr accepted")
	}
}

func TestContainerdConfig(t *testing.T) {
	data, err := RenderContainerdConfig(DefaultContainerdOptions("/var/lib/mini", "mini.local/pause:3.10"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"version = 3", `root = "/var/lib/mini/agent/containerd"`, "restrict_oom_score_adj = true",
		`sandbox = "mini.local/pause:3.10"`, `bin_dirs = ["/usr/lib/cni"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("missing %q in:\n%s", want, data)
		}
	}
	reg := criRegistry(t, data)
	if reg.ConfigPath != "/var/lib/mini/agent/etc/containerd/certs.d" || len(reg.Configs) != 0 {
		t.Errorf("registry without --private-registry: %+v", reg)
	}
}

// criRegistryConfig copies the part of containerd 2.4.2's CRI image config
// (internal/cri/config/config.go) that registries fill.
type criRegistryConfig struct {
	ConfigPath string `toml:"config_path"`
	Configs    map[string]struct {
		Auth *struct {
			Username      string `toml:"username"`
			Password      string `toml:"password"`
			Auth          string `toml:"auth"`
			IdentityToken string `toml:"identitytoken"`
		} `toml:"auth"`
	} `toml:"configs"`
}

// criRegistry decodes a rendered containerd config with go-toml/v2, the
// library containerd reads it with, and returns the CRI images plugin's
// registry table, rejecting keys containerd does not know there.
func criRegistry(t *testing.T, data []byte) criRegistryConfig {
	t.Helper()
	var cfg struct {
		Version int                       `toml:"version"`
		Plugins map[string]map[string]any `toml:"plugins"`
	}
	if err := toml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("containerd config is not TOML:\n%s\n%v", data, err)
	}
	raw, err := toml.Marshal(cfg.Plugins["io.containerd.cri.v1.images"]["registry"])
	if err != nil {
		t.Fatal(err)
	}
	var reg criRegistryConfig
	dec := toml.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reg); err != nil {
		t.Fatalf("registry table:\n%s\n%v", raw, err)
	}
	return reg
}

func TestContainerdConfigRegistryAuth(t *testing.T) {
	const password = `p"a\ss'word` + "\n"
	r, err := registries.Parse([]byte(`configs:
  "mirror.example:5000":
    auth:
      username: "u"
      password: "p\"a\\ss'word\n"
  docker.io:
    auth: {auth: dTpw, identity_token: "t\\k"}
  "tls.example":
    tls: {ca_file: /ca.crt}
`))
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultContainerdOptions("/var/lib/mini", "mini.local/pause:3.10")
	o.Registries = r
	data, err := RenderContainerdConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	reg := criRegistry(t, data)
	if reg.ConfigPath != "/var/lib/mini/agent/etc/containerd/certs.d" {
		t.Errorf("config_path = %q", reg.ConfigPath)
	}
	if a := reg.Configs["mirror.example:5000"].Auth; a == nil || a.Username != "u" || a.Password != password {
		t.Errorf("mirror.example:5000 auth: %+v in\n%s", a, data)
	}
	for _, host := range []string{"docker.io", "registry-1.docker.io"} {
		if a := reg.Configs[host].Auth; a == nil || a.Auth != "dTpw" || a.IdentityToken != `t\k` || a.Username != "" {
			t.Errorf("%s auth: %+v", host, a)
		}
	}
	if _, ok := reg.Configs["tls.example"]; ok || len(reg.Configs) != 3 {
		t.Errorf("configs: want the three hosts with auth, got %+v", reg.Configs)
	}
}

func TestContainerdOptionsForPrivateRegistry(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Agent{DataDir: "/var/lib/mini", PrivateRegistry: filepath.Join(dir, "missing.yaml")}
	if _, err := ContainerdOptionsFor(cfg); err == nil || !strings.Contains(err.Error(), "--private-registry") {
		t.Errorf("missing explicit file: %v", err)
	}
	bad := filepath.Join(dir, "registries.yaml")
	if err := os.WriteFile(bad, []byte("mirrors:\n  docker.io:\n    rewrite: {a: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.PrivateRegistry = bad
	if _, err := ContainerdOptionsFor(cfg); err == nil || !strings.Contains(err.Error(), `mirrors["docker.io"].rewrite`) {
		t.Errorf("bad file: %v", err)
	}
	if err := os.WriteFile(bad, []byte("mirrors:\n  docker.io:\n    endpoint: [\"http://m:5000\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := ContainerdOptionsFor(cfg)
	if err != nil || o.Registries.Mirrors["docker.io"].Endpoints[0] != "http://m:5000" {
		t.Errorf("got %+v, %v", o.Registries, err)
	}
	cfg.PrivateRegistry = config.DefaultPrivateRegistry
	if _, err := os.Stat(config.DefaultPrivateRegistry); err == nil {
		t.Skip(config.DefaultPrivateRegistry + " exists here")
	}
	if o, err := ContainerdOptionsFor(cfg); err != nil || len(o.Registries.Mirrors) != 0 {
		t.Errorf("missing default file: %+v, %v", o.Registries, err)
	}
}

func TestRewriteResolvConf(t *testing.T) {
	out, proxied := rewriteResolvConf("search x\nnameserver 127.0.0.11\noptions ndots:0\n", "172.18.0.2")
	if !proxied || !strings.Contains(out, "nameserver 172.18.0.2") || strings.Contains(out, "127.0.0.11") {
		t.Errorf("docker dns not proxied: %q", out)
	}
	out, proxied = rewriteResolvConf("nameserver 10.0.0.2\nnameserver 127.0.0.53\n", "172.18.0.2")
	if proxied || strings.Contains(out, "127.0.0.53") || !strings.Contains(out, "10.0.0.2") {
		t.Errorf("got %q, %v", out, proxied)
	}
}

func TestPauseImageMatchesVersionsEnv(t *testing.T) {
	data, err := os.ReadFile("../../../versions.env")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nPAUSE_IMAGE="+PauseImage+"\n") {
		t.Fatalf("PauseImage %q is not versions.env's PAUSE_IMAGE", PauseImage)
	}
}
