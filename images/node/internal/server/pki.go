package server

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/datastore"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/token"
)

// TLS is the server's certificate material, by role.
type TLS struct {
	Dir                                 string
	ServerCA, ClientCA, RequestHeaderCA *pki.CA
	EtcdCA                              *pki.CA
	Serving                             pki.Pair // kube-apiserver serving
	Admin, Controller, Scheduler        pki.Pair
	KubeletClient                       pki.Pair // apiserver → kubelet
	AuthProxy                           pki.Pair // apiserver → aggregated APIs
	EtcdServer, EtcdPeer, EtcdClient    pki.Pair
	ServiceAccountKey                   string
}

// File names of the etcd client credentials in a server's TLS directory.
const (
	etcdCAName     = "etcd-ca"
	etcdClientName = "etcd-client"
)

// etcdClient connects to etcd endpoints as this server's etcd client.
func (t *TLS) etcdClient(endpoints ...string) (*clientv3.Client, error) {
	return datastore.EtcdClient(endpoints, t.EtcdCA.CertPath, t.EtcdClient.CertPath, t.EtcdClient.KeyPath)
}

// LocalEtcdClient connects to the server's own etcd with the credentials a
// server with data directory dataDir made (for `mini-node etcd`).
func LocalEtcdClient(dataDir string) (*clientv3.Client, error) {
	dir := config.PathsFor(dataDir).ServerTLS()
	client := pki.PairIn(dir, etcdClientName)
	return datastore.EtcdClient([]string{datastore.LocalEndpoint}, pki.PairIn(dir, etcdCAName).CertPath, client.CertPath, client.KeyPath)
}

// ensureTLS creates or reuses every CA and certificate the control plane uses.
func ensureTLS(cfg *config.Server) (*TLS, error) {
	dir := config.PathsFor(cfg.DataDir).ServerTLS()
	t := &TLS{Dir: dir, ServiceAccountKey: filepath.Join(dir, "service-account.key")}
	var err error
	if t.ServerCA, err = pki.EnsureCA(dir, "server-ca", "mini-server-ca"); err != nil {
		return nil, err
	}
	if t.ClientCA, err = pki.EnsureCA(dir, "client-ca", "mini-client-ca"); err != nil {
		return nil, err
	}
	if t.RequestHeaderCA, err = pki.EnsureCA(dir, "request-header-ca", "mini-request-header-ca"); err != nil {
		return nil, err
	}
	if t.EtcdCA, err = pki.EnsureCA(dir, etcdCAName, "mini-etcd-ca"); err != nil {
		return nil, err
	}
	if err := pki.EnsureKey(t.ServiceAccountKey); err != nil {
		return nil, err
	}
	dns, ips, err := servingNames(cfg)
	if err != nil {
		return nil, err
	}
	nodeIP := net.ParseIP(cfg.NodeIP)
	local := []net.IP{net.ParseIP("127.0.0.1"), nodeIP}
	leaves := []struct {
		ca   *pki.CA
		pair *pki.Pair
		name string
		spec pki.Spec
	}{
		{t.ServerCA, &t.Serving, "serving-kube-apiserver", pki.Spec{CommonName: "kube-apiserver", DNSNames: dns, IPs: ips, Usage: pki.Server}},
		{t.ClientCA, &t.Admin, "client-admin", pki.Spec{CommonName: "system:admin", Organization: []string{"system:masters"}}},
		{t.ClientCA, &t.Controller, "client-controller", pki.Spec{CommonName: "system:kube-controller-manager"}},
		{t.ClientCA, &t.Scheduler, "client-scheduler", pki.Spec{CommonName: "system:kube-scheduler"}},
		{t.ClientCA, &t.KubeletClient, "client-kube-apiserver", pki.Spec{CommonName: "system:kube-apiserver", Organization: []string{"system:masters"}}},
		{t.RequestHeaderCA, &t.AuthProxy, "client-auth-proxy", pki.Spec{CommonName: "system:auth-proxy"}},
		{t.EtcdCA, &t.EtcdServer, "etcd-server", pki.Spec{CommonName: "etcd-server", DNSNames: []string{"localhost", cfg.NodeName}, IPs: local, Usage: pki.ClientServer}},
		{t.EtcdCA, &t.EtcdPeer, "etcd-peer", pki.Spec{CommonName: "etcd-peer", DNSNames: []string{"localhost", cfg.NodeName}, IPs: local, Usage: pki.ClientServer}},
		{t.EtcdCA, &t.EtcdClient, etcdClientName, pki.Spec{CommonName: "etcd-client"}},
	}
	for _, l := range leaves {
		*l.pair = pki.PairIn(dir, l.name)
		if err := l.ca.Ensure(*l.pair, l.spec); err != nil {
			return nil, fmt.Errorf("certificate %s: %w", l.name, err)
		}
	}
	return t, nil
}

// servingNames are the apiserver's SANs: every name a client may dial it by.
func servingNames(cfg *config.Server) ([]string, []net.IP, error) {
	svcIP, err := cfg.KubernetesServiceIP()
	if err != nil {
		return nil, nil, fmt.Errorf("--service-cidr: %w", err)
	}
	dns := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc." + cfg.ClusterDomain, cfg.NodeName}
	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP(cfg.NodeIP), svcIP}
	for _, san := range cfg.TLSSANs {
		if ip := net.ParseIP(san); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, strings.ToLower(san))
		}
	}
	return dns, ips, nil
}

// ensureToken returns the cluster token: the one given, else the one stored
// from an earlier start, else a new one. It is written in full form (with the
// CA hash) so joiners can pin the CA.
func ensureToken(cfg *config.Server, t *TLS) (token.Token, error) {
	caPEM, err := os.ReadFile(t.ServerCA.CertPath)
	if err != nil {
		return token.Token{}, fmt.Errorf("read server ca: %w", err)
	}
	hash := token.HashCA(caPEM)
	path := config.PathsFor(cfg.DataDir).TokenFile()
	raw := cfg.Token
	if raw == "" {
		if b, err := os.ReadFile(path); err == nil {
			raw = string(b)
		}
	}
	if raw == "" {
		if raw, err = token.Generate(); err != nil {
			return token.Token{}, err
		}
	}
	tok, err := token.Parse(raw)
	if err != nil {
		return token.Token{}, fmt.Errorf("--token: %w", err)
	}
	if tok.CAHash != "" && tok.CAHash != hash {
		return token.Token{}, fmt.Errorf("--token: its CA hash does not match this server's CA (the token belongs to another cluster)")
	}
	tok.CAHash = hash
	if err := pki.WriteFile(path, []byte(tok.String()+"\n"), 0o600); err != nil {
		return token.Token{}, err
	}
	return tok, nil
}
