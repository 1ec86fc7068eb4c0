// Package k3d holds the part of k3d's config file schema mini reads:
// apiVersion k3d.io/v1alpha5, kind Simple (k3d v5.x). Every field k3d
// documents is here, so that decoding stays strict (a typo is an error)
// while the fields mini cannot represent are reported by package config as
// warnings instead. The types are written for mini from k3d's documented
// file format; pointers mark the settings whose k3d default is not the
// zero value.
package k3d

// APIVersion and Kind identify a k3d v5 "Simple" config file.
const (
	APIVersion = "k3d.io/v1alpha5"
	Kind       = "Simple"
)

// Simple is a k3d.io/v1alpha5 Simple config file.
type Simple struct {
	APIVersion  string      `yaml:"apiVersion"`
	Kind        string      `yaml:"kind"`
	Metadata    Metadata    `yaml:"metadata"`
	Servers     *int        `yaml:"servers"`
	Agents      *int        `yaml:"agents"`
	KubeAPI     KubeAPI     `yaml:"kubeAPI"`
	Image       string      `yaml:"image"`
	Network     string      `yaml:"network"`
	Subnet      string      `yaml:"subnet"`
	Token       string      `yaml:"token"`
	Volumes     []Volume    `yaml:"volumes"`
	Ports       []Port      `yaml:"ports"`
	Env         []EnvVar    `yaml:"env"`
	Files       []File      `yaml:"files"`
	Manifests   []Manifest  `yaml:"manifests"`
	Registries  Registries  `yaml:"registries"`
	HostAliases []HostAlias `yaml:"hostAliases"`
	Options     Options     `yaml:"options"`
}

// Metadata names the cluster.
type Metadata struct {
	Name string `yaml:"name"`
}

// KubeAPI is where the API is published: HostIP:HostPort, with Host a
// name for it in the kubeconfig and the server certificate.
type KubeAPI struct {
	Host     string `yaml:"host"`
	HostIP   string `yaml:"hostIP"`
	HostPort string `yaml:"hostPort"`
}

// Volume is a --volume with its node filters.
type Volume struct {
	Volume      string   `yaml:"volume"`
	NodeFilters []string `yaml:"nodeFilters"`
}

// Port is a --port with its node filters.
type Port struct {
	Port        string   `yaml:"port"`
	NodeFilters []string `yaml:"nodeFilters"`
}

// EnvVar is an --env with its node filters.
type EnvVar struct {
	EnvVar      string   `yaml:"envVar"`
	NodeFilters []string `yaml:"nodeFilters"`
}

// Label is a node or runtime label with its node filters.
type Label struct {
	Label       string   `yaml:"label"`
	NodeFilters []string `yaml:"nodeFilters"`
}

// Arg is a --k3s-arg with its node filters.
type Arg struct {
	Arg         string   `yaml:"arg"`
	NodeFilters []string `yaml:"nodeFilters"`
}

// File is a file copied into nodes (k3d v5.6+).
type File struct {
	Source      string   `yaml:"source"`
	Destination string   `yaml:"destination"`
	Description string   `yaml:"description"`
	NodeFilters []string `yaml:"nodeFilters"`
}

// Manifest is a Kubernetes manifest k3d applies after create.
type Manifest struct {
	Name     string `yaml:"name"`
	Manifest string `yaml:"manifest"`
}

// HostAlias is an /etc/hosts entry of every node.
type HostAlias struct {
	IP        string   `yaml:"ip"`
	Hostnames []string `yaml:"hostnames"`
}

// Registries are registries to create and use, and a registries.yaml
// (a path, or its content inline).
type Registries struct {
	Create *RegistryCreate `yaml:"create"`
	Use    []string        `yaml:"use"`
	Config string          `yaml:"config"`
}

// RegistryCreate is a registry k3d creates with the cluster.
type RegistryCreate struct {
	Name     string   `yaml:"name"`
	Host     string   `yaml:"host"`
	HostPort string   `yaml:"hostPort"`
	Image    string   `yaml:"image"`
	Proxy    Proxy    `yaml:"proxy"`
	Volumes  []string `yaml:"volumes"`
}

// Proxy makes a created registry a pull-through cache.
type Proxy struct {
	RemoteURL string `yaml:"remoteURL"`
	Username  string `yaml:"username"`
	Password  string `yaml:"password"`
}

// Options are k3d's, k3s's, the kubeconfig's and the runtime's options.
type Options struct {
	K3d        K3dOptions        `yaml:"k3d"`
	K3s        K3sOptions        `yaml:"k3s"`
	Kubeconfig KubeconfigOptions `yaml:"kubeconfig"`
	Runtime    RuntimeOptions    `yaml:"runtime"`
}

// K3dOptions tune create.
type K3dOptions struct {
	Wait                *bool     `yaml:"wait"`
	Timeout             string    `yaml:"timeout"`
	DisableLoadbalancer bool      `yaml:"disableLoadbalancer"`
	DisableImageVolume  bool      `yaml:"disableImageVolume"`
	DisableRollback     bool      `yaml:"disableRollback"`
	NodeHookActions     []any     `yaml:"nodeHookActions"`
	Loadbalancer        LBOptions `yaml:"loadbalancer"`
}

// LBOptions tune k3d's load balancer.
type LBOptions struct {
	ConfigOverrides []string `yaml:"configOverrides"`
}

// K3sOptions are node arguments and labels.
type K3sOptions struct {
	ExtraArgs  []Arg   `yaml:"extraArgs"`
	NodeLabels []Label `yaml:"nodeLabels"`
}

// KubeconfigOptions say what create does to the kubeconfig (both default
// to true in k3d).
type KubeconfigOptions struct {
	UpdateDefaultKubeconfig *bool `yaml:"updateDefaultKubeconfig"`
	SwitchCurrentContext    *bool `yaml:"switchCurrentContext"`
}

// RuntimeOptions are container settings.
type RuntimeOptions struct {
	GPURequest    string   `yaml:"gpuRequest"`
	ServersMemory string   `yaml:"serversMemory"`
	AgentsMemory  string   `yaml:"agentsMemory"`
	HostPidMode   bool     `yaml:"hostPidMode"`
	Labels        []Label  `yaml:"labels"`
	Ulimits       []Ulimit `yaml:"ulimits"`
}

// Ulimit is a container ulimit.
type Ulimit struct {
	Name string `yaml:"name"`
	Soft int64  `yaml:"soft"`
	Hard int64  `yaml:"hard"`
}
