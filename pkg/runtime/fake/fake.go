package fake

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/minictl/mini/pkg/runtime"
)

// Hooks let a test change behaviour. A hook returning a non-nil error makes
// the call fail with it before any state changes.
type Hooks struct {
	CreateContainer func(spec runtime.ContainerSpec) error
	StartContainer  func(name string) error
	StopContainer   func(name string) error
	CreateNetwork   func(spec runtime.NetworkSpec) error
	CreateVolume    func(spec runtime.VolumeSpec) error
	// Exec replaces the default exec behaviour (which serves `cat PATH` from
	// Files and answers 0 to everything else).
	Exec func(name string, spec runtime.ExecSpec) (int, error)
}

// Container is the fake's record of a container.
type Container struct {
	Spec    runtime.ContainerSpec
	Running bool
	// Files holds file contents by absolute path, served to `cat` execs and
	// written by CopyTo.
	Files map[string][]byte
	// Connected maps the networks ConnectNetwork attached the container to
	// (besides Spec.Network) to its IP there.
	Connected map[string]string
	// Output is what Logs returns (default "logs of NAME\n").
	Output string
	// Restarts is the restart count InspectContainer reports.
	Restarts int
}

// Runtime is an in-memory engine.
type Runtime struct {
	Hooks Hooks
	// EngineInfo is returned by Info.
	EngineInfo runtime.Info

	mu         sync.Mutex
	calls      []string
	containers map[string]*Container
	networks   map[string]runtime.Network
	volumes    map[string]runtime.Volume
	images     map[string]bool
	imageIDs   map[string]string
	// registry holds published images and their sizes; pulls the
	// references PullImage was asked for.
	registry map[string]int64
	pulls    []string
	seq      int
}

var _ runtime.Runtime = (*Runtime)(nil)

// New returns an empty engine holding the given images.
func New(images ...string) *Runtime {
	r := &Runtime{
		EngineInfo: runtime.Info{ID: "fake", Name: "fake", Local: true},
		containers: map[string]*Container{},
		networks:   map[string]runtime.Network{},
		volumes:    map[string]runtime.Volume{},
		images:     map[string]bool{},
		imageIDs:   map[string]string{},
	}
	for _, i := range images {
		r.images[i] = true
	}
	return r
}

func (r *Runtime) record(format string, args ...any) {
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

// Calls returns the ordered log of state-changing calls, e.g.
// "CreateContainer mini-dev-server-0".
func (r *Runtime) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// AddImage makes an image present.
func (r *Runtime) AddImage(ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.images[ref] = true
}

// ContainerNames lists existing containers, sorted.
func (r *Runtime) ContainerNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sortedKeys(r.containers)
}

// NetworkNames lists existing networks, sorted.
func (r *Runtime) NetworkNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sortedKeys(r.networks)
}

// VolumeNames lists existing volumes, sorted.
func (r *Runtime) VolumeNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sortedKeys(r.volumes)
}

// Container returns the record of a container, or nil.
func (r *Runtime) Container(name string) *Container {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.containers[name]
}

// SetFile puts a file into a container, as if a process had written it.
func (r *Runtime) SetFile(container, path string, content []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[container]
	if !ok {
		return fmt.Errorf("container %s: %w", container, runtime.ErrNotFound)
	}
	c.Files[path] = content
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func copyLabels(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// Info returns EngineInfo.
func (r *Runtime) Info(ctx context.Context) (runtime.Info, error) {
	if err := ctx.Err(); err != nil {
		return runtime.Info{}, err
	}
	return r.EngineInfo, nil
}

// ImageExists reports whether the image was added.
func (r *Runtime) ImageExists(ctx context.Context, ref string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.images[ref], nil
}

// SetImageID makes an image present with that ID (images added otherwise
// get the ID "sha256:id-of-REF").
func (r *Runtime) SetImageID(ref, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.images[ref] = true
	r.imageIDs[ref] = id
}

// InspectImage reports an image that was added.
func (r *Runtime) InspectImage(ctx context.Context, ref string) (runtime.Image, error) {
	if err := ctx.Err(); err != nil {
		return runtime.Image{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.images[ref] {
		return runtime.Image{}, fmt.Errorf("inspecting image %s: %w", ref, runtime.ErrNotFound)
	}
	id := r.imageIDs[ref]
	if id == "" {
		id = "sha256:id-of-" + ref
	}
	return runtime.Image{ID: id, RepoTags: []string{ref}, OS: "linux", Arch: "amd64"}, nil
}

// SaveImages writes the refs, one a line, as a stand-in for an archive.
func (r *Runtime) SaveImages(ctx context.Context, refs []string, w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ref := range refs {
		if !r.images[ref] {
			return fmt.Errorf("image %s: %w", ref, runtime.ErrNotFound)
		}
	}
	_, err := io.WriteString(w, strings.Join(refs, "\n"))
	return err
}

// StopContainer marks a container stopped.
func (r *Runtime) StopContainer(ctx context.Context, name string, _ time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if h := r.Hooks.StopContainer; h != nil {
		if err := h(name); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return fmt.Errorf("stopping container %s: %w", name, runtime.ErrNotFound)
	}
	r.record("StopContainer %s", name)
	c.Running = false
	return nil
}

// NodeKubeconfig is a kubeconfig as a node writes it (entries named
// "default", server on 127.0.0.1:6443), for tests that read one.
const NodeKubeconfig = `apiVersion: v1
kind: Config
clusters:
- cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: Q0E=}
  name: default
contexts:
- context: {cluster: default, user: default}
  name: default
current-context: default
users:
- name: default
  user: {token: abc}
`

// ServeKubeconfig is an Exec hook under which every server container
// (name containing "-server-") answers `cat PATH` with NodeKubeconfig, as
// if its API server were ready; other commands exit 0.
func ServeKubeconfig(name string, spec runtime.ExecSpec) (int, error) {
	if len(spec.Cmd) == 2 && spec.Cmd[0] == "cat" && strings.Contains(name, "-server-") && spec.Stdout != nil {
		_, _ = io.WriteString(spec.Stdout, NodeKubeconfig)
	}
	return 0, nil
}
