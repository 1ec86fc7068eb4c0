package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/minictl/mini/pkg/runtime"
)

// ImageExists reports whether the image is present in the engine.
func (r *Runtime) ImageExists(ctx context.Context, ref string) (bool, error) {
	_, err := r.cli.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, classify(err, "inspecting image "+ref)
	}
	return true, nil
}

// SaveImages writes a docker-archive tar of the images to w.
func (r *Runtime) SaveImages(ctx context.Context, refs []string, w io.Writer) error {
	rc, err := r.cli.ImageSave(ctx, refs)
	if err != nil {
		return classify(err, fmt.Sprintf("saving images %v", refs))
	}
	defer rc.Close()
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("saving images %v: %w", refs, err)
	}
	return nil
}

// InspectImage reports an image.
func (r *Runtime) InspectImage(ctx context.Context, ref string) (runtime.Image, error) {
	in, err := r.cli.ImageInspect(ctx, ref)
	if err != nil {
		return runtime.Image{}, classify(err, "inspecting image "+ref)
	}
	return runtime.Image{ID: in.ID, RepoTags: in.RepoTags, OS: in.Os, Arch: in.Architecture, Size: in.Size}, nil
}

// LoadImages loads a docker-archive into the engine. The engine reports a
// broken archive in its JSON stream, not as an HTTP error.
func (r *Runtime) LoadImages(ctx context.Context, archive io.Reader) error {
	resp, err := r.cli.ImageLoad(ctx, archive, client.ImageLoadWithQuiet(true))
	if err != nil {
		return classify(err, "loading images")
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var m pullMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("loading images: reading the engine's answer: %w", err)
		}
		if msg := m.err(); msg != "" {
			return fmt.Errorf("loading images: %s", msg)
		}
	}
}
