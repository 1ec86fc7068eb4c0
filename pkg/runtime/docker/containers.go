package docker

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/minictl/mini/pkg/runtime"
)

// CreateContainer creates (but does not start) a container.
func (r *Runtime) CreateContainer(ctx context.Context, spec runtime.ContainerSpec) (string, error) {
	cc, err := translateContainerSpec(spec)
	if err != nil {
		return "", err
	}
	resp, err := r.cli.ContainerCreate(ctx, cc.Config, cc.HostConfig, cc.Networking, nil, spec.Name)
	if err != nil {
		return "", classify(err, "creating container "+spec.Name)
	}
	return resp.ID, nil
}

// StartContainer starts a created or stopped container.
func (r *Runtime) StartContainer(ctx context.Context, name string) error {
	return classify(r.cli.ContainerStart(ctx, name, container.StartOptions{}), "starting container "+name)
}

// StopContainer stops a container, letting the engine kill it after timeout.
func (r *Runtime) StopContainer(ctx context.Context, name string, timeout time.Duration) error {
	secs := int(timeout.Seconds())
	return classify(r.cli.ContainerStop(ctx, name, container.StopOptions{Timeout: &secs}), "stopping container "+name)
}

// RemoveContainer removes a container.
func (r *Runtime) RemoveContainer(ctx context.Context, name string, opts runtime.RemoveOptions) error {
	return classify(r.cli.ContainerRemove(ctx, name, container.RemoveOptions{Force: opts.Force, RemoveVolumes: opts.Volumes}), "removing container "+name)
}

// RenameContainer renames a container.
func (r *Runtime) RenameContainer(ctx context.Context, name, newName string) error {
	return classify(r.cli.ContainerRename(ctx, name, newName), "renaming container "+name+" to "+newName)
}

// InspectContainer reports a container's state.
func (r *Runtime) InspectContainer(ctx context.Context, name string) (runtime.Container, error) {
	in, err := r.cli.ContainerInspect(ctx, name)
	if err != nil {
		return runtime.Container{}, classify(err, "inspecting container "+name)
	}
	return translateInspect(in), nil
}

// ListContainers lists all containers (running or not) with every label.
func (r *Runtime) ListContainers(ctx context.Context, labels map[string]string) ([]runtime.Container, error) {
	args := filters.NewArgs()
	for _, l := range labelArgs(labels) {
		args.Add("label", l)
	}
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		return nil, classify(err, "listing containers")
	}
	out := make([]runtime.Container, 0, len(list))
	for _, s := range list {
		out = append(out, translateSummary(s))
	}
	return out, nil
}

// Exec runs a command and returns its exit code.
func (r *Runtime) Exec(ctx context.Context, name string, spec runtime.ExecSpec) (int, error) {
	created, err := r.cli.ContainerExecCreate(ctx, name, container.ExecOptions{
		Cmd: spec.Cmd, Env: spec.Env, AttachStdin: spec.Stdin != nil, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return -1, classify(err, "creating exec in container "+name)
	}
	att, err := r.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return -1, classify(err, "attaching to exec in container "+name)
	}
	defer att.Close()
	if spec.Stdin != nil {
		go func() {
			// Closing the write side is what tells the command its input ended.
			_, _ = io.Copy(att.Conn, spec.Stdin)
			_ = att.CloseWrite()
		}()
	}
	stdout, stderr := spec.Stdout, spec.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	done := make(chan error, 1)
	go func() { _, err := stdcopy.StdCopy(stdout, stderr, att.Reader); done <- err }()
	select {
	case <-ctx.Done():
		return -1, ctx.Err()
	case err := <-done:
		if err != nil {
			return -1, fmt.Errorf("reading exec output from container %s: %w", name, err)
		}
	}
	// The output stream ends when the process exits, but the engine may
	// record the exit code a moment later; ask until it is there.
	for {
		in, err := r.cli.ContainerExecInspect(ctx, created.ID)
		if err != nil {
			return -1, classify(err, "inspecting exec in container "+name)
		}
		if !in.Running {
			return in.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// CopyTo extracts a tar stream into dir inside the container.
func (r *Runtime) CopyTo(ctx context.Context, name, dir string, tarStream io.Reader) error {
	return classify(r.cli.CopyToContainer(ctx, name, dir, tarStream, container.CopyToContainerOptions{}), "copying into container "+name)
}

// CopyFrom returns a tar stream of path inside the container.
func (r *Runtime) CopyFrom(ctx context.Context, name, path string) (io.ReadCloser, error) {
	rc, _, err := r.cli.CopyFromContainer(ctx, name, path)
	if err != nil {
		return nil, classify(err, "copying "+path+" from container "+name)
	}
	return rc, nil
}

// Logs writes the container's output to w.
func (r *Runtime) Logs(ctx context.Context, name string, w io.Writer) error {
	in, err := r.cli.ContainerInspect(ctx, name)
	if err != nil {
		return classify(err, "inspecting container "+name)
	}
	rc, err := r.cli.ContainerLogs(ctx, name, container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true})
	if err != nil {
		return classify(err, "reading logs of container "+name)
	}
	defer rc.Close()
	if in.Config != nil && in.Config.Tty {
		_, err = io.Copy(w, rc)
	} else {
		_, err = stdcopy.StdCopy(w, w, rc)
	}
	if err != nil {
		return fmt.Errorf("reading logs of container %s: %w", name, err)
	}
	return nil
}
