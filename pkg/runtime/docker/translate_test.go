package docker

import (
	"reflect"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/minictl/mini/pkg/runtime"
)

func TestTranslateContainerSpec(t *testing.T) {
	spec := runtime.ContainerSpec{
		Name: "mini-dev-server-0", Hostname: "mini-dev-server-0", Image: "mini/node:x",
		Cmd: []string{"server"}, Env: []string{"K3S_TOKEN=t"}, Labels: map[string]string{"a": "b"},
		Network: "mini-dev", IP: "172.30.0.10",
		Ports:  []runtime.PortMapping{{HostIP: "127.0.0.1", HostPort: 40000, ContainerPort: 6443}},
		Mounts: []runtime.Mount{{Type: runtime.MountVolume, Source: "vol", Target: "/var/lib/mini"}, {Type: runtime.MountBind, Source: "/src", Target: "/dst", ReadOnly: true}},
		Tmpfs:  []string{"/run", "/tmp"}, Devices: []string{"/dev/kmsg"},
		Init: true, CgroupnsPrivate: true, RestartPolicy: "unless-stopped", MemoryBytes: 1 << 30,
		CapAdd: []string{"ALL"}, CapDrop: []string{"SYS_RESOURCE"}, SecurityOpt: []string{"seccomp=unconfined", "systempaths=unconfined"},
		DeviceCgroupRules: []string{"a *:* rwm"},
		ExtraHosts:        []string{"host.mini.internal:host-gateway"},
	}
	got, err := translateContainerSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	port := nat.Port("6443/tcp")
	if _, ok := got.Config.ExposedPorts[port]; !ok || got.Config.Hostname != spec.Name || got.Config.Labels["a"] != "b" {
		t.Errorf("config = %+v", got.Config)
	}
	h := got.HostConfig
	if b := h.PortBindings[port]; len(b) != 1 || b[0] != (nat.PortBinding{HostIP: "127.0.0.1", HostPort: "40000"}) {
		t.Errorf("port bindings = %+v", h.PortBindings)
	}
	if h.Init == nil || !*h.Init || h.CgroupnsMode != container.CgroupnsModePrivate || h.RestartPolicy.Name != container.RestartPolicyUnlessStopped {
		t.Errorf("init/cgroupns/restart = %v %v %v", h.Init, h.CgroupnsMode, h.RestartPolicy)
	}
	if h.Privileged || !reflect.DeepEqual([]string(h.CapAdd), []string{"ALL"}) || !reflect.DeepEqual([]string(h.CapDrop), []string{"SYS_RESOURCE"}) {
		t.Errorf("caps = %v %v", h.CapAdd, h.CapDrop)
	}
	if !reflect.DeepEqual(h.SecurityOpt, []string{"seccomp=unconfined"}) || h.MaskedPaths == nil || len(h.MaskedPaths) != 0 || h.ReadonlyPaths == nil || len(h.ReadonlyPaths) != 0 {
		t.Errorf("systempaths=unconfined must become empty path lists: %v %v %v", h.SecurityOpt, h.MaskedPaths, h.ReadonlyPaths)
	}
	if h.Resources.Memory != 1<<30 || !reflect.DeepEqual(h.Resources.DeviceCgroupRules, []string{"a *:* rwm"}) ||
		len(h.Resources.Devices) != 1 || h.Resources.Devices[0].PathOnHost != "/dev/kmsg" {
		t.Errorf("resources = %+v", h.Resources)
	}
	if !reflect.DeepEqual(h.ExtraHosts, []string{"host.mini.internal:host-gateway"}) {
		t.Errorf("extra hosts = %v", h.ExtraHosts)
	}
	if !reflect.DeepEqual(h.Tmpfs, map[string]string{"/run": "", "/tmp": ""}) {
		t.Errorf("tmpfs = %v", h.Tmpfs)
	}
	wantMounts := []mount.Mount{{Type: mount.TypeVolume, Source: "vol", Target: "/var/lib/mini"}, {Type: mount.TypeBind, Source: "/src", Target: "/dst", ReadOnly: true}}
	if !reflect.DeepEqual(h.Mounts, wantMounts) {
		t.Errorf("mounts = %+v", h.Mounts)
	}
	ep := got.Networking.EndpointsConfig["mini-dev"]
	if h.NetworkMode != "mini-dev" || ep == nil || ep.IPAMConfig == nil || ep.IPAMConfig.IPv4Address != "172.30.0.10" {
		t.Errorf("network = %v %+v", h.NetworkMode, ep)
	}
}

