package cluster

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/minictl/mini/pkg/loadbalancer"
	"github.com/minictl/mini/pkg/runtime"
)

// APIContainerPort is the port every server's API server listens on.
const APIContainerPort = 6443

// dataDir is the node's data directory (mini-node's --data-dir default):
// certificates, datastore and containerd images, kept on a volume so they
// survive restarts.
const dataDir = "/var/lib/mini"

// plannedNode is one container to create.
type plannedNode struct {
	Role   string
	Index  int
	Spec   runtime.ContainerSpec
	Volume string // data volume, empty for the load balancer
	// Files are written into the container (paths relative to /) between
	// its creation and its start: the registries.yaml.
	Files map[string][]byte
}

// plan is everything Create makes, computed up front by a pure function.
type plan struct {
	Namer   Namer
	Network runtime.NetworkSpec
	// ExternalNetwork is true with --network: the network is joined, not
	// created or removed.
	ExternalNetwork bool
	Servers         []plannedNode
	Agents          []plannedNode
	LB              *plannedNode
	LBConfig        loadbalancer.Config
	API             APIEndpoint
	// Registries are the registries the cluster creates and uses.
	Registries registryPlan
	// EngineLocal is true when the engine runs on this host (Info.Local).
	EngineLocal bool
}

// nodes lists the node containers in start order.
func (p plan) nodes() []plannedNode {
	return append(append([]plannedNode(nil), p.Servers...), p.Agents...)
}

// planInput is what buildPlan needs besides the options.
type planInput struct {
	Subnet     string
	Privileged bool
	Token      string
	Version    string
}

// buildPlan computes every container, network and volume of a cluster.
func buildPlan(o parsedOptions, in planInput) (plan, error) {
	ips, err := newIPPlan(in.Subnet)
	if err != nil {
		return plan{}, err
	}
	n := Namer{Cluster: o.Name}
	netName := n.Network()
	if o.Network != "" {
		netName = o.Network
	}
	p := plan{Namer: n, API: o.api, ExternalNetwork: o.Network != ""}
	p.Network = runtime.NetworkSpec{Name: netName, Subnet: in.Subnet, Gateway: ips.Gateway(), Labels: clusterSelector(o.Name)}
	base := nodeBase{
		Namer: n, Image: o.Image, Token: in.Token, Version: in.Version, Network: netName, External: p.ExternalNetwork,
		API: o.api, Datastore: planDatastore(o), Privileged: in.Privileged, JoinURL: joinURL(n, !o.NoLB, ips),
		HostAliases: o.aliases,
	}
	node := func(role string, i int) plannedNode {
		ip, mem := ips.Server(i), o.serverMem
		if role == RoleAgent {
			ip, mem = ips.Agent(i), o.agentMem
		}
		// Server 0 starts the cluster; every other node joins it.
		pn := base.node(role, i, n.NodeName(role, i), ip, role == RoleAgent || i > 0)
		spec := &pn.Spec
		spec.MemoryBytes = mem
		if role == RoleServer && i == 0 {
			if o.Servers > 1 {
				spec.Cmd = append(spec.Cmd, "--cluster-init")
			}
			if o.NoLB {
				spec.Ports = []runtime.PortMapping{{HostIP: o.api.Host, HostPort: o.api.Port, ContainerPort: APIContainerPort}}
			}
		}
		for _, f := range o.env {
			if f.Matches(role, i) {
				spec.Env = append(spec.Env, f.Value)
			}
		}
		for _, f := range o.volumes {
			if f.Matches(role, i) {
				spec.Mounts = append(spec.Mounts, volumeMount(f.Value))
			}
		}
		for _, f := range o.labels {
			if f.Matches(role, i) {
				spec.Cmd = append(spec.Cmd, "--node-label", f.Value)
			}
		}
		for _, f := range o.k3sArgs {
			if f.Matches(role, i) {
				spec.Cmd = append(spec.Cmd, f.Value)
			}
		}
		var direct []PortSpec
		for _, s := range o.ports {
			if s.Direct && s.Matches(role, i) {
				direct = append(direct, s)
				spec.Ports = append(spec.Ports, s.mappings()...)
			}
		}
		if len(direct) > 0 {
			spec.Labels[LabelPorts] = formatPorts(direct)
		}
		return pn
	}
	for i := 0; i < o.Servers; i++ {
		p.Servers = append(p.Servers, node(RoleServer, i))
	}
	for i := 0; i < o.Agents; i++ {
		p.Agents = append(p.Agents, node(RoleAgent, i))
	}
	if !o.NoLB {
		var proxied []PortSpec
		for _, s := range o.ports {
			if !s.Direct {
				proxied = append(proxied, s)
			}
		}
		var nodes []Node
		for _, pn := range p.nodes() {
			nodes = append(nodes, Node{Name: pn.Spec.Name, Role: pn.Role, Index: pn.Index, IP: pn.Spec.IP})
		}
		// Create refused ports that match no node, so none is idle here.
		p.LBConfig, _ = lbRoutes(nodes, proxied)
		spec := lbContainer(n.LoadBalancer(), o.LBImage, netName, ips.LoadBalancer(), base.labels(RoleLoadBalancer, 0, ips.LoadBalancer()), o.api, proxied)
		for _, f := range o.env {
			if f.Matches(RoleLoadBalancer, 0) {
				spec.Env = append(spec.Env, f.Value)
			}
		}
		for _, f := range o.volumes {
			if f.Matches(RoleLoadBalancer, 0) {
				spec.Mounts = append(spec.Mounts, volumeMount(f.Value))
			}
		}
		p.LB = &plannedNode{Role: RoleLoadBalancer, Spec: spec}
	}
	return p, nil
}

