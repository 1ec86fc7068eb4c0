package fake

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// Publish puts an image of size bytes in the fake's registry, where
// PullImage finds it.
func (r *Runtime) Publish(ref string, size int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.registry == nil {
		r.registry = map[string]int64{}
	}
	r.registry[ref] = size
}

// RemoveImage makes an image absent from the engine (not the registry).
func (r *Runtime) RemoveImage(ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.images, ref)
}

// Pulls lists the references PullImage was asked for, in order.
func (r *Runtime) Pulls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.pulls...)
}

// PullImage takes a published image into the engine, reporting progress
// as the engine does: a first report with nothing done, then the whole. A
// reference nobody published fails as a registry without it would.
func (r *Runtime) PullImage(ctx context.Context, ref string, progress func(runtime.PullProgress)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	r.pulls = append(r.pulls, ref)
	r.record("PullImage %s", ref)
	size, ok := r.registry[ref]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("pulling image %s: manifest unknown: %w", ref, runtime.ErrNotFound)
	}
	report := func(p runtime.PullProgress) {
		if progress != nil {
			progress(p)
		}
	}
	report(runtime.PullProgress{Ref: ref, Total: size, Layers: 1})
	r.mu.Lock()
	r.images[ref] = true
	r.mu.Unlock()
	report(runtime.PullProgress{Ref: ref, Done: size, Total: size, Layers: 1, LayersDone: 1, Finished: true})
	return nil
}

// LoadImages reads what SaveImages writes, a tagged reference a line, and
// makes those images present; anything else is refused, as the engine
// refuses a file that is no archive.
func (r *Runtime) LoadImages(ctx context.Context, archive io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := io.ReadAll(archive)
	if err != nil {
		return err
	}
	refs := strings.Split(string(b), "\n")
	for _, ref := range refs {
		if !strings.Contains(ref, ":") || strings.ContainsAny(ref, " \t") {
			return fmt.Errorf("loading images: archive/tar: invalid tar header")
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.record("LoadImages")
	for _, ref := range refs {
		r.images[ref] = true
	}
	return nil
}
