package config

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Defaults that mirror k3s, so a launcher can drive mini-node and a
// rancher/k3s image with the same flags and expect the same cluster shape.
const (
	DefaultDataDir         = "/var/lib/mini"
	DefaultClusterCIDR     = "10.42.0.0/16"
	DefaultServiceCIDR     = "10.43.0.0/16"
	DefaultClusterDNS      = "10.43.0.10"
	DefaultClusterDomain   = "cluster.local"
	DefaultHTTPSPort       = 6443
	DefaultKubeconfig      = "/etc/mini/kubeconfig.yaml"
	DefaultKubeconfigMode  = "0600"
	DefaultNodeCIDRMaskLen = 24
	// DefaultPrivateRegistry is k3s's registries.yaml; missing there means
	// no registry configuration.
	DefaultPrivateRegistry = "/etc/rancher/k3s/registries.yaml"
)

// Agent is what every node runs: containerd, kubelet and kube-proxy.
type Agent struct {
	DataDir       string
	NodeName      string
	NodeIP        string
	NodeLabels    []string
	NodeTaints    []string
	KubeletArgs   []string
	KubeProxyArgs []string
	// Token and ServerURL are how an agent joins a server (K3S_TOKEN, K3S_URL).
	Token     string
	ServerURL string
	// Verbosity is the klog level every in-process component logs at.
	Verbosity int
	// PrivateRegistry is a k3s registries.yaml (mirrors, auth, TLS) for
	// containerd; "" means none.
	PrivateRegistry string
}

// Server is a control-plane node; unless DisableAgent it runs the agent too.
type Server struct {
	Agent
	TLSSANs                   []string
	Disable                   []string
	ClusterCIDR               string
	ServiceCIDR               string
	ClusterDNS                string
	ClusterDomain             string
	HTTPSPort                 int
	WriteKubeconfig           string
	WriteKubeconfigMode       string
	DatastoreEndpoint         string
	ClusterInit               bool
	DisableAgent              bool
	KubeAPIServerArgs         []string
	KubeControllerManagerArgs []string
	KubeSchedulerArgs         []string
}

// NewServer returns a server configuration with every default set.
func NewServer() *Server {
	return &Server{
		Agent:               Agent{DataDir: DefaultDataDir, PrivateRegistry: DefaultPrivateRegistry},
		ClusterCIDR:         DefaultClusterCIDR,
		ServiceCIDR:         DefaultServiceCIDR,
		ClusterDNS:          DefaultClusterDNS,
		ClusterDomain:       DefaultClusterDomain,
		HTTPSPort:           DefaultHTTPSPort,
		WriteKubeconfig:     DefaultKubeconfig,
		WriteKubeconfigMode: DefaultKubeconfigMode,
	}
}

// NewAgent returns an agent configuration with every default set.
func NewAgent() *Agent {
	return &Agent{DataDir: DefaultDataDir, PrivateRegistry: DefaultPrivateRegistry}
}

// Complete fills values that depend on the environment: the node name from
// the hostname and the node IP from the interface that holds the default route.
func (a *Agent) Complete() error {
	if a.NodeName == "" {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("node name: read hostname: %w", err)
		}
		a.NodeName = strings.ToLower(h)
	}
	if a.NodeIP == "" {
		ip, err := DefaultRouteIP()
		if err != nil {
			return fmt.Errorf("node ip: %w (set --node-ip)", err)
		}
		a.NodeIP = ip.String()
	}
	return nil
}

// PrivateRegistryOptional tells whether a missing --private-registry file
// means no registries (k3s's default path) rather than an error.
func (a *Agent) PrivateRegistryOptional() bool { return a.PrivateRegistry == DefaultPrivateRegistry }

// KubeconfigMode parses --write-kubeconfig-mode as an octal file mode.
func (s *Server) KubeconfigMode() (os.FileMode, error) {
	m, err := strconv.ParseUint(s.WriteKubeconfigMode, 8, 32)
	if err != nil || m > 0o777 {
		return 0, fmt.Errorf("--write-kubeconfig-mode %q: want an octal mode such as 0600 or 644", s.WriteKubeconfigMode)
	}
	return os.FileMode(m), nil
}

// EmbeddedEtcd reports whether this server runs an etcd member: it starts
// a cluster with --cluster-init, or joins one with --server (and no
// external datastore of its own).
func (s *Server) EmbeddedEtcd() bool {
	return s.ClusterInit || (s.ServerURL != "" && s.DatastoreEndpoint == "")
}

// UsesEtcd tells whether the datastore is etcd (embedded or external) rather
// than kine; etcd clusters are the only ones that can grow more servers.
func (s *Server) UsesEtcd() bool {
	return s.ClusterInit || s.ServerURL != "" ||
		strings.HasPrefix(s.DatastoreEndpoint, "http://") || strings.HasPrefix(s.DatastoreEndpoint, "https://")
}

// KubernetesServiceIP is the first address of the service CIDR, which the
// apiserver reserves for the kubernetes.default Service.
func (s *Server) KubernetesServiceIP() (net.IP, error) {
	_, n, err := net.ParseCIDR(s.ServiceCIDR)
	if err != nil {
		return nil, err
	}
	ip := n.IP.To4()
	if ip == nil {
		ip = n.IP.To16()
	}
	out := make(net.IP, len(ip))
	copy(out, ip)
	out[len(out)-1]++
	return out, nil
}

// Paths is the on-disk layout under the data directory.
type Paths struct{ Root string }

// PathsFor returns the layout rooted at dataDir.
func PathsFor(dataDir string) Paths { return Paths{Root: dataDir} }

func (p Paths) join(elem ...string) string {
	return filepath.Join(append([]string{p.Root}, elem...)...)
}

// ServerTLS holds the cluster's CAs, keys and the control plane's certificates.
func (p Paths) ServerTLS() string { return p.join("server", "tls") }

// ServerCred holds the control plane's kubeconfigs.
func (p Paths) ServerCred() string { return p.join("server", "cred") }

// DB holds the datastore: kine's SQLite file or embedded etcd's directory.
func (p Paths) DB() string { return p.join("server", "db") }

// TokenFile holds the full cluster token (K10<ca-hash>::server:<secret>).
func (p Paths) TokenFile() string { return p.join("server", "token") }

// AgentDir holds the agent's kubeconfigs, certificates and generated configs.
func (p Paths) AgentDir() string { return p.join("agent") }

// ContainerdRoot is containerd's persistent root; it lives on the data volume
// so overlayfs snapshots sit on a real filesystem, not on the container's overlay.
func (p Paths) ContainerdRoot() string { return p.join("agent", "containerd") }

// Storage is where local-path volumes live.
func (p Paths) Storage() string { return p.join("storage") }

// Runtime paths outside the data directory (tmpfs or image content).
const (
	ContainerdState  = "/run/mini/containerd"
	ContainerdSocket = "/run/mini/containerd/containerd.sock"
	KubeletRoot      = "/var/lib/kubelet"
	CNIConfDir       = "/etc/cni/net.d"
	CNIBinDir        = "/usr/lib/cni"
	ImagesDir        = "/usr/share/mini/images"
	BinDir           = "/usr/local/bin"
)
