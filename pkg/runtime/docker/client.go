package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/minictl/mini/pkg/runtime"
)

// Runtime is the Docker implementation of runtime.Runtime.
type Runtime struct {
	cli   *client.Client
	creds credentials
}

var _ runtime.Runtime = (*Runtime)(nil)

// New creates one client from the environment with API version negotiation;
// callers create it once and pass it around. Pulls use the credentials of
// the docker CLI's config ($DOCKER_CONFIG, else ~/.docker).
func New() (*Runtime, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("creating docker client: %w", err)
	}
	return &Runtime{cli: cli, creds: defaultCredentials(os.Getenv)}, nil
}

// Close releases the client's connections.
func (r *Runtime) Close() error { return r.cli.Close() }

// classify wraps engine errors with mini's sentinels, using the engine's
// typed errors rather than matching message text.
func classify(err error, what string) error {
	if err == nil {
		return nil
	}
	switch {
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("%s: %w: %w", what, runtime.ErrNotFound, err)
	case cerrdefs.IsConflict(err):
		return fmt.Errorf("%s: %w: %w", what, runtime.ErrConflict, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Info reports the engine's identity and whether it is reached locally.
func (r *Runtime) Info(ctx context.Context) (runtime.Info, error) {
	info, err := r.cli.Info(ctx)
	if err != nil {
		return runtime.Info{}, classify(err, "asking the docker engine for its info (is it running? try hack/ensure-docker.sh)")
	}
	host := r.cli.DaemonHost()
	return runtime.Info{ID: info.ID, Name: info.Name, Local: strings.HasPrefix(host, "unix://") || strings.HasPrefix(host, "npipe://"),
		// The Info call above negotiated the API version.
		ServerVersion: info.ServerVersion, APIVersion: r.cli.ClientVersion(), RootDir: info.DockerRootDir,
		CgroupDriver: info.CgroupDriver}, nil
}
