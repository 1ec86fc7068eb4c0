package datastore

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// EtcdOptions configure the embedded etcd member.
type EtcdOptions struct {
	// Dir is the member's data directory.
	Dir    string
	Name   string
	NodeIP string
	// TLS material: one CA for clients and peers; the server cert carries
	// 127.0.0.1 and the node IP so both local and peer clients verify it.
	CAFile, ServerCertFile, ServerKeyFile string
	PeerCertFile, PeerKeyFile             string
	ClientCertFile, ClientKeyFile         string
	// InitialCluster and Existing are set when joining another member.
	InitialCluster string
	Existing       bool
}

// LocalEndpoint is a server's own etcd as its apiserver and tools reach it.
const LocalEndpoint = "https://127.0.0.1:2379"

// ClientURL and PeerURL are where the member on nodeIP serves clients and
// its peers.
func ClientURL(nodeIP string) string { return "https://" + net.JoinHostPort(nodeIP, "2379") }

// PeerURL: see ClientURL.
func PeerURL(nodeIP string) string { return "https://" + net.JoinHostPort(nodeIP, "2380") }

// ReadyTimeout bounds how long a member may take to join its cluster.
const ReadyTimeout = 2 * time.Minute

func startEtcd(ctx context.Context, o EtcdOptions) (Result, error) {
	dir := o.Dir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("create %s: %w", dir, err)
	}
	cfg := embed.NewConfig()
	cfg.Name = o.Name
	cfg.Dir = dir
	cfg.LogLevel = "warn"
	local := mustURL(LocalEndpoint)
	node := mustURL(ClientURL(o.NodeIP))
	peer := mustURL(PeerURL(o.NodeIP))
	cfg.ListenClientUrls = []url.URL{local, node}
	cfg.AdvertiseClientUrls = []url.URL{node}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	// Metrics on loopback only; nothing outside the node needs them.
	cfg.ListenMetricsUrls = []url.URL{mustURL("http://127.0.0.1:2381")}
	cfg.InitialCluster = o.Name + "=" + peer.String()
	if o.InitialCluster != "" {
		cfg.InitialCluster = o.InitialCluster
	}
	cfg.ClusterState = embed.ClusterStateFlagNew
	if o.Existing {
		cfg.ClusterState = embed.ClusterStateFlagExisting
	}
	cfg.ClientTLSInfo.TrustedCAFile = o.CAFile
	cfg.ClientTLSInfo.CertFile = o.ServerCertFile
	cfg.ClientTLSInfo.KeyFile = o.ServerKeyFile
	cfg.ClientTLSInfo.ClientCertAuth = true
	cfg.PeerTLSInfo.TrustedCAFile = o.CAFile
	cfg.PeerTLSInfo.CertFile = o.PeerCertFile
	cfg.PeerTLSInfo.KeyFile = o.PeerKeyFile
	cfg.PeerTLSInfo.ClientCertAuth = true
	// Small clusters on laptops: keep the backend small and compact often.
	cfg.AutoCompactionMode = "periodic"
	cfg.AutoCompactionRetention = "5m"
	cfg.QuotaBackendBytes = 2 << 30

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return Result{}, fmt.Errorf("start embedded etcd: %w", err)
	}
	go func() {
		<-ctx.Done()
		e.Close()
	}()
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		return Result{}, fmt.Errorf("embedded etcd: %w", err)
	case <-time.After(ReadyTimeout):
		e.Close()
		return Result{}, fmt.Errorf("embedded etcd not ready after %s", ReadyTimeout)
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	return Result{
		Kind:      EmbeddedEtcd,
		Endpoints: []string{local.String()},
		CAFile:    o.CAFile, CertFile: o.ClientCertFile, KeyFile: o.ClientKeyFile,
	}, nil
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("bad built-in URL %q: %v", s, err))
	}
	return *u
}

// HasEtcdData reports whether dir (an etcd data dir) holds a member that
// wrote its write-ahead log, the only state etcd restarts from. A member
// directory without one is the trace of a first start that died early:
// etcd would treat it as empty and bootstrap a cluster of its own, so a
// joining server must discard it and join again instead.
func HasEtcdData(dir string) bool {
	wals, _ := filepath.Glob(filepath.Join(dir, "member", "wal", "*.wal"))
	return len(wals) > 0
}
