package cluster

import (
	"context"
	"fmt"
	"strconv"

	"github.com/minictl/mini/pkg/loadbalancer"
)

// apiLBConfig fronts the API port of every server address given.
func apiLBConfig(serverIPs []string) loadbalancer.Config {
	r := loadbalancer.Route{ListenPort: APIContainerPort}
	for _, ip := range serverIPs {
		r.Backends = append(r.Backends, ip+":"+strconv.Itoa(APIContainerPort))
	}
	return loadbalancer.Config{Routes: []loadbalancer.Route{r}}
}

// lbConfig renders the load balancer config from a cluster's labels,
// leaving out the servers named in exclude. Stopped servers stay in: the
// load balancer skips a dead backend by itself, and they come back.
func lbConfig(cl Cluster, exclude ...string) loadbalancer.Config {
	skip := map[string]bool{}
	for _, e := range exclude {
		skip[e] = true
	}
	var ips []string
	for _, s := range cl.Servers {
		if !skip[s.Name] {
			ips = append(ips, s.IP)
		}
	}
	return apiLBConfig(ips)
}

// syncLB makes the load balancer follow the cluster's servers: it renders
// the config from the server containers there are now (but exclude) and
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
	cfg := lbConfig(cl, exclude...)
	if len(cfg.Routes[0].Backends) == 0 {
		return fmt.Errorf("load balancer %s: no server left to send the API to", lb.Name)
	}
	return loadbalancer.Apply(ctx, p.rt, lb.Name, cfg)
}
