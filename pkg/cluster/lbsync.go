package cluster

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/loadbalancer"
)

// lbRoutes is the load balancer config for nodes: the API of every server
// first (Routes[0]), then each proxied port to the nodes it selects. A
// port that selects no node (its agents were deleted) is left out and
// returned in idle: nginx cannot forward to nobody, and the port stays
// published, refusing connections, until a matching node is added.
func lbRoutes(nodes []Node, ports []PortSpec) (cfg loadbalancer.Config, idle []PortSpec) {
	api := loadbalancer.Route{ListenPort: APIContainerPort}
	for _, n := range nodes {
		if n.Role == RoleServer {
			api.Backends = append(api.Backends, n.IP+":"+strconv.Itoa(APIContainerPort))
		}
	}
	cfg.Routes = []loadbalancer.Route{api}
	var done []PortSpec
	for _, s := range ports {
		// Host ports that share a forwarding share its route.
		if slices.ContainsFunc(done, func(d PortSpec) bool { return sameForwarding(d, s) }) {
			continue
		}
		done = append(done, s)
		r := loadbalancer.Route{ListenPort: s.ContainerPort, Protocol: s.Protocol}
		if s.Count > 1 {
			r.LastPort = s.ContainerPort + s.Count - 1
		}
		for _, n := range nodes {
			if !s.Matches(n.Role, n.Index) {
				continue
			}
			if r.IsRange() {
				r.Backends = append(r.Backends, n.IP)
			} else {
				r.Backends = append(r.Backends, n.IP+":"+strconv.Itoa(s.ContainerPort))
			}
		}
		if len(r.Backends) == 0 {
			idle = append(idle, s)
			continue
		}
		cfg.Routes = append(cfg.Routes, r)
	}
	return cfg, idle
}

// lbConfig renders the load balancer config from a cluster's labels,
// leaving out the nodes named in exclude. Stopped nodes stay in: the load
// balancer skips a dead backend by itself, and they come back.
func lbConfig(cl Cluster, exclude ...string) (loadbalancer.Config, []PortSpec, error) {
	ports, err := parsePortLabel(strings.Join(cl.Ports, " "))
	if err != nil {
		return loadbalancer.Config{}, nil, fmt.Errorf("load balancer of cluster %s: %w", cl.Name, err)
	}
	skip := map[string]bool{}
	for _, e := range exclude {
		skip[e] = true
	}
	var nodes []Node
	for _, n := range append(append([]Node(nil), cl.Servers...), cl.Agents...) {
		if !skip[n.Name] {
			nodes = append(nodes, n)
		}
	}
	cfg, idle := lbRoutes(nodes, ports)
	return cfg, idle, nil
}

// lbFronts reports whether the load balancer sends traffic to the node,
// so adding or removing it must render its config again: every server
// serves the API, and any node can be the backend of a proxied port.
func (c Cluster) lbFronts(role string, index int) bool {
	if c.LoadBalancer == nil {
		return false
	}
	if role == RoleServer {
		return true
	}
	ports, err := parsePortLabel(strings.Join(c.Ports, " "))
	if err != nil {
		return true // the sync reports it
	}
	for _, s := range ports {
		if s.Matches(role, index) {
			return true
		}
	}
	return false
}

// syncLB makes the load balancer follow the cluster's nodes: it renders
// the config from the node containers there are now (but exclude) and
// applies it in place. A stopped load balancer is left alone: start
// applies the config when it starts it.
func (p *Provider) syncLB(ctx context.Context, name string, exclude ...string) error {
	cl, err := p.Get(ctx, name)
	if err != nil {
		return err
	}
	lb := cl.LoadBalancer
	if lb == nil {
		return nil
	}
	if !lb.Running {
		p.log.Debugf("load balancer %s is %s; its config is applied when it starts", lb.Name, lb.State)
		return nil
	}
	cfg, idle, err := lbConfig(cl, exclude...)
	if err != nil {
		return err
	}
	if len(cfg.Routes[0].Backends) == 0 {
		return fmt.Errorf("load balancer %s: no server left to send the API to", lb.Name)
	}
	p.warnIdle(lb.Name, idle)
	return loadbalancer.Apply(ctx, p.rt, lb.Name, cfg)
}

// warnIdle says which ports the load balancer publishes but cannot
// forward, as their filter selects no node now.
func (p *Provider) warnIdle(lb string, idle []PortSpec) {
	for _, s := range idle {
		p.log.Warnf("load balancer %s: %s goes to no node now (filter %s), so it refuses connections until a matching node is added", lb, s.owner(), s.Nodes)
	}
}
