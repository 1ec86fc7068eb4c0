package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"

	"github.com/minictl/mini/pkg/runtime"
)

// PullImage pulls ref with the user's credentials for its registry,
// turning the engine's message stream into progress reports. The stream
// ends with an error message, not an HTTP error, when the registry fails
// after the pull started (a denied or missing manifest on some engines, a
// broken connection).
func (r *Runtime) PullImage(ctx context.Context, ref string, progress func(runtime.PullProgress)) error {
	auth, err := r.creds.encoded(ctx, ref)
	if err != nil {
		return fmt.Errorf("pulling image %s: %w", ref, err)
	}
	rc, err := r.cli.ImagePull(ctx, ref, image.PullOptions{RegistryAuth: auth})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pulling image %s: %w", ref, err)
		}
		return &pullError{ref: ref, reason: strings.TrimPrefix(err.Error(), "Error response from daemon: "), notFound: cerrdefs.IsNotFound(err)}
	}
	defer rc.Close()
	t := newPullTracker(ref)
	dec := json.NewDecoder(rc)
	for {
		var m pullMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("pulling image %s: reading the engine's progress: %w", ref, err)
		}
		if msg := m.err(); msg != "" {
			// Only text here: the stream carries no error type.
			return &pullError{ref: ref, reason: msg, notFound: strings.Contains(msg, "not found") || strings.Contains(msg, "manifest unknown")}
		}
		if t.update(m) && progress != nil {
			progress(t.report(false))
		}
	}
	if progress != nil {
		progress(t.report(true))
	}
	return nil
}

// pullError is a pull the engine refused, in its words without the
// "Error response from daemon" prefix; errors.Is(err, runtime.ErrNotFound)
// says the registry has no such image.
type pullError struct {
	ref, reason string
	notFound    bool
}

func (e *pullError) Error() string { return "pulling image " + e.ref + ": " + e.reason }

// Is makes a missing image an ErrNotFound.
func (e *pullError) Is(target error) bool { return e.notFound && target == runtime.ErrNotFound }

// pullMessage is one JSON message of the engine's pull stream.
type pullMessage struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	ProgressDetail struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

func (m pullMessage) err() string {
	if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
		return m.ErrorDetail.Message
	}
	return m.Error
}

// layerState is what the stream said of one layer.
type layerState struct {
	done, total int64
	complete    bool
}

// pullTracker sums the layers' progress into one report per image.
type pullTracker struct {
	ref    string
	layers map[string]*layerState
	order  []string
}

func newPullTracker(ref string) *pullTracker {
	return &pullTracker{ref: ref, layers: map[string]*layerState{}}
}

// update applies a message; it reports whether it was about a layer.
// Messages without an ID, or about the tag ("Pulling from …"), are not.
func (t *pullTracker) update(m pullMessage) bool {
	if m.ID == "" || strings.HasPrefix(m.Status, "Pulling from") {
		return false
	}
	l := t.layers[m.ID]
	if l == nil {
		l = &layerState{}
		t.layers[m.ID] = l
		t.order = append(t.order, m.ID)
	}
	switch {
	case m.Status == "Downloading":
		l.done, l.total = m.ProgressDetail.Current, m.ProgressDetail.Total
	case m.Status == "Download complete", m.Status == "Verifying Checksum", m.Status == "Extracting":
		l.done = l.total
	case m.Status == "Pull complete", m.Status == "Already exists":
		l.done, l.complete = l.total, true
	}
	return true
}

func (t *pullTracker) report(finished bool) runtime.PullProgress {
	p := runtime.PullProgress{Ref: t.ref, Layers: len(t.order), Finished: finished}
	for _, id := range t.order {
		l := t.layers[id]
		p.Done += l.done
		p.Total += l.total
		if l.complete {
			p.LayersDone++
		}
	}
	return p
}
