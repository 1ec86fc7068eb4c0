package fake

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// CreateContainer records a container; the image and network must exist.
func (r *Runtime) CreateContainer(ctx context.Context, spec runtime.ContainerSpec) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if h := r.Hooks.CreateContainer; h != nil {
		if err := h(spec); err != nil {
			return "", err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.containers[spec.Name]; ok {
		return "", fmt.Errorf("creating container %s: %w", spec.Name, runtime.ErrConflict)
	}
	if !r.images[spec.Image] {
		return "", fmt.Errorf("creating container %s: image %s: %w", spec.Name, spec.Image, runtime.ErrNotFound)
	}
	if spec.Network != "" {
		if _, ok := r.networks[spec.Network]; !ok {
			return "", fmt.Errorf("creating container %s: network %s: %w", spec.Name, spec.Network, runtime.ErrNotFound)
		}
	}
	for _, m := range spec.Mounts {
		if m.Type == runtime.MountVolume {
			if _, ok := r.volumes[m.Source]; !ok {
				// Like Docker, a named volume that does not exist is created.
				r.volumes[m.Source] = runtime.Volume{Name: m.Source, Labels: map[string]string{}}
			}
		}
	}
	r.seq++
	spec.Labels = copyLabels(spec.Labels)
	r.containers[spec.Name] = &Container{Spec: spec, Files: map[string][]byte{}}
	r.record("CreateContainer %s", spec.Name)
	return fmt.Sprintf("id%d", r.seq), nil
}

// StartContainer marks a container running.
func (r *Runtime) StartContainer(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if h := r.Hooks.StartContainer; h != nil {
		if err := h(name); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return fmt.Errorf("starting container %s: %w", name, runtime.ErrNotFound)
	}
	if err := r.portClash(name, c); err != nil {
		return err
	}
	r.record("StartContainer %s", name)
	c.Running = true
	return nil
}

// portClash refuses to start a container publishing a host port that a
// running one publishes already, as an engine does ("port is already
// allocated"). Ports the engine picks (0) never clash.
func (r *Runtime) portClash(name string, c *Container) error {
	for other, o := range r.containers {
		if other == name || !o.Running {
			continue
		}
		for _, a := range c.Spec.Ports {
			for _, b := range o.Spec.Ports {
				if a.HostPort != 0 && a.HostPort == b.HostPort && proto(a) == proto(b) && (a.HostIP == b.HostIP || wildcard(a.HostIP) || wildcard(b.HostIP)) {
					return fmt.Errorf("starting container %s: bind for %s:%d failed: port is already allocated (by %s): %w", name, a.HostIP, a.HostPort, other, runtime.ErrConflict)
				}
			}
		}
	}
	return nil
}

func proto(p runtime.PortMapping) string {
	if p.Protocol == "" {
		return "tcp"
	}
	return p.Protocol
}

func wildcard(ip string) bool { return ip == "" || ip == "0.0.0.0" || ip == "::" }

// RemoveContainer deletes a container; a running one needs Force.
func (r *Runtime) RemoveContainer(ctx context.Context, name string, opts runtime.RemoveOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return fmt.Errorf("removing container %s: %w", name, runtime.ErrNotFound)
	}
	if c.Running && !opts.Force {
		return fmt.Errorf("removing container %s: it is running: %w", name, runtime.ErrConflict)
	}
	r.record("RemoveContainer %s", name)
	delete(r.containers, name)
	return nil
}

func (r *Runtime) toContainer(name string, c *Container) runtime.Container {
	state := "created"
	if c.Running {
		state = "running"
	}
	out := runtime.Container{ID: name, Name: name, Image: c.Spec.Image, Labels: copyLabels(c.Spec.Labels),
		State: state, Running: c.Running, IPs: map[string]string{}, Ports: c.Spec.Ports}
	if c.Spec.Network != "" {
		out.IPs[c.Spec.Network] = c.Spec.IP
	}
	for n, ip := range c.Connected {
		out.IPs[n] = ip
	}
	return out
}

