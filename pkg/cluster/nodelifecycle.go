package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// nodeRef is a node found by name, with the cluster it belongs to.
type nodeRef struct {
	Cluster string
	Node    Node
}

// resolveNodes finds the nodes named by names: container names, or with
// cluster set, names relative to it too (server-1 for mini-dev-server-1).
// Names that match nothing are reported in errs, all of them; err is set
// only when nothing could be looked up.
func (p *Provider) resolveNodes(ctx context.Context, cluster string, names []string) (refs []nodeRef, errs []error, err error) {
	if cluster != "" {
		if err := ValidateName(cluster); err != nil {
			return nil, nil, wrapFlag("--cluster", err)
		}
	}
	cs, err := p.rt.ListContainers(ctx, map[string]string{LabelApp: AppName})
	if err != nil {
		return nil, nil, err
	}
	byCluster := group(cs)
	if _, ok := byCluster[cluster]; cluster != "" && !ok {
		return nil, nil, &notFoundError{name: cluster}
	}
	index := map[string]nodeRef{}
	for name, cl := range byCluster {
		for _, n := range cl.Nodes() {
			index[n.Name] = nodeRef{Cluster: name, Node: n}
		}
	}
	seen := map[string]bool{}
	for _, name := range names {
		ref, ok := index[name]
		if !ok && cluster != "" {
			ref, ok = index[Namer{Cluster: cluster}.Qualify(name)]
		}
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("node %s not found (see `mini node list`)", strconv.Quote(name)))
		case cluster != "" && ref.Cluster != cluster:
			errs = append(errs, fmt.Errorf("node %s belongs to cluster %s, not %s", ref.Node.Name, ref.Cluster, cluster))
		case !seen[ref.Node.Name]:
			seen[ref.Node.Name] = true
			refs = append(refs, ref)
		}
	}
	return refs, errs, nil
}

// sortForStart orders nodes as a cluster starts: load balancer, servers by
// index, agents by index.
func sortForStart(refs []nodeRef) {
	rank := map[string]int{RoleLoadBalancer: 0, RoleServer: 1, RoleAgent: 2}
	sort.SliceStable(refs, func(i, j int) bool {
		a, b := refs[i].Node, refs[j].Node
		if rank[a.Role] != rank[b.Role] {
			return rank[a.Role] < rank[b.Role]
		}
		return a.Index < b.Index
	})
}

// StartNodes starts stopped nodes, in cluster start order (load balancer,
// servers, agents). A load balancer gets its config rendered again from
// the servers there are now.
func (p *Provider) StartNodes(ctx context.Context, cluster string, names []string) error {
	refs, errs, err := p.resolveNodes(ctx, cluster, names)
	if err != nil {
		return err
	}
	sortForStart(refs)
	for _, r := range refs {
		n := r.Node
		err := p.runSteps(ctx, []step{{"Starting " + n.Name, func(ctx context.Context) error {
			if n.Role != RoleLoadBalancer {
				return p.rt.StartContainer(ctx, n.Name)
			}
			cl, err := p.Get(ctx, r.Cluster)
			if err != nil {
				return err
			}
			return p.startLB(ctx, cl, n)
		}}})
		if err != nil {
			errs = append(errs, fmt.Errorf("node %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// StopNodes stops nodes in the reverse of start order, each given
// StopTimeout to shut down. Stopping servers until etcd loses its quorum
// is allowed (it is how one tests HA) but warned about.
func (p *Provider) StopNodes(ctx context.Context, cluster string, names []string) error {
	refs, errs, err := p.resolveNodes(ctx, cluster, names)
	if err != nil {
		return err
	}
	sortForStart(refs)
	slices.Reverse(refs)
	for _, r := range refs {
		n := r.Node
		if n.Role == RoleServer && n.Running {
			p.warnQuorum(ctx, r.Cluster, n.Name)
		}
		err := p.runSteps(ctx, []step{{"Stopping " + n.Name, func(ctx context.Context) error {
			return p.rt.StopContainer(ctx, n.Name, StopTimeout)
		}}})
		if err != nil {
			errs = append(errs, fmt.Errorf("node %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// warnQuorum warns when stopping server name leaves fewer servers running
// than etcd's quorum.
func (p *Provider) warnQuorum(ctx context.Context, cluster, name string) {
	cl, err := p.Get(ctx, cluster)
	if err != nil || len(cl.Servers) < 2 {
		return
	}
	up := 0
	for _, s := range cl.Servers {
		if s.Running && s.Name != name {
			up++
		}
	}
	if need := quorum(len(cl.Servers)); up < need {
		p.log.Warnf("stopping %s leaves %d of %d servers of cluster %s running; etcd needs %d, so the API stops answering until enough servers run again",
			name, up, len(cl.Servers), cl.Name, need)
	}
}
