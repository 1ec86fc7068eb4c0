package agent

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	proxyapp "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubeletapp "k8s.io/kubernetes/cmd/kubelet/app"
	"k8s.io/kubernetes/pkg/kubelet/certificate/bootstrap"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/discover"
	"github.com/minictl/mini/images/node/internal/pki"
)

// kubeletConfig is the KubeletConfiguration file. The settings that differ
// from a VM's kubelet are the ones a node container needs:
//   - failCgroupV1: false — 1.37 refuses cgroup v1 hosts by default;
//   - failSwapOn: false — the host's swap is not ours to turn off;
//   - disk eviction and image GC off — the node shares the host's disk, and
//     a busy laptop disk must not evict every pod of a test cluster.
var kubeletConfig = template.Must(template.New("kubelet").Parse(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
    cacheTTL: 2m0s
  x509:
    clientCAFile: {{printf "%q" .ClientCA}}
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 5m0s
    cacheUnauthorizedTTL: 30s
{{- if .ServingCert}}
tlsCertFile: {{printf "%q" .ServingCert}}
tlsPrivateKeyFile: {{printf "%q" .ServingKey}}
{{- end}}
containerRuntimeEndpoint: {{printf "%q" (print "unix://" .Socket)}}
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS:
- {{printf "%q" .ClusterDNS}}
clusterDomain: {{printf "%q" .ClusterDomain}}
resolvConf: {{printf "%q" .ResolvConf}}
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
  imagefs.inodesFree: "0%"
containerLogMaxSize: 10Mi
containerLogMaxFiles: 3
{{- if .Taints}}
registerWithTaints:
{{- range .Taints}}
- key: {{printf "%q" .Key}}
{{- if .Value}}
  value: {{printf "%q" .Value}}
{{- end}}
  effect: {{printf "%q" .Effect}}
{{- end}}
{{- end}}
`))

type taint struct{ Key, Value, Effect string }

// KubeletOptions are the node-specific inputs of kubelet's configuration.
type KubeletOptions struct {
	NodeName, NodeIP          string
	Labels, Taints, ExtraArgs []string
	ClusterDNS, ClusterDomain string
	ClientCAFile              string
	ServingCert               pki.Pair
	Kubeconfig                string
	BootstrapKubeconfig       string
	ResolvConf                string
	Verbosity                 int
}

// RenderKubeletConfig returns the KubeletConfiguration file's contents.
func RenderKubeletConfig(o KubeletOptions) ([]byte, error) {
	var taints []taint
	for _, t := range o.Taints {
		kv, effect, _ := strings.Cut(t, ":")
		k, v, _ := strings.Cut(kv, "=")
		taints = append(taints, taint{Key: k, Value: v, Effect: effect})
	}
	var b bytes.Buffer
	err := kubeletConfig.Execute(&b, map[string]any{
		"ClientCA": o.ClientCAFile, "ServingCert": o.ServingCert.CertPath, "ServingKey": o.ServingCert.KeyPath,
		"Socket": config.ContainerdSocket, "ClusterDNS": o.ClusterDNS, "ClusterDomain": o.ClusterDomain,
		"ResolvConf": o.ResolvConf, "Taints": taints,
	})
	return b.Bytes(), err
}

// kubeletArgs are the flags kubelet still takes outside its config file;
// --kubelet-arg values come last so they override.
func kubeletArgs(o KubeletOptions, configPath string) []string {
	args := []string{
		"--config=" + configPath,
		"--kubeconfig=" + o.Kubeconfig,
		"--hostname-override=" + o.NodeName,
		"--node-ip=" + o.NodeIP,
		"--root-dir=" + config.KubeletRoot,
	}
	if o.BootstrapKubeconfig != "" {
		args = append(args, "--bootstrap-kubeconfig="+o.BootstrapKubeconfig,
			"--cert-dir="+kubeletCertDir(o.Kubeconfig))
	}
	if len(o.Labels) > 0 {
		args = append(args, "--node-labels="+strings.Join(o.Labels, ","))
	}
	if o.Verbosity > 0 {
		args = append(args, "--v="+strconv.Itoa(o.Verbosity))
	}
	return append(args, config.ComponentArgs(o.ExtraArgs)...)
}

// RunKubelet writes kubelet's config and runs it until ctx ends. Kubelet's
// command installs the process's one signal handler (see controlplane).
func RunKubelet(ctx context.Context, dir string, o KubeletOptions) error {
	data, err := RenderKubeletConfig(o)
	if err != nil {
		return fmt.Errorf("render kubelet config: %w", err)
	}
	path := filepath.Join(dir, "kubelet.yaml")
	if err := pki.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	cmd := kubeletapp.NewKubeletCommand(ctx)
	cmd.SetArgs(kubeletArgs(o, path))
	if err := cmd.ExecuteContext(ctx); err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	return nil
}

var proxyConfig = template.Must(template.New("proxy").Parse(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: {{printf "%q" .ClusterCIDR}}
hostnameOverride: {{printf "%q" .NodeName}}
bindAddress: 0.0.0.0
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clientConnection:
  kubeconfig: {{printf "%q" .Kubeconfig}}
conntrack:
  # 0 leaves the host's conntrack table alone: a node container must not
  # resize a kernel table every other container shares.
  maxPerCore: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`))

// ProxyOptions are kube-proxy's node-specific inputs.
type ProxyOptions struct {
	NodeName, ClusterCIDR, Kubeconfig string
	ExtraArgs                         []string
}

// RenderProxyConfig returns the KubeProxyConfiguration file's contents.
func RenderProxyConfig(o ProxyOptions) ([]byte, error) {
	var b bytes.Buffer
	err := proxyConfig.Execute(&b, o)
	return b.Bytes(), err
}

// RunProxy writes kube-proxy's config and runs it until the process ends.
func RunProxy(ctx context.Context, dir string, o ProxyOptions) error {
	data, err := RenderProxyConfig(o)
	if err != nil {
		return fmt.Errorf("render kube-proxy config: %w", err)
	}
	path := filepath.Join(dir, "kube-proxy.yaml")
	if err := pki.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	cmd := proxyapp.NewProxyCommand()
	cmd.SetArgs(append([]string{"--config=" + path}, config.ComponentArgs(o.ExtraArgs)...))
	if err := cmd.ExecuteContext(ctx); err != nil {
		return fmt.Errorf("kube-proxy: %w", err)
	}
	return nil
}

// kubeletCertDir is where a bootstrapping kubelet keeps its client
// certificate, next to its kubeconfig.
func kubeletCertDir(kubeconfig string) string {
	return filepath.Join(filepath.Dir(kubeconfig), "kubelet-pki")
}

// bootstrapKubeletCert obtains the kubelet's client certificate before
// kubelet starts, retrying: kubelet itself fails for good on the first
// error (an etcd election while servers join answers "request timed
// out"), which would take the whole node down. Once this succeeds,
// kubelet finds a valid certificate and skips its own bootstrap.
func bootstrapKubeletCert(ctx context.Context, kubeconfig, bootstrapKubeconfig, nodeName string) error {
	_, err := discover.Retry(ctx, "kubelet client certificate", func(ctx context.Context) (struct{}, error) {
		err := bootstrap.LoadClientCert(ctx, kubeconfig, bootstrapKubeconfig, kubeletCertDir(kubeconfig), types.NodeName(nodeName))
		if err != nil {
			klog.InfoS("Requesting the kubelet client certificate; will retry", "err", err)
		}
		return struct{}{}, err
	})
	return err
}
