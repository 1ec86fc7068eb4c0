package cluster

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/kubeconfig"
	"github.com/minictl/mini/pkg/runtime"
)

// ErrNotFound is returned when a named cluster (or registry) has no
// containers.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when creating a cluster (or registry) whose name
// is taken.
var ErrExists = errors.New("already exists")

// ReadyWaiter waits until the cluster behind cfg is usable as u says.
type ReadyWaiter func(ctx context.Context, cfg *clientcmdapi.Config, u Usable) error

// Provider runs cluster operations on one runtime.
type Provider struct {
	rt         runtime.Runtime
	log        *logrus.Logger
	kube       kubeconfig.Store
	version    string
	waitReady  ReadyWaiter
	kubeClient KubeClient
	probe      privilegedProbe
	privileged *bool
	poll       time.Duration
	// drainTimeout and etcdTimeout bound a drain and an etcd membership
	// wait (constants of the same names; shorter in tests).
	drainTimeout time.Duration
	etcdTimeout  time.Duration
	// hostPrefixes lists host networks a new subnet must avoid.
	hostPrefixes func() []string
	// registryProbe waits until a new registry answers at url.
	registryProbe func(ctx context.Context, url string) error
	// pullProgress shows how far pulls got (pullLines unless the CLI
	// draws bars).
	pullProgress func(runtime.PullProgress)
}

// Option configures a Provider.
type Option func(*Provider)

// WithKubeconfig sets where the user's kubeconfig lives.
func WithKubeconfig(paths kubeconfig.Paths) Option {
	return func(p *Provider) { p.kube.Paths = paths }
}

// WithVersion records the CLI version in the labels of what is created.
func WithVersion(v string) Option { return func(p *Provider) { p.version = v } }

// WithReadyWaiter replaces the wait for a usable cluster (tests of
// other layers; the wait itself is tested against a fake API).
func WithReadyWaiter(w ReadyWaiter) Option { return func(p *Provider) { p.waitReady = w } }

// WithPrivileged skips detection and forces privileged or emulated nodes.
func WithPrivileged(privileged bool) Option {
	return func(p *Provider) { p.privileged = &privileged }
}

// WithCacheDir keeps per-engine probe results (privileged mode) there.
func WithCacheDir(dir string) Option { return func(p *Provider) { p.probe.cacheDir = dir } }

// WithPollInterval sets how often waits poll their real signal.
func WithPollInterval(d time.Duration) Option { return func(p *Provider) { p.poll = d } }

// WithHostPrefixes replaces the host interface lookup (tests).
func WithHostPrefixes(f func() []string) Option { return func(p *Provider) { p.hostPrefixes = f } }

// WithRegistryProbe replaces the HTTP wait for a new registry (tests).
func WithRegistryProbe(f func(ctx context.Context, url string) error) Option {
	return func(p *Provider) { p.registryProbe = f }
}

// NewProvider returns a Provider using rt and logging to log.
func NewProvider(rt runtime.Runtime, log *logrus.Logger, opts ...Option) *Provider {
	p := &Provider{
		rt: rt, log: log, version: "dev", poll: 250 * time.Millisecond,
		probe:        privilegedProbe{readStatus: func() ([]byte, error) { return os.ReadFile("/proc/self/status") }},
		hostPrefixes: hostPrefixes,
		kubeClient:   newKubeClient,
		drainTimeout: drainTimeout,
		etcdTimeout:  etcdWaitTimeout,
	}
	for _, o := range opts {
		o(p)
	}
	if p.registryProbe == nil {
		p.registryProbe = probeRegistry(p.poll)
	}
	if p.waitReady == nil {
		p.waitReady = p.waitUsable
	}
	if p.pullProgress == nil {
		p.pullProgress = newPullLines(log, progressEvery, time.Now).report
	}
	return p
}

// step is one unit of progress: a line on stderr with its duration.
type step struct {
	name string
	run  func(ctx context.Context) error
}

// runSteps runs steps in order and stops at the first error or when ctx
// ends (Ctrl-C).
func (p *Provider) runSteps(ctx context.Context, steps []step) error {
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		err := s.run(ctx)
		d := time.Since(start).Round(time.Millisecond)
		if err != nil {
			p.log.Errorf("✗ %s (%s)", s.name, d)
			return err
		}
		p.log.Infof("✓ %s (%s)", s.name, d)
	}
	return nil
}

// parallel runs fn for every item at once and reports every error, not
// only the first: with several nodes failing, the user needs all names.
func parallel[T any](items []T, fn func(T) error) error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(it)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
