package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/minictl/mini/images/node/internal/config"
)

// envBinding ties a flag to the k3s environment variable that may set it.
// A flag given on the command line wins over the environment.
type envBinding struct{ flag, env string }

var serverEnv = []envBinding{
	{"token", "K3S_TOKEN"}, {"server", "K3S_URL"}, {"node-name", "K3S_NODE_NAME"},
	{"data-dir", "K3S_DATA_DIR"}, {"cluster-init", "K3S_CLUSTER_INIT"},
	{"write-kubeconfig", "K3S_KUBECONFIG_OUTPUT"}, {"write-kubeconfig-mode", "K3S_KUBECONFIG_MODE"},
	{"datastore-endpoint", "K3S_DATASTORE_ENDPOINT"}, {"node-ip", "K3S_NODE_IP"},
}

var agentEnv = []envBinding{
	{"token", "K3S_TOKEN"}, {"server", "K3S_URL"}, {"node-name", "K3S_NODE_NAME"},
	{"data-dir", "K3S_DATA_DIR"}, {"node-ip", "K3S_NODE_IP"},
}

func addAgentFlags(fs *pflag.FlagSet, a *config.Agent) {
	fs.StringVarP(&a.DataDir, "data-dir", "d", a.DataDir, "directory for state: certificates, datastore, images")
	fs.StringVar(&a.NodeName, "node-name", "", "node name (default: hostname)")
	fs.StringVar(&a.NodeIP, "node-ip", "", "IP address to advertise for the node (default: address of the default-route interface)")
	fs.StringArrayVar(&a.NodeLabels, "node-label", nil, "label to register the node with, KEY=VALUE (repeatable)")
	fs.StringArrayVar(&a.NodeTaints, "node-taint", nil, "taint to register the node with, KEY=VALUE:EFFECT (repeatable)")
	fs.StringArrayVar(&a.KubeletArgs, "kubelet-arg", nil, "extra kubelet flag, NAME=VALUE (repeatable)")
	fs.StringArrayVar(&a.KubeProxyArgs, "kube-proxy-arg", nil, "extra kube-proxy flag, NAME=VALUE (repeatable)")
	fs.StringVarP(&a.Token, "token", "t", "", "cluster token (K3S_TOKEN)")
	fs.StringVarP(&a.ServerURL, "server", "s", "", "server to join, https://HOST:PORT (K3S_URL)")
	fs.StringVar(&a.PrivateRegistry, "private-registry", a.PrivateRegistry, "k3s registries.yaml: registry mirrors, credentials and TLS for containerd (a missing file at the default path means none)")
	fs.IntVarP(&a.Verbosity, "v", "v", 0, "log verbosity of every component")
}

func addServerFlags(fs *pflag.FlagSet, s *config.Server) {
	addAgentFlags(fs, &s.Agent)
	fs.StringArrayVar(&s.TLSSANs, "tls-san", nil, "extra host name or IP in the API server certificate (repeatable)")
	fs.StringArrayVar(&s.Disable, "disable", nil, "addon not to deploy: coredns, servicelb, traefik, local-storage, metrics-server (repeatable)")
	fs.StringVar(&s.ClusterCIDR, "cluster-cidr", s.ClusterCIDR, "pod network CIDR")
	fs.StringVar(&s.ServiceCIDR, "service-cidr", s.ServiceCIDR, "service network CIDR")
	fs.StringVar(&s.ClusterDNS, "cluster-dns", s.ClusterDNS, "cluster DNS service IP")
	fs.StringVar(&s.ClusterDomain, "cluster-domain", s.ClusterDomain, "cluster domain")
	fs.IntVar(&s.HTTPSPort, "https-listen-port", s.HTTPSPort, "API server port")
	fs.StringVarP(&s.WriteKubeconfig, "write-kubeconfig", "o", s.WriteKubeconfig, "write the admin kubeconfig here once the API serves")
	fs.StringVar(&s.WriteKubeconfigMode, "write-kubeconfig-mode", s.WriteKubeconfigMode, "file mode of the admin kubeconfig (octal)")
	fs.StringVar(&s.DatastoreEndpoint, "datastore-endpoint", "", "datastore DSN: sqlite://, mysql://, postgres://, or etcd http(s):// endpoints (default: SQLite in the data dir)")
	fs.BoolVar(&s.ClusterInit, "cluster-init", false, "store state in embedded etcd, so more servers can join")
	fs.BoolVar(&s.DisableAgent, "disable-agent", false, "run only the control plane, no kubelet or containerd")
	fs.StringArrayVar(&s.KubeAPIServerArgs, "kube-apiserver-arg", nil, "extra kube-apiserver flag, NAME=VALUE (repeatable)")
	fs.StringArrayVar(&s.KubeControllerManagerArgs, "kube-controller-manager-arg", nil, "extra kube-controller-manager flag, NAME=VALUE (repeatable)")
	fs.StringArrayVar(&s.KubeSchedulerArgs, "kube-scheduler-arg", nil, "extra kube-scheduler flag, NAME=VALUE (repeatable)")
}

// applyEnv sets every flag not given on the command line from its
// environment variable, reporting the variable at fault on a bad value.
func applyEnv(fs *pflag.FlagSet, bindings []envBinding, getenv func(string) string) error {
	for _, b := range bindings {
		v := getenv(b.env)
		f := fs.Lookup(b.flag)
		if v == "" || f == nil || f.Changed {
			continue
		}
		if f.Value.Type() == "bool" {
			if _, err := strconv.ParseBool(v); err != nil {
				return fmt.Errorf("%s=%q: want true or false", b.env, v)
			}
		}
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("%s=%q: %w", b.env, v, err)
		}
	}
	return nil
}
