package addons

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// Add-on names, spelled like k3s's --disable values.
const (
	CoreDNS       = "coredns"
	ServiceLB     = "servicelb"
	Traefik       = "traefik"
	LocalStorage  = "local-storage"
	MetricsServer = "metrics-server"
)

const (
	// LabelAddon is set on every object an add-on creates; its value is the
	// add-on name. Deploy finds what to delete for a disabled add-on by it.
	LabelAddon = "mini.dev/addon"
	// FieldManager is the server-side apply field manager for add-on objects.
	FieldManager = "mini-node"
	// DefaultNamespace is where namespaced objects without a namespace go.
	DefaultNamespace = "kube-system"
	// DefaultClusterDomain is used when Values.ClusterDomain is empty.
	DefaultClusterDomain = "cluster.local"
	// DefaultStorageDir is where local-path volumes live on a node when
	// Values.StorageDir is empty. It is under /var/lib/mini so it sits on the
	// node's persistent volume and survives a node container restart.
	DefaultStorageDir = "/var/lib/mini/storage"
)

// Values are the cluster settings the manifests are rendered with.
type Values struct {
	// ClusterDNS is the ClusterIP of the kube-dns Service; it must equal
	// the kubelet's clusterDNS and lie inside ServiceCIDR.
	ClusterDNS string
	// ClusterDomain is the DNS domain CoreDNS serves (default cluster.local).
	ClusterDomain string
	// ClusterCIDR is the pod network, available to templates.
	ClusterCIDR string
	// ServiceCIDR is the service network, available to templates.
	ServiceCIDR string
	// NodeIP is the server's own address, available to templates.
	NodeIP string
	// StorageDir is the host directory for local-path volumes
	// (default DefaultStorageDir).
	StorageDir string
	// Hosts are names CoreDNS answers before anything else: the node's
	// requested /etc/hosts entries (host.mini.internal, --host-alias), so
	// pods resolve what nodes resolve.
	Hosts []HostEntry
}

// HostEntry is one address and the names that resolve to it.
type HostEntry struct {
	IP    string
	Names []string
}

// withDefaults fills empty optional fields and checks the required ones, so
// a bad value fails before anything is sent to the API server.
func (v Values) withDefaults() (Values, error) {
	if v.ClusterDomain == "" {
		v.ClusterDomain = DefaultClusterDomain
	}
	if v.StorageDir == "" {
		v.StorageDir = DefaultStorageDir
	}
	var errs []error
	if net.ParseIP(v.ClusterDNS) == nil {
		errs = append(errs, fmt.Errorf("cluster DNS %q is not an IP address", v.ClusterDNS))
	}
	if strings.ContainsAny(v.ClusterDomain, " \t\n{}") {
		errs = append(errs, fmt.Errorf("cluster domain %q is not a DNS name", v.ClusterDomain))
	}
	for _, h := range v.Hosts {
		if net.ParseIP(h.IP) == nil {
			errs = append(errs, fmt.Errorf("host entry %q is not an IP address", h.IP))
		}
		for _, n := range h.Names {
			if n == "" || strings.ContainsAny(n, " \t\n{}#") {
				errs = append(errs, fmt.Errorf("host name %q of %s is not a DNS name", n, h.IP))
			}
		}
	}
	if !strings.HasPrefix(v.StorageDir, "/") || v.StorageDir == "/" {
		errs = append(errs, fmt.Errorf("storage dir %q must be an absolute path below /", v.StorageDir))
	}
	if err := errors.Join(errs...); err != nil {
		return v, fmt.Errorf("invalid add-on values: %w", err)
	}
	return v, nil
}

// Names returns every add-on name Validate accepts, sorted.
func Names() []string {
	names := []string{CoreDNS, LocalStorage, MetricsServer, ServiceLB, Traefik}
	slices.Sort(names)
	return names
}

// manifestNames lists the add-ons that have a manifest, in the order they
// are applied: DNS first, since everything else may depend on it.
// servicelb has none: it is a controller inside mini-node.
func manifestNames() []string {
	return []string{CoreDNS, LocalStorage, MetricsServer, Traefik}
}

// Validate checks --disable values and reports every unknown name at once,
// with the list of valid ones so the user can fix the flag in one go.
func Validate(disabled []string) error {
	valid := Names()
	var unknown []string
	for _, name := range disabled {
		if !slices.Contains(valid, name) && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("unknown add-on %s: valid names are %s",
		quoteJoin(unknown), strings.Join(valid, ", "))
}

func quoteJoin(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(quoted, ", ")
}

// disabledNames returns the keys of disabled that are set to true, sorted,
// after checking that every key (true or false) is a known name.
func disabledNames(disabled map[string]bool) ([]string, error) {
	keys := make([]string, 0, len(disabled))
	for k := range disabled {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if err := Validate(keys); err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if disabled[k] {
			out = append(out, k)
		}
	}
	return out, nil
}
