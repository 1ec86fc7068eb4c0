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
	Name    string
	Servers int
	Agents  int
	// AllowMultipleServers lifts the one-server limit. The orchestration for
	// several servers (first with --cluster-init, the rest joining it) is
	// here and unit-tested, but the node image cannot join servers yet, so
	// the CLI leaves this off and --servers > 1 is refused up front.
	AllowMultipleServers bool
	// Image is the node image; LBImage the load balancer image.
	Image   string
	LBImage string
	// APIPort is "[HOST:]PORT"; empty picks a free port on 127.0.0.1.
	APIPort string
	// Token joins nodes; empty generates one.
	Token string
	// Wait for every node to be Ready, up to Timeout (which also bounds the
	// wait for the kubeconfig when Wait is off).
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
	// ServersMemory and AgentsMemory limit node memory ("512m", "2g").
	ServersMemory string
	AgentsMemory  string
}

// StartOptions tune start and restart.
type StartOptions struct {
	Wait    bool
	Timeout time.Duration
}
