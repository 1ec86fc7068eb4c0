package cluster

import (
	"context"
	"fmt"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/loadbalancer"
)

// StopTimeout is how long a node gets to shut down before it is killed.
const StopTimeout = 30 * time.Second

// Start starts a stopped cluster. Fixed IPs in the container settings give
// every node its old address back (etcd peers and certificates name them).
//
// The order: the load balancer first, so every node that joins through it
// finds it. Then the servers in index order, without waiting for any API
// in between: server 0 of an etcd cluster cannot serve until a majority of
// the members is back, so waiting for its API before starting server 1
// would wait forever. (A single server needs nobody.) Then a wait until
// the API answers through the load balancer (or server 0 without one),
// proof that the control plane has quorum; only then the agents, together,
// so their kubelets register at once instead of backing off against a
// control plane still electing a leader. With Wait, every node Ready last.
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
	// The timeout covers the waits, which start once every server runs.
	var deadline time.Time
	var steps []step
	if lb := cl.LoadBalancer; lb != nil {
		// Re-apply the config rendered from the labels, so a load balancer
		// whose config was lost or edited fronts the right servers again.
		steps = append(steps, step{"Starting load balancer " + lb.Name, func(ctx context.Context) error {
			return p.startLB(ctx, cl, *lb)
		}})
	}
	for _, n := range cl.Servers {
		if !n.Running {
			steps = append(steps, step{"Starting " + n.Name, func(ctx context.Context) error {
				return p.rt.StartContainer(ctx, n.Name)
			}})
		}
	}
	var agents []string
	for _, n := range cl.Agents {
		if !n.Running {
			agents = append(agents, n.Name)
		}
	}
	var kcfg *clientcmdapi.Config
	if len(agents) > 0 || opts.Wait {
		steps = append(steps, step{"Waiting for the API at " + cl.API.URL(), func(ctx context.Context) error {
			if opts.Timeout > 0 {
				deadline = time.Now().Add(opts.Timeout)
			}
			var err error
			kcfg, err = p.fetchKubeconfig(ctx, Namer{Cluster: name}, cl.Servers[0].Name, cl.API, deadline)
			if err != nil || len(agents) == 0 {
				// Without agents to start, the Ready wait below is the API wait.
				return err
			}
			cs, err := p.kubeClient(kcfg)
			if err != nil {
				return err
			}
			return p.waitAPI(ctx, cs, cl.API.URL(), deadline)
		}})
	}
	if len(agents) > 0 {
		steps = append(steps, step{fmt.Sprintf("Starting %d agent(s)", len(agents)), func(ctx context.Context) error {
			return parallel(agents, func(n string) error { return p.rt.StartContainer(ctx, n) })
		}})
	}
	if opts.Wait {
		u := Usable{Since: since, Workloads: true, DNS: DNSIfDeployed}
		for _, n := range append(append([]Node(nil), cl.Servers...), cl.Agents...) {
			u.Nodes = append(u.Nodes, n.Name)
			if !n.Running {
				u.Restarted = append(u.Restarted, n.Name)
			}
		}
		steps = append(steps, step{"Waiting until the cluster is usable: " + u.describe(), func(ctx context.Context) error {
			return p.waitFor(ctx, kcfg, u, deadline)
		}})
	}
	return p.runSteps(ctx, steps)
}

// startLB starts a cluster's load balancer if it is stopped and applies
// the config rendered from the cluster's labels.
func (p *Provider) startLB(ctx context.Context, cl Cluster, lb Node) error {
	if !lb.Running {
		if err := p.rt.StartContainer(ctx, lb.Name); err != nil {
			return err
		}
	}
	cfg, idle, err := lbConfig(cl)
	if err != nil {
		return err
	}
	p.warnIdle(lb.Name, idle)
	return loadbalancer.Apply(ctx, p.rt, lb.Name, cfg)
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
		timeout := StopTimeout
		if n.Role == RoleLoadBalancer {
			timeout = lbStopTimeout
		}
		steps = append(steps, step{"Stopping " + n.Name, func(ctx context.Context) error {
			return p.rt.StopContainer(ctx, n.Name, timeout)
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
