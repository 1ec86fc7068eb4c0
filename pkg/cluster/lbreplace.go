package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/minictl/mini/pkg/loadbalancer"
	"github.com/minictl/mini/pkg/runtime"
)

// replaceLB swaps the load balancer for one publishing the ports next.
// Docker cannot change a container's published ports, but the load
// balancer holds no state, so a new one is cheap:
//
//  1. the old one is renamed aside (Namer.LoadBalancerReplaced) and
//     stopped, freeing its name, fixed IP and host ports;
//  2. the new one is created with the same name, IP and settings, the new
//     ports and labels, seeded with its config and started;
//  3. its config is applied, which proves nginx runs it (exit code);
//  4. only then the old one is removed.
//
// On any failure, or Ctrl-C, the new one is removed and the old one
// renamed back and started again: the API is interrupted only for the
// swap, a few seconds. A stopped load balancer (stopped cluster) is
// started for the check and stopped again.
func (p *Provider) replaceLB(ctx context.Context, cl Cluster, old runtime.Container, next []PortSpec) error {
	n := Namer{Cluster: cl.Name}
	name, aside := n.LoadBalancer(), n.LoadBalancerReplaced()
	wasRunning := cl.LoadBalancer.Running
	labels := maps.Clone(old.Labels)
	labels[LabelVersion] = p.version
	spec := lbContainer(name, old.Image, labels[LabelNetwork], labels[LabelIP], labels, cl.API, next)
	spec.Env, spec.Mounts = old.Env, old.Mounts
	keepPickedPorts(spec.Ports, cl.LoadBalancer.published)

	oldCfg, _, err := lbConfig(cl)
	if err != nil {
		return err
	}
	edited := cl
	edited.Ports = strings.Fields(formatPorts(next))
	cfg, idle, err := lbConfig(edited)
	if err != nil {
		return err
	}
	// Render now: a config nginx cannot take fails before anything moves.
	if _, err := loadbalancer.Render(cfg); err != nil {
		return err
	}
	p.warnIdle(name, idle)

	steps := []step{
		{"Setting load balancer " + name + " aside as " + aside, func(ctx context.Context) error {
			if err := p.rt.RenameContainer(ctx, name, aside); err != nil {
				return err
			}
			if !wasRunning {
				return nil
			}
			// Clients reconnect to the new load balancer.
			return p.rt.StopContainer(ctx, aside, lbStopTimeout)
		}},
		{"Starting load balancer " + name + " with ports " + describePorts(next), func(ctx context.Context) error {
			if _, err := p.rt.CreateContainer(ctx, spec); err != nil {
				return err
			}
			if err := loadbalancer.Seed(ctx, p.rt, name, cfg); err != nil {
				return err
			}
			return p.rt.StartContainer(ctx, name)
		}},
		{"Applying the load balancer config", func(ctx context.Context) error {
			return loadbalancer.Apply(ctx, p.rt, name, cfg)
		}},
	}
	if !wasRunning {
		steps = append(steps, step{"Stopping " + name + " again, as cluster " + cl.Name + " is stopped", func(ctx context.Context) error {
			return p.rt.StopContainer(ctx, name, lbStopTimeout)
		}})
	}
	steps = append(steps, step{"Removing the old load balancer " + aside, func(ctx context.Context) error {
		return p.rt.RemoveContainer(ctx, aside, runtime.RemoveOptions{Force: true})
	}})
	err = p.runSteps(ctx, steps)
	if err == nil {
		return nil
	}
	what := "editing the ports of cluster " + cl.Name
	if ctx.Err() != nil {
		what += " was interrupted"
	}
	p.log.Warnf("rolling back: bringing back the old load balancer %s", name)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if rerr := p.restoreLB(rctx, name, aside, wasRunning, oldCfg); rerr != nil {
		return errors.Join(fmt.Errorf("%s: %w", what, err),
			fmt.Errorf("bringing back the old load balancer failed too (it may be left as %s): %w", aside, rerr))
	}
	return fmt.Errorf("%s: %w; the old load balancer %s is back with its previous ports", what, err, name)
}

// restoreLB undoes replaceLB from whatever state it stopped in: while the
// old container is aside, anything under its name is the new one.
func (p *Provider) restoreLB(ctx context.Context, name, aside string, wasRunning bool, oldCfg loadbalancer.Config) error {
	if _, err := p.rt.InspectContainer(ctx, aside); err == nil {
		if err := p.rt.RemoveContainer(ctx, name, runtime.RemoveOptions{Force: true}); err != nil && !runtime.IsNotFound(err) {
			return err
		}
		if err := p.rt.RenameContainer(ctx, aside, name); err != nil {
			return err
		}
	} else if !runtime.IsNotFound(err) {
		return err
	}
	if !wasRunning {
		return nil
	}
	if err := p.rt.StartContainer(ctx, name); err != nil {
		return err
	}
	return loadbalancer.Apply(ctx, p.rt, name, oldCfg)
}

// keepPickedPorts pins the host ports the engine picked for the old load
// balancer (ports given without a host port) in the new one's mappings,
// so replacing it moves none of the ports that stay. A stopped load
// balancer publishes nothing: its ports are picked afresh, as any start
// would.
func keepPickedPorts(ms, was []runtime.PortMapping) {
	for i, m := range ms {
		if m.HostPort != 0 {
			continue
		}
		for _, w := range was {
			if w.ContainerPort == m.ContainerPort && w.HostIP == m.HostIP && (w.Protocol == m.Protocol || w.Protocol == "" && m.Protocol == "tcp") {
				ms[i].HostPort = w.HostPort
				break
			}
		}
	}
}

// lbStopTimeout bounds a load balancer's shutdown: nginx stops gracefully,
// waiting for every proxied connection to end, and kubectl watches and
// keep-alive clients through it never do; it holds no state worth the
// wait. In an edit it keeps the API's absence to a second or two.
const lbStopTimeout = time.Second
