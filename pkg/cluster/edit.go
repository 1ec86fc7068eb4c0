package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/minictl/mini/pkg/runtime"
)

// Edit changes the ports a cluster's load balancer publishes. The engine
// cannot add published ports to a container, so the load balancer is
// replaced (see replaceLB); everything is checked before that starts.
// Only ports through the load balancer can change: a node's direct ports
// were set when it was created, and replacing a node would cost its state.
func (p *Provider) Edit(ctx context.Context, o EditOptions) error {
	if err := ValidateName(o.Name); err != nil {
		return err
	}
	if len(o.PortAdd)+len(o.PortDelete) == 0 {
		return errors.New("nothing to change: give --port-add or --port-delete")
	}
	cl, err := p.Get(ctx, o.Name)
	if err != nil {
		return err
	}
	n := Namer{Cluster: cl.Name}
	if cl.LoadBalancer == nil {
		return fmt.Errorf("cluster %s has no load balancer (it was created with --no-lb): its ports are published by server 0, and a node's ports can only be set at create", cl.Name)
	}
	if _, err := p.rt.InspectContainer(ctx, n.LoadBalancerReplaced()); err == nil {
		return fmt.Errorf("container %s is left from an interrupted `mini cluster edit %s`: if %s runs, remove it (docker rm -f %s); if not, rename it back (docker rename %s %s)",
			n.LoadBalancerReplaced(), cl.Name, n.LoadBalancer(), n.LoadBalancerReplaced(), n.LoadBalancerReplaced(), n.LoadBalancer())
	} else if !runtime.IsNotFound(err) {
		return err
	}
	old, err := p.rt.InspectContainer(ctx, n.LoadBalancer())
	if err != nil {
		return err
	}
	current, err := parsePortLabel(old.Labels[LabelPorts])
	if err != nil {
		return err
	}
	next, added, err := planEdit(cl, current, o)
	if err != nil {
		return err
	}
	info, err := p.rt.Info(ctx)
	if err != nil {
		return err
	}
	if info.Local {
		// The old load balancer's own ports are free once it is stopped.
		ours := map[string]bool{}
		for _, m := range cl.LoadBalancer.published {
			ours[strconv.Itoa(m.HostPort)+"/"+m.Protocol] = true
		}
		var binds []hostBind
		for _, s := range added {
			binds = append(binds, s.hostBind())
		}
		held := func(port int, proto string) bool { return ours[strconv.Itoa(port)+"/"+proto] }
		if err := checkHostPorts(binds, held); err != nil {
			return fmt.Errorf("invalid options for cluster %q:\n%w", cl.Name, err)
		}
	}
	return p.replaceLB(ctx, cl, old, next)
}

// planEdit applies o to the ports there are and checks the result, all
// problems at once: it returns the new list and the ports added.
func planEdit(cl Cluster, current []PortSpec, o EditOptions) (next, added []PortSpec, err error) {
	var errs []error
	nodes := append(append([]Node(nil), cl.Servers...), cl.Agents...)
	// Filter indexes are checked against the highest index there is: nodes
	// added and deleted leave gaps.
	servers, agents := 0, 0
	for _, n := range nodes {
		if n.Role == RoleServer {
			servers = max(servers, n.Index+1)
		} else {
			agents = max(agents, n.Index+1)
		}
	}
	next = append([]PortSpec(nil), current...)
	for _, v := range o.PortDelete {
		d, err := parsePort(v, MaxServers, MaxAgents, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("--port-delete %q: %w", v, err))
			continue
		}
		i := matchHostSide(next, d)
		if i < 0 {
			errs = append(errs, fmt.Errorf("--port-delete %q: cluster %s has no such port (%s on %s); its ports: %s",
				v, cl.Name, d.hostSide(), d.HostIP, describePorts(current)))
			continue
		}
		next = append(next[:i], next[i+1:]...)
	}
	for _, v := range o.PortAdd {
		s, err := parsePort(v, servers, agents, true)
		if err == nil && s.Direct {
			err = errors.New("a :direct port is published by a node container, and a node's ports can only be set at create (mini cluster create -p); edit changes the load balancer's ports only")
		}
		if err == nil {
			err = s.checkTargets(nodes)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--port-add %q: %w", v, err))
			continue
		}
		s.flag = "--port-add"
		added = append(added, s)
		next = append(next, s)
	}
	// Direct ports of the nodes are theirs for good: an added port must
	// not take one.
	var others []hostBind
	for _, n := range nodes {
		for _, m := range n.published {
			others = append(others, hostBind{IP: m.HostIP, First: m.HostPort, Last: m.HostPort, Proto: m.Protocol, Owner: "node " + n.Name})
		}
	}
	errs = append(errs, portProblems(next, cl.API, others)...)
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("invalid options for cluster %q:\n%w", cl.Name, err)
	}
	return next, added, nil
}

// matchHostSide finds the port with d's host side: address, protocol and
// host ports; a d without host port finds the port whose host port the
// engine picks, by its container port. It returns -1 for none.
func matchHostSide(specs []PortSpec, d PortSpec) int {
	for i, s := range specs {
		if s.HostIP != d.HostIP || s.Protocol != d.Protocol || s.HostPort != d.HostPort {
			continue
		}
		if d.HostPort != 0 && s.Count == d.Count || d.HostPort == 0 && s.ContainerPort == d.ContainerPort {
			return i
		}
	}
	return -1
}

// hostSide describes what matchHostSide looks for.
func (s PortSpec) hostSide() string {
	if s.HostPort == 0 {
		return "a host port the engine picks for container port " + portRange(s.ContainerPort, s.Count) + "/" + s.Protocol
	}
	return "host port " + portRange(s.HostPort, s.Count) + "/" + s.Protocol
}

func describePorts(specs []PortSpec) string {
	if len(specs) == 0 {
		return "none"
	}
	return formatPorts(specs)
}