// lbContainer is the load balancer's container, publishing the API and
// every proxied port. It records the ports in labels (LabelPorts, set in
// place), so every later render of its config forwards them again.
func lbContainer(name, image, network, ip string, labels map[string]string, api APIEndpoint, ports []PortSpec) runtime.ContainerSpec {
	spec := runtime.ContainerSpec{
		Name: name, Hostname: name, Image: image, Labels: labels,
		Network: network, IP: ip, RestartPolicy: "unless-stopped",
		Ports: []runtime.PortMapping{{HostIP: api.Host, HostPort: api.Port, ContainerPort: APIContainerPort}},
	}
	delete(spec.Labels, LabelPorts)
	if len(ports) > 0 {
		spec.Labels[LabelPorts] = formatPorts(ports)
	}
	for _, s := range ports {
		spec.Ports = append(spec.Ports, s.mappings()...)
	}
	return spec
}

// planDatastore tells what server 0 will store the cluster state in, from
// its command line and environment as planned: several servers always
// mean embedded etcd; one server uses SQLite unless told otherwise.
func planDatastore(o parsedOptions) string {
	if o.Servers > 1 {
		return DatastoreEtcd
	}
	ds := DatastoreSQLite
	for _, f := range o.k3sArgs {
		if !f.Matches(RoleServer, 0) {
			continue
		}
		switch {
		case f.Value == "--cluster-init" || f.Value == "--cluster-init=true":
			ds = DatastoreEtcd
		case strings.HasPrefix(f.Value, "--datastore-endpoint"):
			return DatastoreExternal
		}
	}
	for _, f := range o.env {
		if !f.Matches(RoleServer, 0) {
			continue
		}
		switch k, v, _ := strings.Cut(f.Value, "="); {
		case k == "K3S_CLUSTER_INIT" && v == "true":
			ds = DatastoreEtcd
		case k == "K3S_DATASTORE_ENDPOINT" && v != "":
			return DatastoreExternal
		}
	}
	return ds
}

// planCoreDNS tells whether server 0 will deploy CoreDNS: yes unless its
// command line, as planned, says --disable coredns (one argument or two).
func planCoreDNS(o parsedOptions) bool {
	var args []string
	for _, f := range o.k3sArgs {
		if f.Matches(RoleServer, 0) {
			args = append(args, f.Value)
		}
	}
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--disable=")
		if !ok && a == "--disable" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if ok && slices.Contains(strings.Split(v, ","), "coredns") {
			return false
		}
	}
	return true
}

// volumeMount turns "SRC:DEST[:ro]" into a mount: an absolute or relative
// path is a bind mount, a bare name a named volume.
func volumeMount(v string) runtime.Mount {
	parts := strings.Split(v, ":")
	m := runtime.Mount{Type: runtime.MountVolume, Source: parts[0], Target: parts[1]}
	if strings.ContainsRune(parts[0], '/') || strings.HasPrefix(parts[0], ".") {
		m.Type = runtime.MountBind
		if abs, err := filepath.Abs(parts[0]); err == nil {
			m.Source = abs
		}
	}
	m.ReadOnly = len(parts) == 3 && parts[2] == "ro"
	return m
}

// describe is a one-line summary for logs.
func (p plan) describe() string {
	lb := "no load balancer"
	if p.LB != nil {
		lb = "load balancer " + p.LB.Spec.Name
	}
	return fmt.Sprintf("%d server(s), %d agent(s), %s, network %s (%s), API %s", len(p.Servers), len(p.Agents), lb, p.Network.Name, p.Network.Subnet, p.API.URL())
}
