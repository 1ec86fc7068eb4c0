package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// DeleteRegistries removes registries (all with all), their data volume
// when mini made it, and the registry network once no registry is left.
// Clusters using a deleted registry can no longer pull from it: they are
// named in a warning.
func (p *Provider) DeleteRegistries(ctx context.Context, names []string, all bool) error {
	regs, err := p.Registries(ctx, names...)
	if err != nil {
		return err
	}
	if all && len(regs) == 0 {
		p.log.Infof("No registry to delete")
	}
	var errs []error
	for _, r := range regs {
		if users := r.clusterNetworks(); len(users) > 0 {
			p.log.Warnf("registry %s is used by the cluster network(s) %s; their nodes can no longer pull from it", r.Name, strings.Join(users, ", "))
		}
		err := p.runSteps(ctx, []step{{"Deleting registry " + r.Name, func(ctx context.Context) error {
			return p.removeRegistry(ctx, r.Name)
		}}})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// clusterNetworks are the networks other than the registry network the
// registry is attached to.
func (r Registry) clusterNetworks() []string {
	var out []string
	for n := range r.Networks {
		if n != RegistryNetwork {
			out = append(out, n)
		}
	}
	return out
}

// removeRegistry removes a registry's container and the volume mini made
// for it, then the registry network if no registry uses it any more. A
// user's --volume stays. Missing pieces are fine: it also cleans up after
// a half-made registry.
func (p *Provider) removeRegistry(ctx context.Context, name string) error {
	var errs []error
	keep := func(err error) {
		if err != nil && !runtime.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	keep(p.rt.RemoveContainer(ctx, RegistryContainer(name), runtime.RemoveOptions{Force: true}))
	vols, err := p.rt.ListVolumes(ctx, map[string]string{LabelApp: AppName, LabelRegistryName: name, LabelRegistryVolume: "true"})
	keep(err)
	for _, v := range vols {
		keep(p.rt.RemoveVolume(ctx, v.Name))
	}
	left, err := p.rt.ListContainers(ctx, registrySelector())
	keep(err)
	if err == nil && len(left) == 0 {
		if err := p.rt.RemoveNetwork(ctx, RegistryNetwork); err != nil && !runtime.IsNotFound(err) {
			// Something else joined it; leaving it is harmless.
			p.log.Debugf("keeping network %s: %v", RegistryNetwork, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing registry %s: %w", name, err)
	}
	return nil
}
