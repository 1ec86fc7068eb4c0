package cluster

import (
	"fmt"
	"strings"
)

// Label keys, reverse-DNS under dev.mini. They are the cluster's state:
// whatever start, list or delete needs must be recorded here at create time.
const (
	// LabelApp marks every object mini made; its value is AppName.
	LabelApp = "dev.mini.app"
	// LabelCluster holds the cluster name.
	LabelCluster = "dev.mini.cluster"
	// LabelRole is RoleServer, RoleAgent or RoleLoadBalancer.
	LabelRole = "dev.mini.role"
	// LabelIndex is the node's index within its role.
	LabelIndex = "dev.mini.node-index"
	// LabelIP is the node's fixed IPv4 address on the cluster network; start
	// relies on it staying the same (etcd peers, certificates).
	LabelIP = "dev.mini.ip"
	// LabelNetwork is the network the cluster's containers are attached to.
	LabelNetwork = "dev.mini.network"
	// LabelNetworkExternal is "true" when the network was given with
	// --network and so must survive the cluster's deletion.
	LabelNetworkExternal = "dev.mini.network-external"
	// LabelAPIHost and LabelAPIPort are the host address where the
	// Kubernetes API is published (through the load balancer, or server 0).
	LabelAPIHost = "dev.mini.api-host"
	LabelAPIPort = "dev.mini.api-port"
	// LabelImage is the node image the cluster was created with.
	LabelImage = "dev.mini.image"
	// LabelToken is the join token, kept so nodes can be added later.
	LabelToken = "dev.mini.token"
	// LabelVersion is the mini version that created the object.
	LabelVersion = "dev.mini.version"
	// LabelDatastore is what server 0 keeps the cluster state in
	// (DatastoreEtcd, DatastoreSQLite or DatastoreExternal); only an etcd
	// cluster can take more servers later.
	LabelDatastore = "dev.mini.datastore"
	// LabelPorts lists the --port mappings a container publishes, in
	// canonical form separated by spaces. On the load balancer it is what
	// its config is rendered from (every proxied port and the nodes it
	// goes to, by filter, so nodes added later are included); on a node,
	// its direct ports.
	LabelPorts = "dev.mini.ports"
	// LabelHostAliases lists the --host-alias entries (IP:NAME[,NAME],
	// space-separated) every node's /etc/hosts carries.
	LabelHostAliases = "dev.mini.host-aliases"
)

// AppName is the value of LabelApp.
const AppName = "mini"

// Node roles, the values of LabelRole.
const (
	RoleServer       = "server"
	RoleAgent        = "agent"
	RoleLoadBalancer = "loadbalancer"
)

// clusterSelector selects every object of one cluster.
func clusterSelector(name string) map[string]string {
	return map[string]string{LabelApp: AppName, LabelCluster: name}
}

// labelList writes items as one label value: their canonical forms,
// separated by spaces (which none contains); strings.Fields reads it back.
func labelList[T fmt.Stringer](items []T) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.String()
	}
	return strings.Join(out, " ")
}
