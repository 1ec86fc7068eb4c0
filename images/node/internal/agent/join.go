package agent

import (
	"context"
	"fmt"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/discover"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/token"
)

// Join prepares an agent's credentials from the server URL and the token:
// it fetches the server CA from kube-public/cluster-info, checks it against
// the hash in the token before trusting anything, then writes kubeconfigs
// with which kubelet bootstraps its client certificate (CSR, approved and
// signed by the controller-manager) and kube-proxy authenticates.
func Join(ctx context.Context, cfg *config.Agent) (Credentials, error) {
	tok, err := token.Parse(cfg.Token)
	if err != nil {
		return Credentials{}, fmt.Errorf("--token: %w", err)
	}
	dir := config.PathsFor(cfg.DataDir).AgentDir()
	info, err := discover.ClusterInfo(ctx, cfg.ServerURL, tok)
	if err != nil {
		return Credentials{}, err
	}
	creds := Credentials{
		ClientCAFile:        filepath.Join(dir, "client-ca.crt"),
		KubeletKubeconfig:   filepath.Join(dir, "kubelet.kubeconfig"),
		ProxyKubeconfig:     filepath.Join(dir, "kube-proxy.kubeconfig"),
		BootstrapKubeconfig: filepath.Join(dir, "bootstrap.kubeconfig"),
	}
	if err := pki.WriteFile(filepath.Join(dir, "server-ca.crt"), info.ServerCA, 0o644); err != nil {
		return Credentials{}, err
	}
	if err := pki.WriteFile(creds.ClientCAFile, info.ClientCA, 0o644); err != nil {
		return Credentials{}, err
	}
	id, secret := tok.Bootstrap()
	for _, path := range []string{creds.BootstrapKubeconfig, creds.ProxyKubeconfig} {
		if err := writeTokenKubeconfig(path, cfg.ServerURL, info.ServerCA, id+"."+secret); err != nil {
			return Credentials{}, err
		}
	}
	return creds, nil
}

func writeTokenKubeconfig(path, server string, ca []byte, tok string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["default"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["default"] = &clientcmdapi.AuthInfo{Token: tok}
	cfg.Contexts["default"] = &clientcmdapi.Context{Cluster: "default", AuthInfo: "default"}
	cfg.CurrentContext = "default"
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	return pki.WriteFile(path, data, 0o600)
}
