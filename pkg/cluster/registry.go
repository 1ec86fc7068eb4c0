package cluster

import (
	"context"
	"sort"
	"strconv"

	"github.com/minictl/mini/pkg/registry"
	"github.com/minictl/mini/pkg/runtime"
)

// RoleRegistry is the LabelRole of registry containers.
const RoleRegistry = "registry"

// Registry labels: with LabelApp and LabelRole they are a registry's state.
const (
	// LabelRegistryName is the registry's name (mini registry create NAME).
	LabelRegistryName = "dev.mini.registry.name"
	// LabelRegistryProxy is the upstream URL of a pull-through cache.
	LabelRegistryProxy = "dev.mini.registry.proxy-remote-url"
	// LabelRegistryHostIP and LabelRegistryHostPort are where the host
	// reaches the registry; kept as labels because a stopped container
	// publishes no port, but the registry's name for the host stays.
	LabelRegistryHostIP   = "dev.mini.registry.host-ip"
	LabelRegistryHostPort = "dev.mini.registry.host-port"
	// LabelRegistryOwner is the cluster that created the registry with
	// --registry-create and deletes it with itself; empty for one made by
	// `mini registry create`, which outlives every cluster using it.
	LabelRegistryOwner = "dev.mini.registry.owner"
	// LabelRegistryVolume is "true" on the data volume mini made for a
	// registry (deleted with it); a --volume of the user's is never.
	LabelRegistryVolume = "dev.mini.registry.volume"
)

// Registry is a registry container as `mini registry list` shows it.
type Registry struct {
	Name      string `json:"name" yaml:"name"`
	Container string `json:"container" yaml:"container"`
	State     string `json:"state" yaml:"state"`
	Running   bool   `json:"running" yaml:"running"`
	// Host is how the host and, through the nodes' mirrors, the pods of
	// clusters using it name the registry: localhost:PORT.
	Host     string `json:"host" yaml:"host"`
	HostIP   string `json:"hostIP" yaml:"hostIP"`
	HostPort int    `json:"hostPort" yaml:"hostPort"`
	// ProxyRemoteURL makes it a pull-through cache of that registry.
	ProxyRemoteURL string `json:"proxyRemoteURL,omitempty" yaml:"proxyRemoteURL,omitempty"`
	// Owner is the cluster that created it (and will delete it).
	Owner string `json:"owner,omitempty" yaml:"owner,omitempty"`
	// Networks are the networks it is attached to, with its IP there.
	Networks map[string]string `json:"networks" yaml:"networks"`
}

func (r Registry) forNodes() registry.Registry {
	return registry.Registry{Container: r.Container, HostPort: r.HostPort, ProxyRemoteURL: r.ProxyRemoteURL}
}

// registrySelector selects every registry container.
func registrySelector() map[string]string {
	return map[string]string{LabelApp: AppName, LabelRole: RoleRegistry}
}

// Registries lists the registry containers, sorted by name; with names,
// only those, and a missing one is an error.
func (p *Provider) Registries(ctx context.Context, names ...string) ([]Registry, error) {
	cs, err := p.rt.ListContainers(ctx, registrySelector())
	if err != nil {
		return nil, err
	}
	byName := map[string]Registry{}
	for _, c := range cs {
		r := registryFromContainer(c)
		byName[r.Name] = r
	}
	var out []Registry
	if len(names) == 0 {
		for _, r := range byName {
			out = append(out, r)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	for _, n := range names {
		r, ok := byName[n]
		if !ok {
			return nil, &notFoundError{kind: "registry", name: n}
		}
		out = append(out, r)
	}
	return out, nil
}

func registryFromContainer(c runtime.Container) Registry {
	l := c.Labels
	r := Registry{Name: l[LabelRegistryName], Container: c.Name, State: c.State, Running: c.Running,
		ProxyRemoteURL: l[LabelRegistryProxy], Owner: l[LabelRegistryOwner], Networks: c.IPs}
	r.HostIP = l[LabelRegistryHostIP]
	r.HostPort, _ = strconv.Atoi(l[LabelRegistryHostPort])
	r.Host = registry.Registry{HostPort: r.HostPort}.HostRef()
	return r
}
