package cluster

import (
	"strconv"

	"github.com/minictl/mini/pkg/kubeconfig"
	"github.com/minictl/mini/pkg/runtime"
)

// Datastores, the values of LabelDatastore: what server 0 keeps the
// cluster state in. Only an embedded etcd cluster takes more servers.
const (
	DatastoreEtcd     = "etcd"
	DatastoreSQLite   = "sqlite"
	DatastoreExternal = "external"
)

// nodeBase is what every node container of a cluster shares. Create fills
// it from its options; `mini node create` rebuilds it from the labels of
// the cluster's containers, so a node added later looks like the others.
type nodeBase struct {
	Namer      Namer
	Image      string
	Token      string
	Version    string
	Network    string
	External   bool
	API        APIEndpoint
	Datastore  string
	Privileged bool
	// HostAliases become /etc/hosts entries of every node, after
	// host.mini.internal.
	HostAliases []HostAlias
	// JoinURL is where agents and joining servers reach the API: the load
	// balancer when there is one, so a node keeps working when any one
	// server dies; else server 0.
	JoinURL string
}

// joinURL returns the JoinURL of a cluster with or without a load balancer.
func joinURL(n Namer, hasLB bool, ips ipPlan) string {
	host := ips.Server(0)
	if hasLB {
		// The load balancer's name is one of every server's TLS SANs.
		host = n.LoadBalancer()
	}
	return "https://" + host + ":" + strconv.Itoa(APIContainerPort)
}

// labels returns the labels of one container: the cluster's state.
func (b nodeBase) labels(role string, index int, ip string) map[string]string {
	l := clusterSelector(b.Namer.Cluster)
	l[LabelRole] = role
	l[LabelIndex] = strconv.Itoa(index)
	l[LabelIP] = ip
	l[LabelNetwork] = b.Network
	l[LabelNetworkExternal] = strconv.FormatBool(b.External)
	l[LabelAPIHost] = b.API.Host
	l[LabelAPIPort] = strconv.Itoa(b.API.Port)
	l[LabelImage] = b.Image
	l[LabelToken] = b.Token
	l[LabelVersion] = b.Version
	l[LabelDatastore] = b.Datastore
	if len(b.HostAliases) > 0 {
		l[LabelHostAliases] = hostAliasesLabel(b.HostAliases)
	}
	return l
}

// node returns the container of a server or agent. join adds --server
// JoinURL: every agent and every server but the first joins the cluster.
func (b nodeBase) node(role string, index int, name, ip string, join bool) plannedNode {
	vol := b.Namer.Volume(name)
	spec := runtime.ContainerSpec{
		Name: name, Hostname: name, Image: b.Image, Labels: b.labels(role, index, ip),
		Network: b.Network, IP: ip,
		Env:  []string{"K3S_TOKEN=" + b.Token},
		Init: true, CgroupnsPrivate: true, RestartPolicy: "unless-stopped",
		// tmpfs for runtime state that must not survive a restart
		// (stale pid files and sockets would confuse the node).
		Tmpfs:      []string{"/run", "/var/run", "/tmp"},
		Mounts:     []runtime.Mount{{Type: runtime.MountVolume, Source: vol, Target: dataDir}},
		ExtraHosts: extraHosts(b.HostAliases),
	}
	applyPrivileged(&spec, b.Privileged)
	cmd := []string{role, "--node-name", name}
	if role == RoleServer {
		cmd = append(cmd, "--tls-san", b.Namer.LoadBalancer(), "--tls-san", b.API.ClientHost(), "--tls-san", name,
			"--write-kubeconfig", kubeconfig.NodePath)
		if b.API.Host != b.API.ClientHost() {
			cmd = append(cmd, "--tls-san", b.API.Host)
		}
	}
	if join {
		cmd = append(cmd, "--server", b.JoinURL)
	}
	spec.Cmd = cmd
	return plannedNode{Role: role, Index: index, Spec: spec, Volume: vol}
}
