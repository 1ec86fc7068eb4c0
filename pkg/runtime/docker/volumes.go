package docker

import (
	"context"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"

	"github.com/minictl/mini/pkg/runtime"
)

// CreateVolume creates a named volume.
func (r *Runtime) CreateVolume(ctx context.Context, spec runtime.VolumeSpec) error {
	_, err := r.cli.VolumeCreate(ctx, volume.CreateOptions{Name: spec.Name, Labels: spec.Labels})
	return classify(err, "creating volume "+spec.Name)
}

// RemoveVolume removes a named volume.
func (r *Runtime) RemoveVolume(ctx context.Context, name string) error {
	return classify(r.cli.VolumeRemove(ctx, name, false), "removing volume "+name)
}

// ListVolumes lists volumes with every label.
func (r *Runtime) ListVolumes(ctx context.Context, labels map[string]string) ([]runtime.Volume, error) {
	args := filters.NewArgs()
	for _, l := range labelArgs(labels) {
		args.Add("label", l)
	}
	resp, err := r.cli.VolumeList(ctx, volume.ListOptions{Filters: args})
	if err != nil {
		return nil, classify(err, "listing volumes")
	}
	out := make([]runtime.Volume, 0, len(resp.Volumes))
	for _, v := range resp.Volumes {
		if v != nil {
			out = append(out, runtime.Volume{Name: v.Name, Labels: v.Labels})
		}
	}
	return out, nil
}
