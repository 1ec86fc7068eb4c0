package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/minictl/mini/pkg/runtime"
)

// Delete removes a cluster: its containers, volumes, network (unless it was
// joined with --network) and kubeconfig entries. Deleting a cluster that
// does not exist only warns, so scripts can delete unconditionally.
func (p *Provider) Delete(ctx context.Context, name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	cs, err := p.rt.ListContainers(ctx, clusterSelector(name))
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		p.log.Warnf("cluster %s has no containers; removing any leftovers", name)
	}
	return p.runSteps(ctx, []step{{"Deleting cluster " + name, func(ctx context.Context) error {
		return p.teardown(ctx, name, true)
	}}})
}

// teardown removes everything labelled with the cluster, in reverse order
// of creation: containers, volumes, the network, then kubeconfig entries. It keeps going after an error so one
// stuck object does not leave the rest behind, and reports all errors.
func (p *Provider) teardown(ctx context.Context, name string, kubeconfigToo bool) error {
	var errs []error
	keep := func(err error) {
		if err != nil && !runtime.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	cs, err := p.rt.ListContainers(ctx, clusterSelector(name))
	if err != nil {
		return err
	}
	cl := group(cs)[name]
	var order []string
	for i := len(cl.Agents) - 1; i >= 0; i-- {
		order = append(order, cl.Agents[i].Name)
	}
	for i := len(cl.Servers) - 1; i >= 0; i-- {
		order = append(order, cl.Servers[i].Name)
	}
	if cl.LoadBalancer != nil {
		order = append(order, cl.LoadBalancer.Name)
	}
	// Containers that never got a role label (none today) still go.
	known := map[string]bool{}
	for _, n := range order {
		known[n] = true
	}
	for _, c := range cs {
		if !known[c.Name] {
			order = append(order, c.Name)
		}
	}
	// Containers go in parallel: a forced removal is independent per
	// container and this is most of delete's wall time.
	keep(parallel(order, func(n string) error {
		err := p.rt.RemoveContainer(ctx, n, runtime.RemoveOptions{Force: true, Volumes: true})
		if runtime.IsNotFound(err) {
			return nil
		}
		return err
	}))
	vols, err := p.rt.ListVolumes(ctx, clusterSelector(name))
	keep(err)
	for _, v := range vols {
		keep(p.rt.RemoveVolume(ctx, v.Name))
	}
	// Only networks carrying the cluster's labels were created by mini; an
	// external --network has none and is left alone.
	nets, err := p.rt.ListNetworks(ctx, clusterSelector(name))
	keep(err)
	attached := []string{cl.Network}
	for _, n := range nets {
		if n.Name != cl.Network {
			attached = append(attached, n.Name)
		}
	}
	keep(p.releaseRegistries(ctx, name, attached))
	for _, n := range nets {
		keep(p.rt.RemoveNetwork(ctx, n.Name))
	}
	if kubeconfigToo {
		if err := p.kube.Remove(names(Namer{Cluster: name})); err != nil {
			keep(fmt.Errorf("removing kubeconfig entries: %w", err))
		}
	}
	return errors.Join(errs...)
}