func TestTranslateContainerSpecErrors(t *testing.T) {
	for _, spec := range []runtime.ContainerSpec{
		{Image: "x"},
		{Name: "x"},
		{Name: "x", Image: "y", Mounts: []runtime.Mount{{Type: "nfs"}}},
		{Name: "x", Image: "y", Ports: []runtime.PortMapping{{ContainerPort: 1, Protocol: "bogus/"}}},
	} {
		if _, err := translateContainerSpec(spec); err == nil {
			t.Errorf("translateContainerSpec(%+v) = nil error", spec)
		}
	}
}

func TestTranslatePrivileged(t *testing.T) {
	got, err := translateContainerSpec(runtime.ContainerSpec{Name: "p", Image: "i", Privileged: true})
	if err != nil || !got.HostConfig.Privileged || got.HostConfig.Init != nil || got.Networking.EndpointsConfig != nil {
		t.Errorf("privileged spec: %+v %v", got.HostConfig, err)
	}
}

func TestTranslateNetworkSpec(t *testing.T) {
	got := translateNetworkSpec(runtime.NetworkSpec{Name: "n", Subnet: "172.30.1.0/24", Gateway: "172.30.1.1", Labels: map[string]string{"k": "v"}})
	want := network.CreateOptions{Driver: "bridge", Labels: map[string]string{"k": "v"},
		IPAM: &network.IPAM{Config: []network.IPAMConfig{{Subnet: "172.30.1.0/24", Gateway: "172.30.1.1"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("translateNetworkSpec = %+v, want %+v", got, want)
	}
}

func TestTranslateInspectAndSummary(t *testing.T) {
	in := container.InspectResponse{
		ContainerJSONBase: &container.ContainerJSONBase{ID: "id", Name: "/mini-dev-lb",
			State:      &container.State{Status: container.StateRunning, Running: true},
			HostConfig: &container.HostConfig{PortBindings: nat.PortMap{"6443/tcp": {{HostIP: "127.0.0.1", HostPort: "40000"}}}}},
		Config:          &container.Config{Image: "mini/lb:1", Labels: map[string]string{"k": "v"}, Env: []string{"A=1"}},
		NetworkSettings: &container.NetworkSettings{Networks: map[string]*network.EndpointSettings{"mini-dev": {IPAddress: "172.30.0.2"}}},
		Mounts: []container.MountPoint{
			{Type: mount.TypeVolume, Name: "vol", Source: "/var/lib/docker/volumes/vol/_data", Destination: "/data", RW: true},
			{Type: mount.TypeBind, Source: "/src", Destination: "/dst"},
			{Type: mount.TypeTmpfs, Destination: "/run"},
		},
	}
	c := translateInspect(in)
	if c.Name != "mini-dev-lb" || !c.Running || c.IPs["mini-dev"] != "172.30.0.2" || len(c.Ports) != 1 || c.Ports[0].HostPort != 40000 {
		t.Errorf("translateInspect = %+v", c)
	}
	// A volume is named by its name, not its path on the host.
	wantMounts := []runtime.Mount{{Type: runtime.MountVolume, Source: "vol", Target: "/data"}, {Type: runtime.MountBind, Source: "/src", Target: "/dst", ReadOnly: true}}
	if !reflect.DeepEqual(c.Mounts, wantMounts) || !reflect.DeepEqual(c.Env, []string{"A=1"}) {
		t.Errorf("translateInspect env %v, mounts %+v", c.Env, c.Mounts)
	}
	s := translateSummary(container.Summary{ID: "id", Names: []string{"/x"}, State: container.StateExited, Labels: map[string]string{"a": "b"},
		Ports: []container.Port{{IP: "127.0.0.1", PrivatePort: 6443, PublicPort: 40000, Type: "tcp"}, {PrivatePort: 80}}})
	if s.Name != "x" || s.Running || s.State != "exited" || len(s.Ports) != 1 {
		t.Errorf("translateSummary = %+v", s)
	}
}

func TestLabelArgsSorted(t *testing.T) {
	got := labelArgs(map[string]string{"b": "2", "a": "1"})
	if !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
		t.Errorf("labelArgs = %v", got)
	}
}
