package docker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/minictl/mini/pkg/runtime"
)

// createConfig bundles the three structures ContainerCreate takes.
type createConfig struct {
	Config     *container.Config
	HostConfig *container.HostConfig
	Networking *network.NetworkingConfig
}

// translateContainerSpec turns a domain spec into Engine API structures. It is
// pure so every container flag the node recipe asks for is unit-tested.
func translateContainerSpec(spec runtime.ContainerSpec) (createConfig, error) {
	if spec.Name == "" || spec.Image == "" {
		return createConfig{}, fmt.Errorf("container spec needs a name and an image (name %q, image %q)", spec.Name, spec.Image)
	}
	cfg := &container.Config{
		Image:        spec.Image,
		Hostname:     spec.Hostname,
		Env:          spec.Env,
		Cmd:          spec.Cmd,
		Entrypoint:   spec.Entrypoint,
		Labels:       spec.Labels,
		ExposedPorts: nat.PortSet{},
	}
	host := &container.HostConfig{
		Privileged:   spec.Privileged,
		CapAdd:       spec.CapAdd,
		CapDrop:      spec.CapDrop,
		PortBindings: nat.PortMap{},
	}
	for _, opt := range spec.SecurityOpt {
		// "systempaths=unconfined" is a docker CLI option, not an Engine API
		// one: the CLI turns it into empty masked and read-only path lists
		// (empty, not nil, so the engine's defaults are overridden).
		if opt == "systempaths=unconfined" {
			host.MaskedPaths, host.ReadonlyPaths = []string{}, []string{}
			continue
		}
		host.SecurityOpt = append(host.SecurityOpt, opt)
	}
	if spec.Init {
		init := true
		host.Init = &init
	}
	if spec.CgroupnsPrivate {
		host.CgroupnsMode = container.CgroupnsModePrivate
	}
	if spec.RestartPolicy != "" {
		host.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyMode(spec.RestartPolicy)}
	}
	host.Resources.Memory = spec.MemoryBytes
	host.ExtraHosts = spec.ExtraHosts
	host.Resources.DeviceCgroupRules = spec.DeviceCgroupRules
	for _, d := range spec.Devices {
		host.Resources.Devices = append(host.Resources.Devices, container.DeviceMapping{
			PathOnHost: d, PathInContainer: d, CgroupPermissions: "rwm",
		})
	}
	if len(spec.Tmpfs) > 0 {
		host.Tmpfs = map[string]string{}
		for _, t := range spec.Tmpfs {
			host.Tmpfs[t] = ""
		}
	}
	for _, m := range spec.Mounts {
		typ := mount.TypeVolume
		switch m.Type {
		case runtime.MountBind:
			typ = mount.TypeBind
		case runtime.MountVolume, "":
		default:
			return createConfig{}, fmt.Errorf("container %s: unknown mount type %q", spec.Name, m.Type)
		}
		host.Mounts = append(host.Mounts, mount.Mount{Type: typ, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	for _, p := range spec.Ports {
		proto := p.Protocol
		switch proto {
		case "":
			proto = "tcp"
		case "tcp", "udp", "sctp":
		default:
			return createConfig{}, fmt.Errorf("container %s: port %d: unknown protocol %q", spec.Name, p.ContainerPort, proto)
		}
		port, err := nat.NewPort(proto, strconv.Itoa(p.ContainerPort))
		if err != nil {
			return createConfig{}, fmt.Errorf("container %s: port %d/%s: %w", spec.Name, p.ContainerPort, proto, err)
		}
		cfg.ExposedPorts[port] = struct{}{}
		hostPort := ""
		if p.HostPort != 0 {
			hostPort = strconv.Itoa(p.HostPort)
		}
		host.PortBindings[port] = append(host.PortBindings[port], nat.PortBinding{HostIP: p.HostIP, HostPort: hostPort})
	}
	net := &network.NetworkingConfig{}
	if spec.Network != "" {
		host.NetworkMode = container.NetworkMode(spec.Network)
		ep := &network.EndpointSettings{Aliases: spec.Aliases}
		if spec.IP != "" {
			ep.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: spec.IP}
		}
		net.EndpointsConfig = map[string]*network.EndpointSettings{spec.Network: ep}
	}
	return createConfig{Config: cfg, HostConfig: host, Networking: net}, nil
}

// translateInspect turns an inspect response into a domain container.
func translateInspect(in container.InspectResponse) runtime.Container {
	c := runtime.Container{ID: in.ID, Name: strings.TrimPrefix(in.Name, "/"), IPs: map[string]string{}}
	if in.Config != nil {
		c.Image = in.Config.Image
		c.Labels = in.Config.Labels
		c.Env = in.Config.Env
	}
	for _, m := range in.Mounts {
		switch m.Type {
		case mount.TypeVolume:
			c.Mounts = append(c.Mounts, runtime.Mount{Type: runtime.MountVolume, Source: m.Name, Target: m.Destination, ReadOnly: !m.RW})
		case mount.TypeBind:
			c.Mounts = append(c.Mounts, runtime.Mount{Type: runtime.MountBind, Source: m.Source, Target: m.Destination, ReadOnly: !m.RW})
		}
	}
	c.Restarts = in.RestartCount
	if in.State != nil {
		c.State = string(in.State.Status)
		c.Running = in.State.Running
	}
	if in.NetworkSettings != nil {
		for name, ep := range in.NetworkSettings.Networks {
			if ep != nil {
				ip := ep.IPAddress
				if ip == "" && ep.IPAMConfig != nil {
					ip = ep.IPAMConfig.IPv4Address
				}
				c.IPs[name] = ip
			}
		}
	}
	if in.HostConfig != nil {
		c.Ports = translatePortMap(in.HostConfig.PortBindings)
	}
	return c
}

// translateSummary turns a list entry into a domain container.
func translateSummary(s container.Summary) runtime.Container {
	c := runtime.Container{ID: s.ID, Image: s.Image, Labels: s.Labels, State: string(s.State), IPs: map[string]string{}}
	c.Running = s.State == container.StateRunning
	if len(s.Names) > 0 {
		c.Name = strings.TrimPrefix(s.Names[0], "/")
	}
	if s.NetworkSettings != nil {
		for name, ep := range s.NetworkSettings.Networks {
			if ep != nil {
				c.IPs[name] = ep.IPAddress
			}
		}
	}
	for _, p := range s.Ports {
		if p.PublicPort == 0 {
			continue
		}
		c.Ports = append(c.Ports, runtime.PortMapping{HostIP: p.IP, HostPort: int(p.PublicPort), ContainerPort: int(p.PrivatePort), Protocol: p.Type})
	}
	return c
}

func translatePortMap(pm nat.PortMap) []runtime.PortMapping {
	var out []runtime.PortMapping
	for port, bindings := range pm {
		for _, b := range bindings {
			hp, _ := strconv.Atoi(b.HostPort)
			out = append(out, runtime.PortMapping{HostIP: b.HostIP, HostPort: hp, ContainerPort: port.Int(), Protocol: port.Proto()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ContainerPort < out[j].ContainerPort })
	return out
}

// translateNetworkSpec builds the create options for a bridge network with a
// fixed subnet; the subnet is what lets every node keep a fixed IP.
func translateNetworkSpec(spec runtime.NetworkSpec) network.CreateOptions {
	opts := network.CreateOptions{Driver: "bridge", Labels: spec.Labels}
	if spec.Subnet != "" {
		opts.IPAM = &network.IPAM{Config: []network.IPAMConfig{{Subnet: spec.Subnet, Gateway: spec.Gateway}}}
	}
	return opts
}

// labelFilters renders labels as engine filter arguments.
func labelArgs(labels map[string]string) []string {
	out := make([]string, 0, len(labels))
	for k, v := range labels {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
