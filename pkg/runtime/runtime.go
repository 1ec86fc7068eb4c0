package runtime

import (
	"context"
	"io"
	"time"
)

// Runtime is the container engine as mini needs it. Every method takes a
// context first so Ctrl-C and timeouts reach the engine calls.
type Runtime interface {
	Info(ctx context.Context) (Info, error)

	CreateContainer(ctx context.Context, spec ContainerSpec) (id string, err error)
	StartContainer(ctx context.Context, name string) error
	// StopContainer stops a container, waiting at most timeout before the
	// engine kills it.
	StopContainer(ctx context.Context, name string, timeout time.Duration) error
	RemoveContainer(ctx context.Context, name string, opts RemoveOptions) error
	// RenameContainer gives a container another name; settings, labels and
	// state stay. It lets a replacement take the name while the original
	// is kept for a rollback.
	RenameContainer(ctx context.Context, name, newName string) error
	InspectContainer(ctx context.Context, name string) (Container, error)
	// ListContainers lists containers (running or not) carrying every label.
	ListContainers(ctx context.Context, labels map[string]string) ([]Container, error)

	// Exec runs a command and returns its exit code. err is only set when the
	// command could not be run at all.
	Exec(ctx context.Context, name string, spec ExecSpec) (exitCode int, err error)
	// CopyTo extracts a tar stream into dir inside the container.
	CopyTo(ctx context.Context, name, dir string, tarStream io.Reader) error
	// CopyFrom returns a tar stream of path inside the container.
	CopyFrom(ctx context.Context, name, path string) (io.ReadCloser, error)
	// Logs writes the container's stdout and stderr to w.
	Logs(ctx context.Context, name string, w io.Writer) error

	CreateNetwork(ctx context.Context, spec NetworkSpec) (Network, error)
	RemoveNetwork(ctx context.Context, name string) error
	InspectNetwork(ctx context.Context, name string) (Network, error)
	// ListNetworks lists networks carrying every label (all when labels is empty).
	ListNetworks(ctx context.Context, labels map[string]string) ([]Network, error)
	// ConnectNetwork attaches a container (running or not) to a network at
	// a fixed IPv4 address (empty: the engine picks), under extra aliases.
	ConnectNetwork(ctx context.Context, network, container, ip string, aliases []string) error
	// DisconnectNetwork detaches a container from a network.
	DisconnectNetwork(ctx context.Context, network, container string) error

	CreateVolume(ctx context.Context, spec VolumeSpec) error
	RemoveVolume(ctx context.Context, name string) error
	ListVolumes(ctx context.Context, labels map[string]string) ([]Volume, error)

	ImageExists(ctx context.Context, ref string) (bool, error)
	// InspectImage reports an image of the engine; a missing one is an
	// ErrNotFound error.
	InspectImage(ctx context.Context, ref string) (Image, error)
	// SaveImages writes a docker-archive tar of the images to w.
	SaveImages(ctx context.Context, refs []string, w io.Writer) error
	// PullImage pulls ref from its registry, with the credentials the
	// user's Docker config holds for that registry (as `docker pull`),
	// calling progress (when not nil) as the layers arrive. A reference the
	// registry does not have is an ErrNotFound error.
	PullImage(ctx context.Context, ref string, progress func(PullProgress)) error
	// LoadImages loads a docker-archive tar (what SaveImages writes) into
	// the engine.
	LoadImages(ctx context.Context, archive io.Reader) error
}
