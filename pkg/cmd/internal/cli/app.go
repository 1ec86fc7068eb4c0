package cli

import (
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/kubeconfig"
	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/version"
)

// DefaultCluster is the cluster name commands use when none is given.
const DefaultCluster = "dev"

// Streams are the command's standard streams: data goes to Out, logs and
// progress to ErrOut.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// App is what every command receives. main builds it; tests build one with
// a fake runtime.
type App struct {
	Streams Streams
	Logger  *logrus.Logger
	// NewRuntime connects to the engine; called at most once, and only by
	// commands that need it (version and completion do not).
	NewRuntime func() (runtime.Runtime, error)
	// Getenv reads the environment (KUBECONFIG, HOME, XDG_CACHE_HOME).
	Getenv func(string) string
	// ProviderOptions are appended to the provider's options (tests).
	ProviderOptions []cluster.Option

	rt runtime.Runtime
}

// Runtime returns the engine client, creating it on first use.
func (a *App) Runtime() (runtime.Runtime, error) {
	if a.rt != nil {
		return a.rt, nil
	}
	rt, err := a.NewRuntime()
	if err != nil {
		return nil, err
	}
	a.rt = rt
	return rt, nil
}

// KubeconfigPaths are the user's kubeconfig locations, kubectl style.
func (a *App) KubeconfigPaths(explicit string) kubeconfig.Paths {
	home := a.Getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return kubeconfig.Paths{Explicit: explicit, Env: a.Getenv("KUBECONFIG"), Home: home}
}

// Provider returns the cluster facade; explicitKubeconfig is --kubeconfig.
func (a *App) Provider(explicitKubeconfig string) (*cluster.Provider, error) {
	rt, err := a.Runtime()
	if err != nil {
		return nil, err
	}
	opts := []cluster.Option{
		cluster.WithKubeconfig(a.KubeconfigPaths(explicitKubeconfig)),
		cluster.WithVersion(version.Version),
	}
	if dir := a.cacheDir(); dir != "" {
		opts = append(opts, cluster.WithCacheDir(dir))
	}
	// A terminal gets live bars; -q (errors only) gets no progress at
	// all, and anything else the provider's plain lines in the log.
	if a.Logger.IsLevelEnabled(logrus.InfoLevel) && IsTerminal(a.Streams.ErrOut) {
		opts = append(opts, cluster.WithPullProgress(NewPullBars(a.Streams.ErrOut, time.Now).Report))
	}
	return cluster.NewProvider(rt, a.Logger, append(opts, a.ProviderOptions...)...), nil
}

func (a *App) cacheDir() string {
	if d := a.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "mini")
	}
	if h := a.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "mini")
	}
	return ""
}

// Setup resolves cmd's flags and returns them with the cluster provider,
// the first lines of nearly every command.
func (a *App) Setup(cmd *cobra.Command) (*viper.Viper, *cluster.Provider, error) {
	v, err := Bind(cmd)
	if err != nil {
		return nil, nil, err
	}
	p, err := a.Provider(v.GetString("kubeconfig"))
	if err != nil {
		return nil, nil, err
	}
	return v, p, nil
}

// ListClusters resolves flags, checks --output and lists the clusters named
// by args (all when none), for the list commands.
func (a *App) ListClusters(cmd *cobra.Command, args []string) (*viper.Viper, []cluster.Cluster, error) {
	v, p, err := a.Setup(cmd)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckOutput(v.GetString("output")); err != nil {
		return nil, nil, err
	}
	cls, err := p.List(cmd.Context(), args...)
	if err != nil {
		return nil, nil, err
	}
	return v, cls, nil
}
