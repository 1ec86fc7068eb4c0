package controlplane

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/rest"
	cliflag "k8s.io/component-base/cli/flag"
	basecompatibility "k8s.io/component-base/compatibility"
	logsapi "k8s.io/component-base/logs/api/v1"
	apiserverapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	apiserveropts "k8s.io/kubernetes/cmd/kube-apiserver/app/options"
	cmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	cmopts "k8s.io/kubernetes/cmd/kube-controller-manager/app/options"
	schedapp "k8s.io/kubernetes/cmd/kube-scheduler/app"
	schedopts "k8s.io/kubernetes/cmd/kube-scheduler/app/options"
)

func init() {
	// Every in-process component applies its logging configuration; they are
	// identical, so a re-apply that changes nothing must not be an error.
	logsapi.ReapplyHandling = logsapi.ReapplyHandlingIgnoreUnchanged
}

// parse builds one flag set from a component's named flag sets and parses
// args into it, so an unknown or bad component flag fails here, before the
// component starts.
func parse(component string, sets cliflag.NamedFlagSets, args []string) error {
	fs := pflag.NewFlagSet(component, pflag.ContinueOnError)
	fs.SetNormalizeFunc(cliflag.WordSepNormalizeFunc)
	for _, f := range sets.FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", component, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", component, fs.Arg(0))
	}
	return nil
}

// APIServer is a prepared kube-apiserver; Run blocks until ctx ends.
type APIServer struct {
	opts apiserveropts.CompletedOptions
}

// NewAPIServer parses and validates apiserver flags without starting it.
func NewAPIServer(ctx context.Context, args []string) (*APIServer, error) {
	s := apiserveropts.NewServerRunOptions()
	if err := parse("kube-apiserver", s.Flags(), args); err != nil {
		return nil, err
	}
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return nil, fmt.Errorf("kube-apiserver: %w", err)
	}
	// Loopback clients would otherwise log the apiserver's own deprecation
	// warnings back to it.
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	fg := s.GenericServerRunOptions.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	if err := logsapi.ValidateAndApply(s.Logs, fg); err != nil {
		return nil, fmt.Errorf("kube-apiserver logging: %w", err)
	}
	completed, err := s.Complete(ctx)
	if err != nil {
		return nil, fmt.Errorf("kube-apiserver: %w", err)
	}
	if errs := completed.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("kube-apiserver: %w", utilerrors.NewAggregate(errs))
	}
	return &APIServer{opts: completed}, nil
}

// Run serves until ctx ends.
func (a *APIServer) Run(ctx context.Context) error {
	return apiserverapp.Run(ctx, a.opts)
}

// RunControllerManager parses args and runs kube-controller-manager until ctx ends.
func RunControllerManager(ctx context.Context, args []string) error {
	s, err := cmopts.NewKubeControllerManagerOptions()
	if err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	sets := s.Flags(cmapp.KnownControllers(), cmapp.ControllersDisabledByDefault(), cmapp.ControllerAliases())
	s.ParsedFlags = &sets
	if err := parse("kube-controller-manager", sets, args); err != nil {
		return err
	}
	if err := s.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	if err := logsapi.ValidateAndApply(s.Logs, utilfeature.DefaultFeatureGate); err != nil {
		return fmt.Errorf("kube-controller-manager logging: %w", err)
	}
	c, err := s.Config(ctx, cmapp.KnownControllers(), cmapp.ControllersDisabledByDefault(), cmapp.ControllerAliases())
	if err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	return cmapp.Run(ctx, c.Complete())
}

// RunScheduler parses args and runs kube-scheduler until ctx ends.
func RunScheduler(ctx context.Context, args []string) error {
	opts := schedopts.NewOptions()
	if err := parse("kube-scheduler", *opts.Flags, args); err != nil {
		return err
	}
	if err := opts.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("kube-scheduler: %w", err)
	}
	fg := opts.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	if err := logsapi.ValidateAndApply(opts.Logs, fg); err != nil {
		return fmt.Errorf("kube-scheduler logging: %w", err)
	}
	cc, sched, err := schedapp.Setup(ctx, opts)
	if err != nil {
		return fmt.Errorf("kube-scheduler: %w", err)
	}
	return schedapp.Run(ctx, cc, sched)
}
