package cluster

import (
	"context"
	"errors"
	"fmt"
)

// DeleteNodes deletes nodes, one at a time: each server's etcd membership
// change must be complete before the next starts. Every name that cannot
// be deleted is reported; the others are deleted.
func (p *Provider) DeleteNodes(ctx context.Context, o NodeDeleteOptions) error {
	refs, errs, err := p.resolveNodes(ctx, o.Cluster, o.Names)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if err := p.deleteNode(ctx, r.Cluster, r.Node.Name); err != nil {
			errs = append(errs, fmt.Errorf("node %s: %w", r.Node.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Provider) deleteNode(ctx context.Context, cluster, name string) error {
	// Read the cluster again: an earlier deletion changed it.
	cl, err := p.Get(ctx, cluster)
	if err != nil {
		return err
	}
	n, ok := cl.node(name)
	if !ok {
		return fmt.Errorf("not found in cluster %s (see `mini node list`)", cluster)
	}
	if err := checkDeletable(cl, n); err != nil {
		return err
	}
	err = p.runSteps(ctx, []step{{"Deleting " + n.Role + " " + n.Name, func(ctx context.Context) error {
		return p.removeNode(ctx, cl, n, true, map[string]bool{n.Name: true})
	}}})
	if err == nil && n.Role == RoleServer {
		if w := serverCountWarning(len(cl.Servers) - 1); w != "" {
			p.log.Warnf("cluster %s: %s", cl.Name, w)
		}
	}
	return err
}

// checkDeletable refuses deletions that would break the cluster.
func checkDeletable(cl Cluster, n Node) error {
	switch {
	case n.Role == RoleLoadBalancer:
		return fmt.Errorf("%s is the load balancer of cluster %s; it goes with the cluster: `mini cluster delete %s`", n.Name, cl.Name, cl.Name)
	case n.Role != RoleServer:
		return nil
	case len(cl.Servers) == 1:
		return fmt.Errorf("%s is the last server of cluster %s; delete the whole cluster with `mini cluster delete %s`", n.Name, cl.Name, cl.Name)
	case cl.LoadBalancer == nil && n.Index == 0:
		return fmt.Errorf("%s publishes the API of cluster %s, which has no load balancer (--no-lb), so it cannot be deleted", n.Name, cl.Name)
	}
	// Removing an etcd member takes a quorum of the members there are now,
	// and the server to delete stops first.
	members, up := len(cl.Servers), Running(cl.Servers)
	if n.Running {
		up--
	}
	if need := quorum(members); up < need {
		hint := "start the stopped servers first"
		if members == 2 {
			hint = fmt.Sprintf("add a server first (`mini node create NAME --cluster %s --role server`), then delete this one", cl.Name)
		}
		return fmt.Errorf("deleting server %s would leave etcd without quorum: %d of its %d members would run and removing a member needs %d; %s",
			n.Name, up, members, need, hint)
	}
	return nil
}
