package agent

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/group"
	"github.com/minictl/mini/images/node/internal/hostprep"
)

// RunJoined runs an agent node that joins cfg.ServerURL: the same
// containerd, image preload, kubelet, kube-proxy and pod network a server's
// own agent runs, with credentials from Join instead of local signing.
func RunJoined(ctx context.Context, cfg *config.Agent) error {
	// Read --private-registry first: a bad file stops the node before
	// anything has started.
	opts, err := ContainerdOptionsFor(cfg)
	if err != nil {
		return err
	}
	if err := hostprep.Prepare(); err != nil {
		return fmt.Errorf("prepare node: %w", err)
	}
	cd, err := StartContainerd(ctx, opts)
	if err != nil {
		return err
	}
	defer cd.Stop()
	imported := make(chan error, 1)
	go func() { imported <- ImportImages(ctx, cfg.DataDir, config.ContainerdSocket) }()
	creds, err := Join(ctx, cfg)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return cd.Wait(ctx) })
	g.Go(func() error {
		// Agents take the k3s defaults for the cluster's networks; a server
		// with other --cluster-cidr/--cluster-dns values needs agents
		// started with the same (see docs/node-image.md).
		return Run(ctx, Options{Config: cfg, ClusterDNS: config.DefaultClusterDNS,
			ClusterDomain: config.DefaultClusterDomain, ClusterCIDR: config.DefaultClusterCIDR,
			Creds: creds, ImagesImported: imported})
	})
	return group.Wait(ctx, g, group.StopGrace)
}
