package fake

import (
	"context"
	"fmt"

	"github.com/minictl/mini/pkg/runtime"
)

// CreateNetwork records a network.
func (r *Runtime) CreateNetwork(ctx context.Context, spec runtime.NetworkSpec) (runtime.Network, error) {
	if err := ctx.Err(); err != nil {
		return runtime.Network{}, err
	}
	if h := r.Hooks.CreateNetwork; h != nil {
		if err := h(spec); err != nil {
			return runtime.Network{}, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.networks[spec.Name]; ok {
		return runtime.Network{}, fmt.Errorf("creating network %s: %w", spec.Name, runtime.ErrConflict)
	}
	n := runtime.Network{ID: spec.Name, Name: spec.Name, Labels: copyLabels(spec.Labels)}
	if spec.Subnet != "" {
		n.Subnets = []string{spec.Subnet}
	}
	r.networks[spec.Name] = n
	r.record("CreateNetwork %s", spec.Name)
	return n, nil
}

// AddNetwork makes a network exist without recording a call, as if another
// tool had made it.
func (r *Runtime) AddNetwork(n runtime.Network) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.networks[n.Name] = n
}

// RemoveNetwork deletes a network that no container uses.
func (r *Runtime) RemoveNetwork(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.networks[name]; !ok {
		return fmt.Errorf("removing network %s: %w", name, runtime.ErrNotFound)
	}
	for cname, c := range r.containers {
		if _, connected := c.Connected[name]; c.Spec.Network == name || connected {
			return fmt.Errorf("removing network %s: container %s still uses it: %w", name, cname, runtime.ErrConflict)
		}
	}
	r.record("RemoveNetwork %s", name)
	delete(r.networks, name)
	return nil
}

// InspectNetwork reports a network.
func (r *Runtime) InspectNetwork(ctx context.Context, name string) (runtime.Network, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.networks[name]
	if !ok {
		return runtime.Network{}, fmt.Errorf("inspecting network %s: %w", name, runtime.ErrNotFound)
	}
	return n, nil
}

// ListNetworks lists networks with every label.
func (r *Runtime) ListNetworks(ctx context.Context, labels map[string]string) ([]runtime.Network, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []runtime.Network
	for _, name := range sortedKeys(r.networks) {
		if n := r.networks[name]; hasLabels(n.Labels, labels) {
			out = append(out, n)
		}
	}
	return out, nil
}

// CreateVolume records a volume.
func (r *Runtime) CreateVolume(ctx context.Context, spec runtime.VolumeSpec) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if h := r.Hooks.CreateVolume; h != nil {
		if err := h(spec); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.volumes[spec.Name]; ok {
		return fmt.Errorf("creating volume %s: %w", spec.Name, runtime.ErrConflict)
	}
	r.volumes[spec.Name] = runtime.Volume{Name: spec.Name, Labels: copyLabels(spec.Labels)}
	r.record("CreateVolume %s", spec.Name)
	return nil
}

// RemoveVolume deletes a volume no container mounts.
func (r *Runtime) RemoveVolume(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.volumes[name]; !ok {
		return fmt.Errorf("removing volume %s: %w", name, runtime.ErrNotFound)
	}
	for cname, c := range r.containers {
		for _, m := range c.Spec.Mounts {
			if m.Type == runtime.MountVolume && m.Source == name {
				return fmt.Errorf("removing volume %s: container %s uses it: %w", name, cname, runtime.ErrConflict)
			}
		}
	}
	r.record("RemoveVolume %s", name)
	delete(r.volumes, name)
	return nil
}

// ListVolumes lists volumes with every label.
func (r *Runtime) ListVolumes(ctx context.Context, labels map[string]string) ([]runtime.Volume, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []runtime.Volume
	for _, name := range sortedKeys(r.volumes) {
		if v := r.volumes[name]; hasLabels(v.Labels, labels) {
			out = append(out, v)
		}
	}
	return out, nil
}

// ConnectNetwork attaches a container to a network.
func (r *Runtime) ConnectNetwork(ctx context.Context, network, container, ip string, _ []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[container]
	if !ok {
		return fmt.Errorf("connecting container %s: %w", container, runtime.ErrNotFound)
	}
	if _, ok := r.networks[network]; !ok {
		return fmt.Errorf("connecting container %s to network %s: %w", container, network, runtime.ErrNotFound)
	}
	if _, connected := c.Connected[network]; connected || c.Spec.Network == network {
		return fmt.Errorf("container %s is already on network %s: %w", container, network, runtime.ErrConflict)
	}
	if c.Connected == nil {
		c.Connected = map[string]string{}
	}
	c.Connected[network] = ip
	r.record("ConnectNetwork %s %s", network, container)
	return nil
}

// DisconnectNetwork detaches a container from a network it was connected to.
func (r *Runtime) DisconnectNetwork(ctx context.Context, network, container string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[container]
	if !ok {
		return fmt.Errorf("disconnecting container %s: %w", container, runtime.ErrNotFound)
	}
	if _, connected := c.Connected[network]; !connected {
		return fmt.Errorf("container %s is not on network %s: %w", container, network, runtime.ErrNotFound)
	}
	delete(c.Connected, network)
	r.record("DisconnectNetwork %s %s", network, container)
	return nil
}
