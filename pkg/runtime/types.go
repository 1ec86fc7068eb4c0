package runtime

import (
	"io"
	"time"
)

// ContainerSpec describes a container to create. It is engine-neutral: the
// Docker implementation translates it with a pure function.
type ContainerSpec struct {
	Name       string
	Image      string
	Hostname   string
	Entrypoint []string
	Cmd        []string
	Env        []string
	Labels     map[string]string

	// Network is the network to attach to, with a fixed IPv4 address so that
	// restarts never change a node's address (etcd peers and certificates
	// depend on it).
	Network string
	IP      string
	Aliases []string

	Ports   []PortMapping
	Mounts  []Mount
	Tmpfs   []string
	Devices []string

	// Init runs the engine's init as PID 1 so zombies are reaped.
	Init bool
	// Privileged asks for a fully privileged container. When the host
	// refuses it, callers fill the emulated form below instead.
	Privileged        bool
	CapAdd            []string
	CapDrop           []string
	SecurityOpt       []string
	DeviceCgroupRules []string
	CgroupnsPrivate   bool
	// RestartPolicy is "no", "always", "unless-stopped" or "on-failure".
	RestartPolicy string
	// MemoryBytes limits memory; 0 means no limit.
	MemoryBytes int64
	// ExtraHosts are /etc/hosts entries, NAME:IP; the IP "host-gateway"
	// stands for the engine host's address.
	ExtraHosts []string
}

// PortMapping publishes a container port on the host.
type PortMapping struct {
	HostIP        string
	HostPort      int
	ContainerPort int
	// Protocol is "tcp" (default) or "udp".
	Protocol string
}

// MountType says what a Mount's Source is.
type MountType string

// Mount types.
const (
	MountVolume MountType = "volume"
	MountBind   MountType = "bind"
)

// Mount attaches a volume or a host path to a container.
type Mount struct {
	Type     MountType
	Source   string
	Target   string
	ReadOnly bool
}

// Container is what the engine reports about a container.
type Container struct {
	ID      string
	Name    string
	Image   string
	Labels  map[string]string
	State   string // created, running, exited, …
	Running bool
	// IPs maps network name to the container's IPv4 address on it.
	IPs     map[string]string
	Ports   []PortMapping
	Created time.Time
	// Restarts counts the engine's restarts of the container under its
	// restart policy (InspectContainer only): a node that keeps failing.
	Restarts int
	// Env and Mounts are filled by InspectContainer only (ListContainers
	// leaves them empty): with the labels, enough to create a container
	// like it again.
	Env    []string
	Mounts []Mount
}

// NetworkSpec describes a bridge network to create.
type NetworkSpec struct {
	Name    string
	Subnet  string // CIDR, e.g. 172.30.0.0/24
	Gateway string
	Labels  map[string]string
}

// Network is what the engine reports about a network.
type Network struct {
	ID      string
	Name    string
	Subnets []string
	Labels  map[string]string
}

// VolumeSpec describes a named volume to create.
type VolumeSpec struct {
	Name   string
	Labels map[string]string
}

// Volume is what the engine reports about a volume.
type Volume struct {
	Name   string
	Labels map[string]string
}

// ExecSpec describes a command to run in a running container.
type ExecSpec struct {
	Cmd    []string
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// RemoveOptions tunes container removal.
type RemoveOptions struct {
	// Force kills a running container first.
	Force bool
	// Volumes also removes anonymous volumes.
	Volumes bool
}

// Info describes the engine.
type Info struct {
	ID   string
	Name string
	// Local is true when the engine is reached through a local socket, so
	// host checks (free ports, capabilities) made by mini apply to it.
	Local bool
	// ServerVersion is the engine's release (e.g. "28.5.2").
	ServerVersion string
	// APIVersion is the API version client and engine agreed on: the
	// engine's own unless it is newer than this client.
	APIVersion string
	// RootDir is where the engine keeps images, containers and volumes
	// (Docker's DockerRootDir), the disk nodes fill.
	RootDir string
	// CgroupDriver is how the engine manages its containers' cgroups
	// ("cgroupfs", "systemd"), which nodes inherit.
	CgroupDriver string
}

// Image is what the engine reports about an image.
type Image struct {
	// ID is the engine's image ID, "sha256:…". On an engine with the
	// classic image store it is the digest of the image config, which is
	// also the ID the CRI reports for the image once it is in containerd.
	ID       string
	RepoTags []string
	OS       string
	Arch     string
	// Size is the image's size in bytes as the engine counts it.
	Size int64
}

// PullProgress is how far a pull got: bytes of the layers whose size the
// registry told (a layer's size is known once its download starts), and
// layers done of those the image has.
type PullProgress struct {
	Ref         string
	Done, Total int64
	LayersDone  int
	Layers      int
	// Finished is set on the last report of a pull that succeeded.
	Finished bool
}