// RenameContainer renames a container; the new name must be free.
func (r *Runtime) RenameContainer(ctx context.Context, name, newName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return fmt.Errorf("renaming container %s: %w", name, runtime.ErrNotFound)
	}
	if _, ok := r.containers[newName]; ok {
		return fmt.Errorf("renaming container %s to %s: %w", name, newName, runtime.ErrConflict)
	}
	r.record("RenameContainer %s %s", name, newName)
	delete(r.containers, name)
	c.Spec.Name = newName
	r.containers[newName] = c
	return nil
}

// InspectContainer reports a container.
func (r *Runtime) InspectContainer(ctx context.Context, name string) (runtime.Container, error) {
	if err := ctx.Err(); err != nil {
		return runtime.Container{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return runtime.Container{}, fmt.Errorf("inspecting container %s: %w", name, runtime.ErrNotFound)
	}
	out := r.toContainer(name, c)
	out.Restarts = c.Restarts // as Docker: inspect only, not in lists
	out.Env = append([]string(nil), c.Spec.Env...)
	out.Mounts = append([]runtime.Mount(nil), c.Spec.Mounts...)
	return out, nil
}

// ListContainers lists containers with every label, sorted by name.
func (r *Runtime) ListContainers(ctx context.Context, labels map[string]string) ([]runtime.Container, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []runtime.Container
	for _, name := range sortedKeys(r.containers) {
		c := r.containers[name]
		if hasLabels(c.Spec.Labels, labels) {
			out = append(out, r.toContainer(name, c))
		}
	}
	return out, nil
}

// Exec serves `cat PATH` from the container's Files and answers 0 to the
// rest, unless Hooks.Exec is set.
func (r *Runtime) Exec(ctx context.Context, name string, spec runtime.ExecSpec) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	r.mu.Lock()
	c, ok := r.containers[name]
	if ok {
		r.record("Exec %s %s", name, strings.Join(spec.Cmd, " "))
	}
	r.mu.Unlock()
	if !ok {
		return -1, fmt.Errorf("exec in container %s: %w", name, runtime.ErrNotFound)
	}
	if h := r.Hooks.Exec; h != nil {
		return h(name, spec)
	}
	if !c.Running {
		return -1, fmt.Errorf("exec in container %s: not running: %w", name, runtime.ErrConflict)
	}
	if spec.Stdin != nil {
		_, _ = io.Copy(io.Discard, spec.Stdin)
	}
	if len(spec.Cmd) == 2 && spec.Cmd[0] == "cat" {
		r.mu.Lock()
		data, ok := c.Files[spec.Cmd[1]]
		r.mu.Unlock()
		if !ok {
			if spec.Stderr != nil {
				fmt.Fprintf(spec.Stderr, "cat: %s: No such file or directory\n", spec.Cmd[1])
			}
			return 1, nil
		}
		if spec.Stdout != nil {
			_, _ = spec.Stdout.Write(data)
		}
	}
	return 0, nil
}

// CopyTo stores the regular files of the tar stream under dir.
func (r *Runtime) CopyTo(ctx context.Context, name, dir string, tarStream io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return fmt.Errorf("copying into container %s: %w", name, runtime.ErrNotFound)
	}
	r.record("CopyTo %s %s", name, dir)
	tr := tar.NewReader(tarStream)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copying into container %s: %w", name, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		c.Files[path.Join(dir, h.Name)] = data
	}
}

// CopyFrom returns a one-file tar of path.
func (r *Runtime) CopyFrom(ctx context.Context, name, p string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[name]
	if !ok {
		return nil, fmt.Errorf("copying from container %s: %w", name, runtime.ErrNotFound)
	}
	data, ok := c.Files[p]
	if !ok {
		return nil, fmt.Errorf("copying %s from container %s: %w", p, name, runtime.ErrNotFound)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: path.Base(p), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
	_, _ = tw.Write(data)
	_ = tw.Close()
	return io.NopCloser(&buf), nil
}

// Logs writes a fixed line.
func (r *Runtime) Logs(ctx context.Context, name string, w io.Writer) error {
	r.mu.Lock()
	c, ok := r.containers[name]
	var out string
	if ok {
		out = c.Output
	}
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("logs of container %s: %w", name, runtime.ErrNotFound)
	}
	if out == "" {
		out = "logs of " + name + "\n"
	}
	_, err := io.WriteString(w, out)
	return err
}
