package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/minictl/mini/pkg/loadbalancer"
)

// StopTimeout is how long a node gets to shut down before it is killed.
const StopTimeout = 30 * time.Second

// Start starts a stopped cluster: the load balancer, then servers in index
// order (server 0 holds the datastore others join), then agents. Fixed IPs
// in the container settings give every node its old address back.
func (p *Provider) Start(ctx context.Context, name string, opts StartOptions) error {
	cl, err := p.Get(ctx, name)
	if err != nil {
		return err
	}
	if len(cl.Servers) == 0 {
		return fmt.Errorf("cluster %s has no server container left; delete and create it again", name)
	}
	// Lease renewals after this moment prove a kubelet came back; the
	// second of slack covers the API server's clock granularity.
	since := time.Now().Add(-time.Second)
	var steps []step
	for _, n := range cl.Nodes() {
		if n.Running {
			continue
		}
		steps = append(steps, step{"Starting " + n.Name, func(ctx context.Context) error {
			return p.rt.StartContainer(ctx, n.Name)
		}})
	}
	if cl.LoadBalancer != nil {
		// Re-apply the config rendered from the labels, so a load balancer
		// whose config was lost or edited fronts the right servers again.
		steps = append(steps, step{"Configuring load balancer " + cl.LoadBalancer.Name, func(ctx context.Context) error {
			return loadbalancer.Apply(ctx, p.rt, cl.LoadBalancer.Name, lbConfig(cl))
		}})
	}
	if opts.Wait {
		want := len(cl.Servers) + len(cl.Agents)
		steps = append(steps, step{fmt.Sprintf("Waiting for %d node(s) to be Ready", want), func(ctx context.Context) error {
			var deadline time.Time
			if opts.Timeout > 0 {
				deadline = time.Now().Add(opts.Timeout)
			}
			kcfg, err := p.fetchKubeconfig(ctx, Namer{Cluster: name}, cl.Servers[0].Name, cl.API, deadline)
			if err != nil {
				return err
			}
			return p.waitNodes(ctx, kcfg, want, since, deadline)
		}})
	}
	return p.runSteps(ctx, steps)
}

// Stop stops a cluster in the reverse of start order: agents, servers from
// the highest index, then the load balancer, so the API stays reachable
// while the agents shut down.
func (p *Provider) Stop(ctx context.Context, name string) error {
	cl, err := p.Get(ctx, name)
	if err != nil {
		return err
	}
	nodes := cl.Nodes()
	var steps []step
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		if !n.Running {
			continue
		}
		steps = append(steps, step{"Stopping " + n.Name, func(ctx context.Context) error {
			return p.rt.StopContainer(ctx, n.Name, StopTimeout)
		}})
	}
	return p.runSteps(ctx, steps)
}

// Restart stops then starts a cluster.
func (p *Provider) Restart(ctx context.Context, name string, opts StartOptions) error {
	if err := p.Stop(ctx, name); err != nil {
		return err
	}
	return p.Start(ctx, name, opts)
}

// lbConfig renders the load balancer config from a cluster's labels.
func lbConfig(cl Cluster) loadbalancer.Config {
	r := loadbalancer.Route{ListenPort: APIContainerPort}
	for _, s := range cl.Servers {
		r.Backends = append(r.Backends, fmt.Sprintf("%s:%d", s.IP, APIContainerPort))
	}
	return loadbalancer.Config{Routes: []loadbalancer.Route{r}}
}
