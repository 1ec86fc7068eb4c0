package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/datastore"
	"github.com/minictl/mini/images/node/internal/discover"
	"github.com/minictl/mini/images/node/internal/token"
)

// fetchBundle installs the cluster's CAs and service-account key on a
// server started with --server, before it makes any certificate: the CA is
// pinned by the token's hash (discover), then the sealed bundle is read
// with the bootstrap token. A server that has its CAs from an earlier
// start keeps them.
func fetchBundle(ctx context.Context, cfg *config.Server) error {
	dir := config.PathsFor(cfg.DataDir).ServerTLS()
	if _, err := os.Stat(filepath.Join(dir, "server-ca.crt")); err == nil {
		return nil
	}
	tok, err := token.Parse(cfg.Token)
	if err != nil {
		return fmt.Errorf("--token: %w", err)
	}
	info, err := discover.ClusterInfo(ctx, cfg.ServerURL, tok)
	if err != nil {
		return err
	}
	id, secret := tok.Bootstrap()
	client := discover.HTTPClient(info.Pool)
	url := cfg.ServerURL + "/api/v1/namespaces/kube-system/secrets/" + BundleSecret
	// The first server publishes the bundle once its API is up; until then
	// this answers 403 or 404, so keep asking.
	b, err := discover.Retry(ctx, "server bundle from "+cfg.ServerURL, func(ctx context.Context) (bundle, error) {
		body, err := discover.Get(ctx, client, url, id+"."+secret)
		if err != nil {
			return bundle{}, err
		}
		var s corev1.Secret
		if err := json.Unmarshal(body, &s); err != nil {
			return bundle{}, fmt.Errorf("server bundle: %w", err)
		}
		b, err := openBundle(s.Data[bundleKey], tok)
		if err != nil {
			return bundle{}, discover.Permanent(err)
		}
		return b, nil
	})
	if err != nil {
		return err
	}
	if err := joinable(cfg, b.Datastore); err != nil {
		return err
	}
	klog.InfoS("Took over the cluster's CAs", "server", cfg.ServerURL, "datastore", b.Datastore)
	return writeBundle(dir, b)
}

// joinable refuses a join that would silently fork the cluster: a SQLite
// file cannot be shared, and an embedded-etcd joiner needs an etcd to join.
func joinable(cfg *config.Server, kind datastore.Kind) error {
	switch {
	case kind == datastore.SQLite:
		return fmt.Errorf("--server %s: that server keeps its state in SQLite, which only one server can use; "+
			"start the first server with --cluster-init (embedded etcd) to run several servers (mini: create the cluster with --servers 3)", cfg.ServerURL)
	case cfg.EmbeddedEtcd() && kind != datastore.EmbeddedEtcd:
		return fmt.Errorf("--server %s: that server uses an external datastore (%s), not embedded etcd; "+
			"give this server the same --datastore-endpoint", cfg.ServerURL, kind)
	}
	return nil
}

// joinEtcd adds this server to the cluster's etcd as a learner and returns
// the initial cluster it must start with and the other members' client
// endpoints, or "" when its member already has data (a restart: etcd knows
// its peers from its own store).
func joinEtcd(ctx context.Context, cfg *config.Server, t *TLS) (string, []string, error) {
	etcdDir := filepath.Join(config.PathsFor(cfg.DataDir).DB(), "etcd")
	if datastore.HasEtcdData(etcdDir) {
		return "", nil, nil
	}
	// A first start that died before etcd wrote its log (a loaded machine,
	// a crash) leaves a member directory etcd would bootstrap a new
	// cluster from: drop it; AddMember reuses the learner already added.
	if _, err := os.Stat(filepath.Join(etcdDir, "member")); err == nil {
		klog.InfoS("Discarding an unfinished etcd join", "dir", etcdDir)
		if err := os.RemoveAll(etcdDir); err != nil {
			return "", nil, fmt.Errorf("discard unfinished etcd data: %w", err)
		}
	}
	endpoints, err := otherEtcdEndpoints(ctx, cfg, t)
	if err != nil {
		return "", nil, err
	}
	c, err := t.etcdClient(endpoints...)
	if err != nil {
		return "", nil, err
	}
	defer c.Close()
	klog.InfoS("Joining etcd", "endpoints", endpoints, "peerURL", datastore.PeerURL(cfg.NodeIP))
	initial, err := datastore.AddMember(ctx, c, cfg.NodeName, datastore.PeerURL(cfg.NodeIP))
	return initial, endpoints, err
}

// promoteEtcd makes this server's member a voter if it still is a learner:
// after its first start, or after a restart that came between start and
// promotion. The apiserver must wait for it, as a learner serves no
// client requests.
func promoteEtcd(ctx context.Context, cfg *config.Server, t *TLS, endpoints []string) error {
	local, err := t.etcdClient(datastore.LocalEndpoint)
	if err != nil {
		return err
	}
	defer local.Close()
	learner, err := datastore.IsLearner(ctx, local, datastore.LocalEndpoint)
	if err != nil || !learner {
		return err
	}
	if len(endpoints) == 0 {
		if endpoints, err = otherEtcdEndpoints(ctx, cfg, t); err != nil {
			return err
		}
	}
	c, err := t.etcdClient(endpoints...)
	if err != nil {
		return err
	}
	defer c.Close()
	return datastore.Promote(ctx, c, datastore.PeerURL(cfg.NodeIP))
}

// otherEtcdEndpoints finds the other members' client URLs: every server
// runs an apiserver and an etcd member on its node IP, so the kubernetes
// Service's endpoints name them.
func otherEtcdEndpoints(ctx context.Context, cfg *config.Server, t *TLS) ([]string, error) {
	rc := &rest.Config{Host: cfg.ServerURL, TLSClientConfig: rest.TLSClientConfig{
		CAFile: t.ServerCA.CertPath, CertFile: t.Admin.CertPath, KeyFile: t.Admin.KeyPath}}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", cfg.ServerURL, err)
	}
	return discover.Retry(ctx, "apiserver endpoints from "+cfg.ServerURL, func(ctx context.Context) ([]string, error) {
		return etcdEndpoints(ctx, cs, cfg.NodeIP)
	})
}

func etcdEndpoints(ctx context.Context, cs kubernetes.Interface, self string) ([]string, error) {
	slices, err := cs.DiscoveryV1().EndpointSlices(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=kubernetes"})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			for _, a := range e.Addresses {
				if a != self {
					out = append(out, datastore.ClientURL(a))
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no apiserver endpoints listed yet")
	}
	return out, nil
}
