package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/minictl/mini/pkg/runtime"
)

// maxHostname is the longest host name label: a node's container name is
// also its host name and Kubernetes node name.
const maxHostname = 63

// parse checks every option and reports all problems at once; it returns
// the memory limit in bytes.
func (o NodeCreateOptions) parse() (int64, error) {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(wrapFlag("--cluster", ValidateName(o.Cluster)))
	switch last := (Namer{Cluster: o.Cluster}).NodeName(o.Name, max(o.Replicas, 1)-1); {
	case o.Name == "":
		add(errors.New("node name is empty"))
	case !nameRE.MatchString(o.Name):
		add(fmt.Errorf("node name %q is invalid: use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit", o.Name))
	case len(last) > maxHostname:
		add(fmt.Errorf("node name %q is too long: container %s would have %d characters, and a host name at most %d", o.Name, last, len(last), maxHostname))
	}
	if o.Role != RoleServer && o.Role != RoleAgent {
		add(fmt.Errorf("--role %q: want server or agent", o.Role))
	}
	if o.Replicas < 1 {
		add(fmt.Errorf("--replicas %d: want at least 1", o.Replicas))
	}
	if o.Timeout < 0 {
		add(fmt.Errorf("--timeout %s is negative", o.Timeout))
	}
	for _, a := range o.K3sArgs {
		if a == "" {
			add(errors.New("--k3s-arg: empty argument"))
		}
	}
	_, err := ParsePullPolicy(string(o.Pull))
	add(err)
	mem, err := parseMemory("--memory", o.Memory)
	add(err)
	if err := errors.Join(errs...); err != nil {
		return 0, invalidOptions("node", o.Name, err)
	}
	return mem, nil
}

// datastoreOf reads the datastore label of a cluster's container. Clusters
// made before the label existed could only have one server, which used
// SQLite unless given --cluster-init through --k3s-arg (rare enough to
// refuse: the node image would refuse the join anyway).
func datastoreOf(labels map[string]string, servers int) string {
	if ds := labels[LabelDatastore]; ds != "" {
		return ds
	}
	if servers > 1 {
		return DatastoreEtcd
	}
	return DatastoreSQLite
}

// planNodes computes the containers `mini node create` adds, from the
// cluster's labels, checking everything before anything is created.
func (p *Provider) planNodes(ctx context.Context, o NodeCreateOptions, mem int64) (Cluster, []plannedNode, error) {
	cl, err := p.Get(ctx, o.Cluster)
	if err != nil {
		return Cluster{}, nil, err
	}
	if len(cl.Servers) == 0 {
		return Cluster{}, nil, fmt.Errorf("cluster %s has no server container left; delete and create it again", cl.Name)
	}
	tmpl, err := p.rt.InspectContainer(ctx, cl.Servers[0].Name)
	if err != nil {
		return Cluster{}, nil, err
	}
	l := tmpl.Labels
	if err := p.checkJoin(ctx, cl, o, l); err != nil {
		return Cluster{}, nil, err
	}
	n := Namer{Cluster: cl.Name}
	names := make([]string, o.Replicas)
	for i := range names {
		names[i] = n.NodeName(o.Name, i)
		if _, err := p.rt.InspectContainer(ctx, names[i]); err == nil {
			return Cluster{}, nil, fmt.Errorf("container %s already exists: pick another node name", names[i])
		} else if !runtime.IsNotFound(err) {
			return Cluster{}, nil, err
		}
	}
	network := l[LabelNetwork]
	nw, err := p.rt.InspectNetwork(ctx, network)
	if err != nil {
		return Cluster{}, nil, fmt.Errorf("network %s of cluster %s: %w", network, cl.Name, err)
	}
	if len(nw.Subnets) == 0 {
		return Cluster{}, nil, fmt.Errorf("network %s of cluster %s has no IPv4 subnet", network, cl.Name)
	}
	ips, err := newIPPlan(nw.Subnets[0])
	if err != nil {
		return Cluster{}, nil, err
	}
	indexes, err := p.freeIndexes(ctx, cl, o.Role, o.Replicas, network, ips)
	if err != nil {
		return Cluster{}, nil, err
	}
	info, err := p.rt.Info(ctx)
	if err != nil {
		return Cluster{}, nil, err
	}
	// The cluster's own image, by the reference it was created with: a
	// host that has since lost it pulls it again.
	if err := p.ensureImages(ctx, o.Pull, []neededImage{{l[LabelImage], "node image of cluster " + cl.Name}}); err != nil {
		return Cluster{}, nil, err
	}
	privileged, err := p.detectPrivileged(ctx, info, l[LabelImage])
	if err != nil {
		return Cluster{}, nil, err
	}
	aliases, err := hostAliasesFromLabel(l[LabelHostAliases])
	if err != nil {
		return Cluster{}, nil, err
	}
	base := nodeBase{
		Namer: n, Image: l[LabelImage], Token: l[LabelToken], Version: p.version, Network: network,
		External: l[LabelNetworkExternal] == "true", API: cl.API, Datastore: cl.Datastore, Privileged: privileged,
		JoinURL: joinURL(n, cl.LoadBalancer != nil, ips), HostAliases: aliases,
	}
	nodes := make([]plannedNode, o.Replicas)
	for i, idx := range indexes {
		ip := ips.Server(idx)
		if o.Role == RoleAgent {
			ip = ips.Agent(idx)
		}
		nodes[i] = base.node(o.Role, idx, names[i], ip, true)
		nodes[i].Spec.MemoryBytes = mem
		nodes[i].Spec.Cmd = append(nodes[i].Spec.Cmd, o.K3sArgs...)
	}
	return cl, nodes, nil
}

