package cluster

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// Node is one container of a cluster, rebuilt from its labels.
type Node struct {
	Name    string `json:"name" yaml:"name"`
	Role    string `json:"role" yaml:"role"`
	Index   int    `json:"index" yaml:"index"`
	IP      string `json:"ip" yaml:"ip"`
	State   string `json:"state" yaml:"state"`
	Running bool   `json:"running" yaml:"running"`
	// Ports are the host ports the container publishes now, as the engine
	// reports them (so a port it picked shows its number), e.g.
	// "127.0.0.1:8080->80/tcp"; a stopped container publishes none.
	Ports []string `json:"ports,omitempty" yaml:"ports,omitempty"`

	// published is Ports as the engine's mappings.
	published []runtime.PortMapping
}

// Cluster is a cluster as rebuilt from its containers' labels.
type Cluster struct {
	Name            string      `json:"name" yaml:"name"`
	Servers         []Node      `json:"servers" yaml:"servers"`
	Agents          []Node      `json:"agents" yaml:"agents"`
	LoadBalancer    *Node       `json:"loadBalancer,omitempty" yaml:"loadBalancer,omitempty"`
	API             APIEndpoint `json:"api" yaml:"api"`
	Network         string      `json:"network" yaml:"network"`
	ExternalNetwork bool        `json:"externalNetwork" yaml:"externalNetwork"`
	Image           string      `json:"image" yaml:"image"`
	// Datastore is where the servers keep the cluster state: etcd (any
	// number of servers), sqlite (one server) or external.
	Datastore string `json:"datastore" yaml:"datastore"`
	// Ports are the --port mappings through the load balancer, in
	// canonical form (see PortSpec.String); the load balancer's config is
	// rendered from them. Direct ports show in the nodes' Ports.
	Ports []string `json:"ports,omitempty" yaml:"ports,omitempty"`
}

// Nodes lists the load balancer, servers and agents, in start order.
func (c Cluster) Nodes() []Node {
	var out []Node
	if c.LoadBalancer != nil {
		out = append(out, *c.LoadBalancer)
	}
	out = append(out, c.Servers...)
	return append(out, c.Agents...)
}

// node returns the cluster's node with that container name.
func (c Cluster) node(name string) (Node, bool) {
	for _, n := range c.Nodes() {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// Running counts running nodes of a role.
func Running(nodes []Node) int {
	n := 0
	for _, x := range nodes {
		if x.Running {
			n++
		}
	}
	return n
}

// List returns the clusters with the given names (all when none is given),
// sorted by name. A name with no containers is an ErrNotFound.
func (p *Provider) List(ctx context.Context, names ...string) ([]Cluster, error) {
	cs, err := p.rt.ListContainers(ctx, map[string]string{LabelApp: AppName})
	if err != nil {
		return nil, err
	}
	byName := group(cs)
	if len(names) == 0 {
		out := make([]Cluster, 0, len(byName))
		for _, c := range byName {
			out = append(out, c)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	out := make([]Cluster, 0, len(names))
	for _, n := range names {
		c, ok := byName[n]
		if !ok {
			return nil, &notFoundError{name: n}
		}
		out = append(out, c)
	}
	return out, nil
}

// Get returns one cluster.
func (p *Provider) Get(ctx context.Context, name string) (Cluster, error) {
	cs, err := p.List(ctx, name)
	if err != nil {
		return Cluster{}, err
	}
	return cs[0], nil
}

// notFoundError names a missing cluster, or registry when kind says so.
type notFoundError struct{ kind, name string }

func (e *notFoundError) Error() string {
	kind := e.kind
	if kind == "" {
		kind = "cluster"
	}
	return kind + " " + strconv.Quote(e.name) + " not found (see `mini " + kind + " list`)"
}
func (e *notFoundError) Unwrap() error { return ErrNotFound }

// group rebuilds clusters from labelled containers.
func group(cs []runtime.Container) map[string]Cluster {
	out := map[string]Cluster{}
	for _, c := range cs {
		l := c.Labels
		name := l[LabelCluster]
		if name == "" || l[LabelRole] == "" {
			continue // e.g. a probe container
		}
		cl := out[name]
		cl.Name = name
		cl.Network = l[LabelNetwork]
		cl.ExternalNetwork = l[LabelNetworkExternal] == "true"
		cl.Image = l[LabelImage]
		cl.Datastore = l[LabelDatastore]
		cl.API.Host = l[LabelAPIHost]
		cl.API.Port, _ = strconv.Atoi(l[LabelAPIPort])
		idx, _ := strconv.Atoi(l[LabelIndex])
		n := Node{Name: c.Name, Role: l[LabelRole], Index: idx, IP: l[LabelIP], State: c.State, Running: c.Running,
			Ports: publishedPorts(c.Ports), published: c.Ports}
		switch n.Role {
		case RoleServer:
			cl.Servers = append(cl.Servers, n)
		case RoleAgent:
			cl.Agents = append(cl.Agents, n)
		case RoleLoadBalancer:
			// While `cluster edit` replaces the load balancer, the old one
			// lives on under another name; the one with the proper name is
			// the cluster's.
			if cl.LoadBalancer == nil || c.Name == (Namer{Cluster: name}).LoadBalancer() {
				cl.LoadBalancer = &n
				cl.Ports = strings.Fields(l[LabelPorts])
			}
		}
		out[name] = cl
	}
	for name, cl := range out {
		sort.Slice(cl.Servers, func(i, j int) bool { return cl.Servers[i].Index < cl.Servers[j].Index })
		sort.Slice(cl.Agents, func(i, j int) bool { return cl.Agents[i].Index < cl.Agents[j].Index })
		if cl.Datastore == "" {
			cl.Datastore = datastoreOf(nil, len(cl.Servers))
		}
		out[name] = cl
	}
	return out
}

// publishedPorts writes the engine's port mappings the way `docker ps`
// does, consecutive ports folded into ranges:
// "127.0.0.1:30000-30100->30000-30100/tcp".
func publishedPorts(ms []runtime.PortMapping) []string {
	ms = append([]runtime.PortMapping(nil), ms...)
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.HostIP != b.HostIP {
			return a.HostIP < b.HostIP
		}
		return a.HostPort < b.HostPort
	})
	var out []string
	for i := 0; i < len(ms); {
		j := i + 1
		for j < len(ms) && ms[j].Protocol == ms[i].Protocol && ms[j].HostIP == ms[i].HostIP && ms[i].HostPort != 0 &&
			ms[j].HostPort == ms[i].HostPort+(j-i) && ms[j].ContainerPort == ms[i].ContainerPort+(j-i) {
			j++
		}
		proto := ms[i].Protocol
		if proto == "" {
			proto = "tcp"
		}
		host := net.JoinHostPort(ms[i].HostIP, portRange(ms[i].HostPort, j-i))
		out = append(out, host+"->"+portRange(ms[i].ContainerPort, j-i)+"/"+proto)
		i = j
	}
	return out
}
