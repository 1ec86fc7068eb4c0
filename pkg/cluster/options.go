package cluster

import (
	"time"
)

// Limits on node counts; each node's fixed IP is an offset in a /24
// (servers from .10, agents from .100), see ipplan.go.
const (
	MaxServers = 89
	MaxAgents  = 150
)

// DefaultTimeout bounds the waits of create and start: a node is Ready in
// well under a minute on a 2-core machine; 3 minutes leaves room for a
// loaded host without hanging a script forever.
const DefaultTimeout = 3 * time.Minute

// CreateOptions describe a cluster to create. The CLI fills it from flags;
// Validate (called by Create) reports every problem at once.
type CreateOptions struct {
	Name string
	// Servers > 1 makes an HA cluster on embedded etcd: server 0 starts it
	// with --cluster-init and the others join through the load balancer.
	Servers int
	Agents  int
	// Image is the node image; LBImage the load balancer image.
	Image   string
	LBImage string
	// APIPort is "[HOST:]PORT"; empty picks a free port on 127.0.0.1.
	APIPort string
	// Token joins nodes; empty generates one.
	Token string
	// Wait until the cluster is usable (see Usable: every node Ready and
	// schedulable, the default ServiceAccount, CoreDNS answering), up to
	// Timeout (which also bounds the wait for the kubeconfig when Wait is
	// off).
	Wait    bool
	Timeout time.Duration
	NoLB    bool
	// NoRollback keeps what was created when create fails, for debugging.
	NoRollback bool
	// UpdateKubeconfig merges the cluster into the user's kubeconfig;
	// SwitchContext also makes it the current context.
	UpdateKubeconfig bool
	SwitchContext    bool
	// Network is an existing network to join instead of creating one;
	// Subnet a CIDR for the network mini creates.
	Network string
	Subnet  string
	// Env (K=V), Volumes (SRC:DEST[:ro]), NodeLabels (K=V) and K3sArgs each
	// take an optional "@FILTER" suffix selecting nodes.
	Env        []string
	Volumes    []string
	NodeLabels []string
	K3sArgs    []string
	// Ports are --port values,
	// [HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp][@FILTER[:direct|:proxy]]
	// (see ParsePort).
	Ports []string
	// HostAliases are --host-alias values, IP:NAME[,NAME]: /etc/hosts
	// entries on every node, answered by CoreDNS for pods too.
	HostAliases []string
	// ServersMemory and AgentsMemory limit node memory ("512m", "2g").
	ServersMemory string
	AgentsMemory  string
	// RegistryCreate are --registry-create values, NAME[:[HOST:]PORT]: a
	// registry made for (and deleted with) this cluster.
	RegistryCreate []string
	// RegistryUse are --registry-use values, NAME[:PORT]: existing
	// registries (mini registry create) the nodes pull from.
	RegistryUse []string
	// RegistryConfig is a k3s registries.yaml file (mirrors, endpoints,
	// auth, TLS) applied to every node's containerd.
	RegistryConfig string
	// RegistryImage is the image of registries made with RegistryCreate.
	RegistryImage string
	// ImageRepository holds the default images (empty: the one this
	// build of mini names, version.ImageRepository); Image, LBImage and
	// RegistryImage left empty are taken from it.
	ImageRepository string
	// Pull says when images are pulled (empty: PullMissing).
	Pull PullPolicy
}

// StartOptions tune start and restart.
type StartOptions struct {
	// Wait until every node is back and Ready and CoreDNS answers again.
	Wait    bool
	Timeout time.Duration
}

// NodeCreateOptions describe nodes to add to a running cluster. Everything
// else a node needs (image, token, network, API address, datastore) comes
// from the labels of the cluster's containers.
type NodeCreateOptions struct {
	// Name is the base name: replica i is the container
	// mini-CLUSTER-NAME-i (Namer.NodeName(Name, i)).
	Name    string
	Cluster string
	// Role is RoleServer or RoleAgent.
	Role     string
	Replicas int
	// Memory limits each node's memory ("512m", "2g"); empty: no limit.
	Memory string
	// K3sArgs are extra arguments for the node process.
	K3sArgs []string
	// Wait for the new nodes to be Ready and untainted, up to Timeout (which also bounds
	// each wait for an added server to join etcd).
	Wait    bool
	Timeout time.Duration
	// Pull says when the cluster's node image is pulled (empty:
	// PullMissing).
	Pull PullPolicy
}

// EditOptions change a cluster's load balancer ports. Both lists take
// --port values; PortDelete matches the ports there are by their host
// side (address, host port and protocol).
type EditOptions struct {
	Name       string
	PortAdd    []string
	PortDelete []string
}

// NodeDeleteOptions name nodes to delete.
type NodeDeleteOptions struct {
	// Names are container names; with Cluster set, names relative to the
	// cluster (server-1 for mini-dev-server-1) work too.
	Names   []string
	Cluster string
}