// checkJoin refuses nodes the cluster cannot take, before anything exists.
func (p *Provider) checkJoin(ctx context.Context, cl Cluster, o NodeCreateOptions, l map[string]string) error {
	if o.Role == RoleServer {
		switch cl.Datastore {
		case DatastoreEtcd:
		case DatastoreSQLite:
			return fmt.Errorf("cluster %s was created with one server, which keeps the cluster state in SQLite: a SQLite server cannot share it with more servers. "+
				"For several servers create the cluster with --servers 3 (embedded etcd); agents can still be added with --role agent", cl.Name)
		default:
			return fmt.Errorf("cluster %s keeps its state in a %s datastore; mini adds servers only to clusters on embedded etcd (created with --servers 3)", cl.Name, cl.Datastore)
		}
		if total := len(cl.Servers) + o.Replicas; total > MaxServers {
			return fmt.Errorf("--replicas %d: cluster %s would have %d servers; the maximum is %d", o.Replicas, cl.Name, total, MaxServers)
		}
	} else if total := len(cl.Agents) + o.Replicas; total > MaxAgents {
		return fmt.Errorf("--replicas %d: cluster %s would have %d agents; the maximum is %d", o.Replicas, cl.Name, total, MaxAgents)
	}
	// New nodes join through the load balancer, or server 0 without one.
	target := cl.LoadBalancer
	if target == nil {
		target = &cl.Servers[0]
	}
	if !target.Running {
		return fmt.Errorf("cluster %s is not running (%s is %s): start it with `mini cluster start %s`", cl.Name, target.Name, target.State, cl.Name)
	}
	if l[LabelToken] == "" {
		return fmt.Errorf("cluster %s: container %s has no join token label %s", cl.Name, cl.Servers[0].Name, LabelToken)
	}
	return nil
}

// freeIndexes picks the n lowest indexes of role that no node of the
// cluster uses and whose fixed address no container on the network holds
// (an external --network may hold others' containers).
func (p *Provider) freeIndexes(ctx context.Context, cl Cluster, role string, n int, network string, ips ipPlan) ([]int, error) {
	all, err := p.rt.ListContainers(ctx, nil)
	if err != nil {
		return nil, err
	}
	usedIP := map[string]bool{}
	for _, c := range all {
		usedIP[c.IPs[network]] = true
		if c.Labels[LabelNetwork] == network {
			// A stopped container reports no address, but keeps its fixed one.
			usedIP[c.Labels[LabelIP]] = true
		}
	}
	nodes, limit, at := cl.Servers, MaxServers, ips.Server
	if role == RoleAgent {
		nodes, limit, at = cl.Agents, MaxAgents, ips.Agent
	}
	usedIndex := map[int]bool{}
	for _, x := range nodes {
		usedIndex[x.Index] = true
	}
	var out []int
	for i := 0; i < limit && len(out) < n; i++ {
		if !usedIndex[i] && !usedIP[at(i)] {
			out = append(out, i)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("cluster %s: no free %s address left on network %s for %d more node(s)", cl.Name, role, network, n)
	}
	return out, nil
}
