package docker

import (
	"context"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/minictl/mini/pkg/runtime"
)

// CreateNetwork creates a bridge network.
func (r *Runtime) CreateNetwork(ctx context.Context, spec runtime.NetworkSpec) (runtime.Network, error) {
	resp, err := r.cli.NetworkCreate(ctx, spec.Name, translateNetworkSpec(spec))
	if err != nil {
		return runtime.Network{}, classify(err, "creating network "+spec.Name)
	}
	n := runtime.Network{ID: resp.ID, Name: spec.Name, Labels: spec.Labels}
	if spec.Subnet != "" {
		n.Subnets = []string{spec.Subnet}
	}
	return n, nil
}

// RemoveNetwork removes a network.
func (r *Runtime) RemoveNetwork(ctx context.Context, name string) error {
	return classify(r.cli.NetworkRemove(ctx, name), "removing network "+name)
}

// InspectNetwork reports a network.
func (r *Runtime) InspectNetwork(ctx context.Context, name string) (runtime.Network, error) {
	in, err := r.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err != nil {
		return runtime.Network{}, classify(err, "inspecting network "+name)
	}
	return translateNetwork(in.Name, in.ID, in.Labels, in.IPAM), nil
}

// ListNetworks lists networks with every label.
func (r *Runtime) ListNetworks(ctx context.Context, labels map[string]string) ([]runtime.Network, error) {
	args := filters.NewArgs()
	for _, l := range labelArgs(labels) {
		args.Add("label", l)
	}
	list, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: args})
	if err != nil {
		return nil, classify(err, "listing networks")
	}
	out := make([]runtime.Network, 0, len(list))
	for _, n := range list {
		out = append(out, translateNetwork(n.Name, n.ID, n.Labels, n.IPAM))
	}
	return out, nil
}

func translateNetwork(name, id string, labels map[string]string, ipam network.IPAM) runtime.Network {
	n := runtime.Network{ID: id, Name: name, Labels: labels}
	for _, c := range ipam.Config {
		if c.Subnet != "" {
			n.Subnets = append(n.Subnets, c.Subnet)
		}
	}
	return n
}

// ConnectNetwork attaches a container to a network.
func (r *Runtime) ConnectNetwork(ctx context.Context, net, container, ip string, aliases []string) error {
	settings := &network.EndpointSettings{Aliases: aliases}
	if ip != "" {
		settings.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: ip}
	}
	return classify(r.cli.NetworkConnect(ctx, net, container, settings), "connecting container "+container+" to network "+net)
}

// DisconnectNetwork detaches a container from a network.
func (r *Runtime) DisconnectNetwork(ctx context.Context, net, container string) error {
	return classify(r.cli.NetworkDisconnect(ctx, net, container, true), "disconnecting container "+container+" from network "+net)
}
