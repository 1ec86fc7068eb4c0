package cluster

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// KubeClient returns a client for the cluster behind cfg. The default
// dials the API with client-go; tests pass a fake clientset.
type KubeClient func(cfg *clientcmdapi.Config) (kubernetes.Interface, error)

// WithKubeClient replaces how clients for the Kubernetes API are made (tests).
func WithKubeClient(f KubeClient) Option { return func(p *Provider) { p.kubeClient = f } }

// apiRequestTimeout bounds one API request, so a dead endpoint costs a
// retry, not a hang.
const apiRequestTimeout = 5 * time.Second

// newKubeClient builds a client-go clientset from a kubeconfig.
func newKubeClient(cfg *clientcmdapi.Config) (kubernetes.Interface, error) {
	rc, err := clientcmd.NewDefaultClientConfig(*cfg, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("building a client from the cluster's kubeconfig: %w", err)
	}
	rc.Timeout = apiRequestTimeout
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("building a client from the cluster's kubeconfig: %w", err)
	}
	return cs, nil
}

// clusterClient connects to the cluster's API (as published on this host)
// with the admin kubeconfig of a running server not in skip, waiting at
// most timeout (0: as long as ctx lasts) for that server to have written it.
func (p *Provider) clusterClient(ctx context.Context, cl Cluster, skip map[string]bool, timeout time.Duration) (kubernetes.Interface, error) {
	cfg, err := p.clusterKubeconfig(ctx, cl, skip, timeout)
	if err != nil {
		return nil, err
	}
	return p.kubeClient(cfg)
}

// clusterKubeconfig is the admin kubeconfig behind clusterClient.
func (p *Provider) clusterKubeconfig(ctx context.Context, cl Cluster, skip map[string]bool, timeout time.Duration) (*clientcmdapi.Config, error) {
	server := firstRunning(cl.Servers, skip)
	if server == "" {
		return nil, fmt.Errorf("cluster %s has no running server to read a kubeconfig from", cl.Name)
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	return p.fetchKubeconfig(ctx, Namer{Cluster: cl.Name}, server, cl.API, deadline)
}

// waitAPI polls until the API answers a read of the node list, which goes
// to etcd: when it answers, the servers have quorum and nodes can join.
func (p *Provider) waitAPI(ctx context.Context, cs kubernetes.Interface, url string, deadline time.Time) error {
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	for {
		_, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the API at %s to answer (last error: %v): %w", url, err, ctx.Err())
		case <-time.After(p.poll):
		}
	}
}
