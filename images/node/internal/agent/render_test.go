package agent

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"

	"github.com/minictl/mini/images/node/internal/pki"
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
