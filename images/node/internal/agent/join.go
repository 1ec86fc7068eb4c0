package agent

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/token"
)

// JoinTimeout bounds how long an agent waits for its server to answer.
const JoinTimeout = 5 * time.Minute

// ErrCAMismatch is returned when the server's CA is not the one the token pins.
var ErrCAMismatch = errors.New("server CA does not match the token")

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
	info, err := fetchClusterInfo(ctx, cfg.ServerURL, nil)
	if err != nil {
		return Credentials{}, err
	}
	serverCA := info.serverCA
	if tok.CAHash == "" {
		klog.InfoS("Token carries no CA hash; trusting the server's CA on first use", "server", cfg.ServerURL)
	} else if err := tok.VerifyCA(serverCA); err != nil {
		return Credentials{}, fmt.Errorf("%w: %v", ErrCAMismatch, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(serverCA) {
		return Credentials{}, errors.New("cluster-info: server CA is not PEM")
	}
	// Now that the CA is trusted, read the rest over a verified connection.
	info, err = fetchClusterInfo(ctx, cfg.ServerURL, pool)
	if err != nil {
		return Credentials{}, err
	}
	creds := Credentials{
		ClientCAFile:        filepath.Join(dir, "client-ca.crt"),
		KubeletKubeconfig:   filepath.Join(dir, "kubelet.kubeconfig"),
		ProxyKubeconfig:     filepath.Join(dir, "kube-proxy.kubeconfig"),
		BootstrapKubeconfig: filepath.Join(dir, "bootstrap.kubeconfig"),
	}
	if err := pki.WriteFile(filepath.Join(dir, "server-ca.crt"), serverCA, 0o644); err != nil {
		return Credentials{}, err
	}
	if err := pki.WriteFile(creds.ClientCAFile, info.clientCA, 0o644); err != nil {
		return Credentials{}, err
	}
	id, secret := tok.Bootstrap()
	for _, path := range []string{creds.BootstrapKubeconfig, creds.ProxyKubeconfig} {
		if err := writeTokenKubeconfig(path, cfg.ServerURL, serverCA, id+"."+secret); err != nil {
			return Credentials{}, err
		}
	}
	return creds, nil
}

type clusterInfo struct{ serverCA, clientCA []byte }

// fetchClusterInfo reads kube-public/cluster-info, anonymously. With a nil
// pool the server is not verified: only the CA hash check makes it trusted.
func fetchClusterInfo(ctx context.Context, server string, pool *x509.CertPool) (clusterInfo, error) {
	tlsCfg := &tls.Config{RootCAs: pool, InsecureSkipVerify: pool == nil} //nolint:gosec // verified by hash
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	url := server + "/api/v1/namespaces/kube-public/configmaps/cluster-info"
	deadline := time.Now().Add(JoinTimeout)
	var last error
	for time.Now().Before(deadline) {
		info, err := getClusterInfo(ctx, client, url)
		if err == nil {
			return info, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return clusterInfo{}, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return clusterInfo{}, fmt.Errorf("server %s: cluster-info not available after %s: %w", server, JoinTimeout, last)
}

func getClusterInfo(ctx context.Context, client *http.Client, url string) (clusterInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return clusterInfo{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return clusterInfo{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return clusterInfo{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return clusterInfo{}, fmt.Errorf("cluster-info: %s", resp.Status)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(body, &cm); err != nil {
		return clusterInfo{}, fmt.Errorf("cluster-info: %w", err)
	}
	kc, err := clientcmd.Load([]byte(cm.Data["kubeconfig"]))
	if err != nil {
		return clusterInfo{}, fmt.Errorf("cluster-info kubeconfig: %w", err)
	}
	for _, c := range kc.Clusters {
		return clusterInfo{serverCA: c.CertificateAuthorityData, clientCA: []byte(cm.Data["client-ca.crt"])}, nil
	}
	return clusterInfo{}, errors.New("cluster-info: no cluster in kubeconfig")
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
