package cluster

import (
	"context"
	"fmt"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/kubeconfig"
)

// Kubeconfig returns the cluster's kubeconfig for this host, read from
// the first running server (waiting up to timeout for it to be written; 0 waits forever).
func (p *Provider) Kubeconfig(ctx context.Context, name string, timeout time.Duration) (*clientcmdapi.Config, error) {
	cl, err := p.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	server := firstRunning(cl.Servers, nil)
	if server == "" {
		return nil, fmt.Errorf("cluster %s has no running server; start the cluster with `mini cluster start %s`", name, name)
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	return p.fetchKubeconfig(ctx, Namer{Cluster: name}, server, cl.API, deadline)
}

// MergeKubeconfig merges the cluster's kubeconfig into output, or into the
// user's kubeconfig files (kubectl's rules) when output is empty. It
// returns the file written.
func (p *Provider) MergeKubeconfig(ctx context.Context, name, output string, switchContext bool, timeout time.Duration) (string, error) {
	cfg, err := p.Kubeconfig(ctx, name, timeout)
	if err != nil {
		return "", err
	}
	store := p.kube
	if output != "" {
		store.Paths = kubeconfig.Paths{Explicit: output}
	}
	return store.Merge(cfg, names(Namer{Cluster: name}), switchContext)
}
