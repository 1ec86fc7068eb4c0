package server

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/agent"
	"github.com/minictl/mini/images/node/internal/await"
	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/pki"
)

// localAgentCredentials signs the server's own agent identities directly with
// the cluster CAs it holds: no bootstrap round-trip on the critical path.
func localAgentCredentials(cfg *config.Server, t *TLS) (agent.Credentials, error) {
	dir := config.PathsFor(cfg.DataDir).AgentDir()
	kubelet := pki.PairIn(dir, "client-kubelet")
	proxy := pki.PairIn(dir, "client-kube-proxy")
	serving := pki.PairIn(dir, "serving-kubelet")
	ip := net.ParseIP(cfg.NodeIP)
	for _, c := range []struct {
		ca   *pki.CA
		pair pki.Pair
		spec pki.Spec
	}{
		{t.ClientCA, kubelet, pki.Spec{CommonName: "system:node:" + cfg.NodeName, Organization: []string{"system:nodes"}}},
		{t.ClientCA, proxy, pki.Spec{CommonName: "system:kube-proxy"}},
		{t.ServerCA, serving, pki.Spec{CommonName: cfg.NodeName, DNSNames: []string{cfg.NodeName, "localhost"},
			IPs: []net.IP{ip, net.ParseIP("127.0.0.1")}, Usage: pki.Server}},
	} {
		if err := c.ca.Ensure(c.pair, c.spec); err != nil {
			return agent.Credentials{}, fmt.Errorf("agent certificate %s: %w", c.spec.CommonName, err)
		}
	}
	creds := agent.Credentials{
		ClientCAFile:      t.ClientCA.CertPath,
		KubeletKubeconfig: filepath.Join(dir, "kubelet.kubeconfig"),
		ProxyKubeconfig:   filepath.Join(dir, "kube-proxy.kubeconfig"),
		KubeletServing:    serving,
	}
	local := localURL(cfg)
	if err := writeKubeconfig(creds.KubeletKubeconfig, local, t.ServerCA.CertPath, kubelet, false, 0o600); err != nil {
		return agent.Credentials{}, err
	}
	if err := writeKubeconfig(creds.ProxyKubeconfig, local, t.ServerCA.CertPath, proxy, false, 0o600); err != nil {
		return agent.Credentials{}, err
	}
	return creds, nil
}

// labelServerNode adds the control-plane role label once the node has
// registered. NodeRestriction forbids kubelet from setting node-role labels
// on itself, so the server does it with its own credentials.
func labelServerNode(ctx context.Context, client kubernetes.Interface, name string, etcd bool) {
	labels := `"node-role.kubernetes.io/control-plane":"true"`
	if etcd {
		labels += `,"node-role.kubernetes.io/etcd":"true"`
	}
	patch := []byte(`{"metadata":{"labels":{` + labels + `}}}`)
	err := await.Until(ctx, 200*time.Millisecond, "node "+name+" to label it", func(ctx context.Context) error {
		_, err := client.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		return err
	})
	if err != nil && ctx.Err() == nil {
		klog.ErrorS(err, "Labelling server node", "node", name)
	}
}
