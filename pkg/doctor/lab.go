package doctor

import (
	"context"
	"errors"
	"fmt"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/runtime"
)

// errNoNodeImage stops the in-container checks: the node image is the one
// image there is offline.
var errNoNodeImage = errors.New("needs the node image")

// lab is the network and the two containers the in-container checks use:
// probe runs the commands, peer is the name probe resolves.
type lab struct {
	network, probe, peer string
}

// labels mark everything doctor makes, so a leftover (doctor killed with
// SIGKILL) is found with `docker ps -a --filter label=dev.mini.role=doctor`.
func labels() map[string]string {
	return map[string]string{cluster.LabelApp: cluster.AppName, cluster.LabelRole: cluster.RoleDoctor}
}

// name is the name of one of doctor's objects.
func (d *doctor) name(what string) string { return "mini-doctor-" + d.opts.ID + "-" + what }

// idleSpec is a container of the node image that only waits, under the
// engine's init so that it stops at once; like a node it has a private
// cgroup namespace, so it sees the cgroups a node would.
func (d *doctor) idleSpec(name, network string) runtime.ContainerSpec {
	return runtime.ContainerSpec{
		Name: name, Hostname: name, Image: d.opts.NodeImage, Labels: labels(), Network: network,
		Entrypoint: []string{"sleep"}, Cmd: []string{"infinity"}, Init: true, CgroupnsPrivate: true,
	}
}

// runContainer creates and starts a container, recording it for cleanup
// as soon as it exists.
func (d *doctor) runContainer(ctx context.Context, spec runtime.ContainerSpec) error {
	if _, err := d.rt.CreateContainer(ctx, spec); err != nil {
		if ctx.Err() != nil {
			// Interrupted mid-request: the engine may have made it anyway.
			d.containers = append(d.containers, spec.Name)
		}
		return fmt.Errorf("creating container %s: %w", spec.Name, err)
	}
	d.containers = append(d.containers, spec.Name)
	if err := d.rt.StartContainer(ctx, spec.Name); err != nil {
		return fmt.Errorf("starting container %s: %w", spec.Name, err)
	}
	return nil
}

// startLab makes a fresh user-defined network, as every cluster has, and
// starts probe and peer on it.
func (d *doctor) startLab(ctx context.Context) (lab, error) {
	l := lab{network: d.name("net"), probe: d.name("probe"), peer: d.name("peer")}
	if _, err := d.rt.CreateNetwork(ctx, runtime.NetworkSpec{Name: l.network, Labels: labels()}); err != nil {
		if ctx.Err() != nil {
			d.networks = append(d.networks, l.network)
		}
		return l, fmt.Errorf("creating network %s: %w", l.network, err)
	}
	d.networks = append(d.networks, l.network)
	for _, name := range []string{l.probe, l.peer} {
		if err := d.runContainer(ctx, d.idleSpec(name, l.network)); err != nil {
			return l, err
		}
	}
	return l, nil
}

// labFailure reports an in-container check that could not run because
// doctor's containers did not start.
func labFailure(name string, err error) Result {
	if errors.Is(err, errNoNodeImage) {
		return notRun(name, err.Error())
	}
	return fail(name, "doctor's test containers did not start: "+err.Error(),
		"containers of the node image must start on a user-defined network, as nodes do; see the engine's log (journalctl -u docker)")
}

// exec runs cmd in a container and returns its stdout; a non-zero exit is
// a *runtime.ExecError carrying the output.
func (d *doctor) exec(ctx context.Context, container string, cmd ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, execTimeout)
	defer cancel()
	out, err := runtime.Run(ctx, d.rt, container, nil, cmd...)
	return string(out), err
}

// cleanup removes what doctor made, containers (and the anonymous volume
// the node image declares) first, then the network; on a context of its
// own, so it also runs after Ctrl-C.
func (d *doctor) cleanup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	for i := len(d.containers) - 1; i >= 0; i-- {
		if err := d.rt.RemoveContainer(ctx, d.containers[i], runtime.RemoveOptions{Force: true, Volumes: true}); err != nil && !runtime.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	for _, n := range d.networks {
		if err := d.rt.RemoveNetwork(ctx, n); err != nil && !runtime.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	d.containers, d.networks = nil, nil
	return errors.Join(errs...)
}
