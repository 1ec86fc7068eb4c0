package cluster

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/kubeconfig"
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

	base := func(role string, index int, name, ip string) map[string]string {
		l := clusterSelector(o.Name)
		l[LabelRole] = role
		l[LabelIndex] = strconv.Itoa(index)
		l[LabelIP] = ip
		l[LabelNetwork] = netName
		l[LabelNetworkExternal] = strconv.FormatBool(p.ExternalNetwork)
		l[LabelAPIHost] = o.api.Host
		l[LabelAPIPort] = strconv.Itoa(o.api.Port)
		l[LabelImage] = o.Image
		l[LabelToken] = in.Token
		l[LabelVersion] = in.Version
		return l
	}
	server0 := "https://" + ips.Server(0) + ":" + strconv.Itoa(APIContainerPort)
	node := func(role string, i int) plannedNode {
		name, ip, mem := n.NodeName(role, i), ips.Server(i), o.serverMem
		if role == RoleAgent {
			ip, mem = ips.Agent(i), o.agentMem
		}
		spec := runtime.ContainerSpec{
			Name: name, Hostname: name, Image: o.Image, Labels: base(role, i, name, ip),
			Network: netName, IP: ip,
			Env:  []string{"K3S_TOKEN=" + in.Token},
			Init: true, CgroupnsPrivate: true, RestartPolicy: "unless-stopped",
			// tmpfs for runtime state that must not survive a restart
			// (stale pid files and sockets would confuse the node).
			Tmpfs:       []string{"/run", "/var/run", "/tmp"},
			Mounts:      []runtime.Mount{{Type: runtime.MountVolume, Source: n.Volume(name), Target: dataDir}},
			MemoryBytes: mem,
		}
		applyPrivileged(&spec, in.Privileged)
		cmd := []string{role, "--node-name", name}
		if role == RoleServer {
			cmd = append(cmd, "--tls-san", n.LoadBalancer(), "--tls-san", o.api.ClientHost(), "--tls-san", name,
				"--write-kubeconfig", kubeconfig.NodePath)
			if o.api.Host != o.api.ClientHost() {
				cmd = append(cmd, "--tls-san", o.api.Host)
			}
			switch {
			case i == 0 && o.Servers > 1:
				cmd = append(cmd, "--cluster-init")
			case i > 0:
				cmd = append(cmd, "--server", server0)
			}
			if i == 0 && o.NoLB {
				spec.Ports = []runtime.PortMapping{{HostIP: o.api.Host, HostPort: o.api.Port, ContainerPort: APIContainerPort}}
			}
		} else {
			spec.Env = append(spec.Env, "K3S_URL="+server0)
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
				cmd = append(cmd, "--node-label", f.Value)
			}
		}
		for _, f := range o.k3sArgs {
			if f.Matches(role, i) {
				cmd = append(cmd, f.Value)
			}
		}
		spec.Cmd = cmd
		return plannedNode{Role: role, Index: i, Spec: spec, Volume: n.Volume(name)}
	}
	route := loadbalancer.Route{ListenPort: APIContainerPort}
	for i := 0; i < o.Servers; i++ {
		p.Servers = append(p.Servers, node(RoleServer, i))
		route.Backends = append(route.Backends, ips.Server(i)+":"+strconv.Itoa(APIContainerPort))
	}
	for i := 0; i < o.Agents; i++ {
		p.Agents = append(p.Agents, node(RoleAgent, i))
	}
	if !o.NoLB {
		p.LBConfig = loadbalancer.Config{Routes: []loadbalancer.Route{route}}
		name := n.LoadBalancer()
		spec := runtime.ContainerSpec{
			Name: name, Hostname: name, Image: o.LBImage, Labels: base(RoleLoadBalancer, 0, name, ips.LoadBalancer()),
			Network: netName, IP: ips.LoadBalancer(), RestartPolicy: "unless-stopped",
			Ports: []runtime.PortMapping{{HostIP: o.api.Host, HostPort: o.api.Port, ContainerPort: APIContainerPort}},
		}
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
