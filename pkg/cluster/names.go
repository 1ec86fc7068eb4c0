package cluster

import (
	"fmt"
	"regexp"
	"strconv"
)

// MaxNameLength is the longest cluster name accepted. Every derived name
// must stay a valid hostname label (≤ 63 characters, as the container name
// doubles as the node's hostname and Kubernetes node name):
// "mini-" + name + "-server-" + up to 3 digits = 16 + name ≤ 63; 32 leaves
// room for future suffixes and keeps `docker ps` readable.
const MaxNameLength = 32

var nameRE = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)

// ValidateName checks a cluster name: lower-case letters, digits and '-',
// starting with a letter, ending with a letter or digit, at most
// MaxNameLength characters.
func ValidateName(name string) error { return validateName("cluster", name) }

// ValidateRegistryName checks a registry name by the same rules.
func ValidateRegistryName(name string) error { return validateName("registry", name) }

func validateName(kind, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s name is empty", kind)
	case len(name) > MaxNameLength:
		return fmt.Errorf("%s name %q is %d characters long; the maximum is %d", kind, name, len(name), MaxNameLength)
	case !nameRE.MatchString(name):
		return fmt.Errorf("%s name %q is invalid: use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit", kind, name)
	}
	return nil
}

// Namer builds every name of one cluster. Nothing else formats names.
type Namer struct{ Cluster string }

// NodeName is the container (and host, and Kubernetes node) name of node
// i of a group: the nodes made with the cluster are grouped by role
// (server-0, agent-1), those `mini node create BASE` adds under BASE
// (BASE-0, BASE-1). The cluster prefix keeps container names unique
// across clusters, as Docker container names are global.
func (n Namer) NodeName(group string, i int) string {
	return n.Qualify(group + "-" + strconv.Itoa(i))
}

// Qualify turns a name relative to the cluster (server-1, BASE-0) into the
// container name.
func (n Namer) Qualify(short string) string { return "mini-" + n.Cluster + "-" + short }

// Server names server i.
func (n Namer) Server(i int) string { return n.NodeName(RoleServer, i) }

// Agent names agent i.
func (n Namer) Agent(i int) string { return n.NodeName(RoleAgent, i) }

// LoadBalancer names the load balancer container.
func (n Namer) LoadBalancer() string { return "mini-" + n.Cluster + "-lb" }

// LoadBalancerReplaced names the old load balancer while `cluster edit`
// replaces it: kept, stopped, until the new one serves, for a rollback.
func (n Namer) LoadBalancerReplaced() string { return n.LoadBalancer() + "-old" }

// Network names the cluster network mini creates.
func (n Namer) Network() string { return "mini-" + n.Cluster }

// Volume names the data-dir volume of a node container.
func (n Namer) Volume(nodeName string) string { return nodeName + "-data" }

// Context is the kubeconfig context and cluster entry name.
func (n Namer) Context() string { return "mini-" + n.Cluster }

// User is the kubeconfig user entry name.
func (n Namer) User() string { return "admin@mini-" + n.Cluster }

// Registries are not part of one cluster (several may use one), so their
// names hang off the registry name alone.

// RegistryContainer names the container of registry name; it is also the
// registry's host name on every network it is attached to.
func RegistryContainer(name string) string { return "mini-registry-" + name }

// RegistryVolume names the volume mini makes for a registry's data.
func RegistryVolume(name string) string { return RegistryContainer(name) + "-data" }

// RegistryNetwork is the network every registry is attached to, so a
// pull-through cache reaches its upstream registry by container name.
const RegistryNetwork = "mini-registries"
