package v1alpha1

// APIVersion and Kind identify a file of this schema.
const (
	APIVersion = "mini.dev/v1alpha1"
	Kind       = "Cluster"
)

// Cluster describes a cluster for `mini cluster create -c FILE`: every
// option the command takes as a flag. Fields left out take the command's
// defaults; flags and MINI_* environment variables override the file.
type Cluster struct {
	// Schema version of the file: mini.dev/v1alpha1.
	APIVersion string `json:"apiVersion" yaml:"apiVersion" jsonschema:"required,enum=mini.dev/v1alpha1"`
	// Kind of the file: Cluster.
	Kind string `json:"kind" yaml:"kind" jsonschema:"required,enum=Cluster"`
	// Metadata names the cluster.
	Metadata Metadata `json:"metadata,omitempty" yaml:"metadata,omitempty"`
	// Number of server (control-plane) nodes (--servers); more than 1 runs embedded etcd (use 3 for HA: 2 tolerate no failure).
	Servers *int `json:"servers,omitempty" yaml:"servers,omitempty" jsonschema:"default=1,minimum=1,maximum=89"`
	// Number of agent (worker) nodes; they join with the cluster token, CA pinned (--agents).
	Agents *int `json:"agents,omitempty" yaml:"agents,omitempty" jsonschema:"default=0,minimum=0,maximum=150"`
	// Registry path of mini's default images, mini-node, mini-lb and mini-registry, e.g. a mirror (--image-repository; default: where this mini version's images are published, ghcr.io/minictl).
	ImageRepository string `json:"imageRepository,omitempty" yaml:"imageRepository,omitempty"`
	// Node image (--image; default: IMAGEREPOSITORY/mini-node:<kubernetes version>-mini.<revision>, the image of this mini version).
	Image string `json:"image,omitempty" yaml:"image,omitempty"`
	// API says where the Kubernetes API is published on the host (--api-port HOST:PORT).
	API API `json:"api,omitempty" yaml:"api,omitempty"`
	// Cluster token the nodes join with (--token; default: random).
	Token string `json:"token,omitempty" yaml:"token,omitempty"`
	// Existing Docker network to join instead of creating mini-NAME (--network).
	Network string `json:"network,omitempty" yaml:"network,omitempty"`
	// IPv4 subnet of the network mini creates, at least a /24 (default: a free one in 172.30.0.0/16). Not with network (--subnet).
	Subnet string `json:"subnet,omitempty" yaml:"subnet,omitempty"`
	// LoadBalancer is the nginx container in front of the servers' API and the proxied ports.
	LoadBalancer LoadBalancer `json:"loadBalancer,omitempty" yaml:"loadBalancer,omitempty"`
	// Ports to publish on the host (--port).
	Ports []Port `json:"ports,omitempty" yaml:"ports,omitempty"`
	// Volumes or host paths to mount in nodes (--volume).
	Volumes []Volume `json:"volumes,omitempty" yaml:"volumes,omitempty"`
	// Environment variables of nodes (--env).
	Env []EnvVar `json:"env,omitempty" yaml:"env,omitempty"`
	// Kubernetes labels of nodes (--k3s-node-label).
	NodeLabels []NodeLabel `json:"nodeLabels,omitempty" yaml:"nodeLabels,omitempty"`
	// Extra arguments of the node process (--k3s-arg); without nodeFilters they go to servers only.
	K3sArgs []K3sArg `json:"k3sArgs,omitempty" yaml:"k3sArgs,omitempty"`
	// Extra /etc/hosts entries of every node, resolvable from pods too (--host-alias). host.mini.internal is always the Docker host.
	HostAliases []HostAlias `json:"hostAliases,omitempty" yaml:"hostAliases,omitempty"`
	// Memory limits of nodes.
	Memory Memory `json:"memory,omitempty" yaml:"memory,omitempty"`
	// Registries the nodes pull from.
	Registries Registries `json:"registries,omitempty" yaml:"registries,omitempty"`
	// Options of the create command itself: waiting, rollback, kubeconfig.
	Options Options `json:"options,omitempty" yaml:"options,omitempty"`
}

// Metadata names the cluster.
type Metadata struct {
	// Cluster name: at most 32 lower-case letters, digits and '-', starting with a letter. A NAME argument overrides it; default dev.
	Name string `json:"name,omitempty" yaml:"name,omitempty" jsonschema:"pattern=^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$"`
}

// API says where the Kubernetes API is published on the host (--api-port).
type API struct {
	// Host address the API is published on; 0.0.0.0 exposes it on every address.
	Host string `json:"host,omitempty" yaml:"host,omitempty" jsonschema:"default=127.0.0.1"`
	// Host port of the API (default: a free port).
	Port *int `json:"port,omitempty" yaml:"port,omitempty" jsonschema:"minimum=0,maximum=65535"`
}

// LoadBalancer is the nginx container in front of the servers.
type LoadBalancer struct {
	// Whether to run the load balancer; false publishes server 0's API directly (--no-lb).
	Enabled *bool `json:"enabled,omitempty" yaml:"enabled,omitempty" jsonschema:"default=true"`
	// Load balancer image (--lb-image; default: the image of this mini version).
	Image string `json:"image,omitempty" yaml:"image,omitempty"`
}

