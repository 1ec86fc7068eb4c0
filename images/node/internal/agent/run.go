package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/group"
	"github.com/minictl/mini/images/node/internal/pki"
)

// Credentials are what an agent needs from its server: the CAs to trust and
// client identities for kubelet and kube-proxy. A server's own agent signs
// them locally; a joining agent fetches them.
type Credentials struct {
	ClientCAFile      string
	KubeletKubeconfig string
	ProxyKubeconfig   string
	// KubeletServing is a serving certificate signed by the server CA; a
	// joined agent has none and kubelet serves a self-signed one.
	KubeletServing pki.Pair
	// BootstrapKubeconfig, on a joined agent, holds the bootstrap token
	// kubelet uses to request its client certificate.
	BootstrapKubeconfig string
}

// Options configure the agent's in-process components.
type Options struct {
	Config        *config.Agent
	ClusterDNS    string
	ClusterDomain string
	ClusterCIDR   string
	Creds         Credentials
	// ImagesImported reports the end of the preloaded image import; kubelet
	// waits for it so no pod ever tries to pull a preloaded image.
	ImagesImported <-chan error
}

// Run starts kubelet, kube-proxy and the pod network, and blocks until ctx
// ends or one of them fails.
func Run(ctx context.Context, o Options) error {
	dir := config.PathsFor(o.Config.DataDir).AgentDir()
	resolv, dockerDNS, err := writeResolvConf(dir, o.Config.NodeIP)
	if err != nil {
		return err
	}
	select {
	case err := <-o.ImagesImported:
		if err != nil {
			return fmt.Errorf("preload images: %w", err)
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	if o.Creds.BootstrapKubeconfig != "" {
		if err := bootstrapKubeletCert(ctx, o.Creds.KubeletKubeconfig, o.Creds.BootstrapKubeconfig, o.Config.NodeName); err != nil {
			return err
		}
	}
	restCfg, err := clientcmd.BuildConfigFromFlags("", o.Creds.ProxyKubeconfig)
	if err != nil {
		return fmt.Errorf("kube-proxy kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	g, ctx := errgroup.WithContext(ctx)
	if dockerDNS {
		g.Go(func() error {
			return (&DNSProxy{Listen: o.Config.NodeIP, Upstream: "127.0.0.11:53"}).Run(ctx)
		})
	}
	g.Go(func() error {
		return logExit("kubelet", RunKubelet(ctx, dir, KubeletOptions{
			NodeName: o.Config.NodeName, NodeIP: o.Config.NodeIP,
			Labels: o.Config.NodeLabels, Taints: o.Config.NodeTaints, ExtraArgs: o.Config.KubeletArgs,
			ClusterDNS: o.ClusterDNS, ClusterDomain: o.ClusterDomain,
			ClientCAFile: o.Creds.ClientCAFile, ServingCert: o.Creds.KubeletServing,
			Kubeconfig: o.Creds.KubeletKubeconfig, BootstrapKubeconfig: o.Creds.BootstrapKubeconfig,
			ResolvConf: resolv, Verbosity: o.Config.Verbosity,
		}))
	})
	g.Go(func() error {
		return logExit("kube-proxy", RunProxy(ctx, dir, ProxyOptions{
			NodeName: o.Config.NodeName, ClusterCIDR: o.ClusterCIDR,
			Kubeconfig: o.Creds.ProxyKubeconfig, ExtraArgs: o.Config.KubeProxyArgs,
		}))
	})
	g.Go(func() error {
		n := &Network{Client: client, NodeName: o.Config.NodeName, NodeIP: o.Config.NodeIP, ClusterCIDR: o.ClusterCIDR}
		return n.Run(ctx)
	})
	return group.Wait(ctx, g, group.StopGrace)
}

// logExit names the agent component that stopped, when one does.
func logExit(name string, err error) error {
	if err != nil {
		klog.ErrorS(err, "Agent component failed", "component", name)
	}
	return err
}

// writeResolvConf gives kubelet (and so every pod with dnsPolicy Default,
// CoreDNS's upstream included) the node's resolv.conf with Docker's embedded
// resolver (127.0.0.11, reachable only in the node's own network namespace)
// replaced by the node's address, where DNSProxy relays to it. It reports
// whether the proxy is needed.
func writeResolvConf(dir, nodeIP string) (string, bool, error) {
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("read resolv.conf: %w", err)
	}
	out, proxied := rewriteResolvConf(string(data), nodeIP)
	path := filepath.Join(dir, "resolv.conf")
	return path, proxied, pki.WriteFile(path, []byte(out), 0o644)
}

// rewriteResolvConf replaces loopback nameservers; Docker's 127.0.0.11 by the
// node IP (proxied), any other loopback one is dropped as unreachable.
func rewriteResolvConf(in, nodeIP string) (string, bool) {
	var out []string
	proxied := false
	for _, line := range strings.Split(in, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" && strings.HasPrefix(f[1], "127.") {
			if f[1] == "127.0.0.11" && !proxied {
				out = append(out, "nameserver "+nodeIP)
				proxied = true
			}
			klog.V(2).InfoS("Replacing loopback nameserver for pods", "nameserver", f[1])
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"), proxied
}