// Port is one port (or range) published on the host.
type Port struct {
	// [HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp], e.g. 8080:80, 0.0.0.0:5353:53/udp, 30000-30100. Quote it: YAML reads 8080:80 as a number otherwise.
	Port string `json:"port" yaml:"port" jsonschema:"required,type=string|integer"`
	// Nodes the port goes to: server:0, servers:*, agent:1,3, agents:2-4, loadbalancer, all; a :direct suffix publishes it on that one node instead of through the load balancer (default: through the load balancer to every node).
	NodeFilters []string `json:"nodeFilters,omitempty" yaml:"nodeFilters,omitempty"`
}

// Volume is one volume or host path mounted in nodes.
type Volume struct {
	// SOURCE:/container/path[:ro|rw]; SOURCE is a host path or a volume name.
	Volume string `json:"volume" yaml:"volume" jsonschema:"required"`
	// Nodes that mount it: server:0, servers:*, agent:1,3, agents:2-4, all (default: every node).
	NodeFilters []string `json:"nodeFilters,omitempty" yaml:"nodeFilters,omitempty"`
}

// EnvVar is one environment variable of nodes.
type EnvVar struct {
	// KEY=VALUE.
	EnvVar string `json:"envVar" yaml:"envVar" jsonschema:"required"`
	// Nodes that get it: server:0, servers:*, agent:1,3, agents:2-4, all (default: every node).
	NodeFilters []string `json:"nodeFilters,omitempty" yaml:"nodeFilters,omitempty"`
}

// NodeLabel is one Kubernetes label of nodes.
type NodeLabel struct {
	// KEY=VALUE.
	Label string `json:"label" yaml:"label" jsonschema:"required"`
	// Nodes that get it: server:0, servers:*, agent:1,3, agents:2-4, all (default: every node).
	NodeFilters []string `json:"nodeFilters,omitempty" yaml:"nodeFilters,omitempty"`
}

// K3sArg is one extra argument of the node process.
type K3sArg struct {
	// The argument, e.g. --disable=traefik.
	Arg string `json:"arg" yaml:"arg" jsonschema:"required"`
	// Nodes that get it: server:0, servers:*, agent:1,3, agents:2-4, all (default: every server, as a server flag breaks an agent).
	NodeFilters []string `json:"nodeFilters,omitempty" yaml:"nodeFilters,omitempty"`
}

// HostAlias is one /etc/hosts entry of every node.
type HostAlias struct {
	// IP address the names resolve to.
	IP string `json:"ip" yaml:"ip" jsonschema:"required"`
	// Host names.
	Hostnames []string `json:"hostnames" yaml:"hostnames" jsonschema:"required"`
}

// Memory limits node memory; the kubelet sees the limit.
type Memory struct {
	// Memory limit of each server, e.g. 2g (--servers-memory; default: none).
	Servers string `json:"servers,omitempty" yaml:"servers,omitempty"`
	// Memory limit of each agent, e.g. 1g (--agents-memory; default: none).
	Agents string `json:"agents,omitempty" yaml:"agents,omitempty"`
}

// Registries are the image registries the nodes pull from.
type Registries struct {
	// Registries made for (and deleted with) this cluster (--registry-create).
	Create []RegistryCreate `json:"create,omitempty" yaml:"create,omitempty"`
	// Existing registries (mini registry create) the nodes pull from, as NAME[:PORT] (--registry-use).
	Use []string `json:"use,omitempty" yaml:"use,omitempty"`
	// Path of a k3s registries.yaml (mirrors, endpoints, auth, TLS) applied to every node's containerd (--registry-config); a relative path is relative to this file.
	Config string `json:"config,omitempty" yaml:"config,omitempty"`
	// Image of the registries made with create (--registry-image; default: the image of this mini version).
	Image string `json:"image,omitempty" yaml:"image,omitempty"`
}

// RegistryCreate is a registry made with the cluster.
type RegistryCreate struct {
	// Registry name.
	Name string `json:"name" yaml:"name" jsonschema:"required"`
	// Host address its port is published on (needs hostPort).
	Host string `json:"host,omitempty" yaml:"host,omitempty"`
	// Host port it is published on (default: a free port).
	HostPort string `json:"hostPort,omitempty" yaml:"hostPort,omitempty" jsonschema:"type=string|integer"`
}

// Options tune the create command itself.
type Options struct {
	// Wait until the cluster is usable: every node Ready and schedulable, the default ServiceAccount, CoreDNS answering (--wait).
	Wait *bool `json:"wait,omitempty" yaml:"wait,omitempty" jsonschema:"default=true"`
	// How long to wait for the API server and nodes, a Go duration such as 90s or 5m; 0 waits without limit (--timeout).
	Timeout string `json:"timeout,omitempty" yaml:"timeout,omitempty" jsonschema:"type=string|integer,default=3m0s,pattern=^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$"`
	// Remove what was created when creation fails; false keeps it for debugging (--no-rollback).
	Rollback *bool `json:"rollback,omitempty" yaml:"rollback,omitempty" jsonschema:"default=true"`
	// Kubeconfig says what create does to your kubeconfig.
	Kubeconfig KubeconfigOptions `json:"kubeconfig,omitempty" yaml:"kubeconfig,omitempty"`
}

// KubeconfigOptions say what create does to your kubeconfig.
type KubeconfigOptions struct {
	// Merge the cluster into your kubeconfig (--kubeconfig-update-default).
	UpdateDefault *bool `json:"updateDefault,omitempty" yaml:"updateDefault,omitempty" jsonschema:"default=true"`
	// Make the cluster's context current (--kubeconfig-switch-context).
	SwitchContext *bool `json:"switchContext,omitempty" yaml:"switchContext,omitempty" jsonschema:"default=true"`
}
