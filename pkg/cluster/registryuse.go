package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/minictl/mini/pkg/registry"
	"github.com/minictl/mini/pkg/runtime"
)

// RegistriesFile is where a node reads its registries.yaml: k3s's default
// for --private-registry, which mini-node shares.
const RegistriesFile = "/etc/rancher/k3s/registries.yaml"

// registriesFileInTar is RegistriesFile relative to "/", for CopyTo.
var registriesFileInTar = strings.TrimPrefix(RegistriesFile, "/")

// RegistryHelpURL is the help link of the local-registry-hosting ConfigMap.
const RegistryHelpURL = "https://github.com/minictl/mini/blob/main/docs/registries.md"

// maxClusterRegistries is how many registries fit in the fixed addresses
// of a cluster network between the load balancer and the servers.
const maxClusterRegistries = offsetServer - offsetRegistry

// registryUse is a --registry-use value, NAME[:PORT].
type registryUse struct {
	Name string
	Port int
}

// registryOptions are the registry flags of cluster create, parsed.
type registryOptions struct {
	create []*parsedRegistry
	use    []registryUse
	config registry.Config
}

// parseRegistryFlags checks --registry-create, --registry-use and
// --registry-config, returning every problem.
func parseRegistryFlags(o CreateOptions) (registryOptions, []error) {
	var ro registryOptions
	var errs []error
	seen := map[string]bool{}
	dup := func(flag, name string) {
		if seen[name] {
			errs = append(errs, fmt.Errorf("%s %s: registry %s is named twice", flag, name, name))
		}
		seen[name] = true
	}
	for _, v := range o.RegistryCreate {
		name, port, _ := strings.Cut(v, ":")
		flag := fmt.Sprintf("--registry-create %q", v)
		pr, err := RegistryCreateOptions{Name: name, Port: port, Image: o.RegistryImage, owner: o.Name}.parse(flag)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		dup("--registry-create", name)
		ro.create = append(ro.create, &pr)
	}
	for _, v := range o.RegistryUse {
		name, port, hasPort := strings.Cut(v, ":")
		u := registryUse{Name: name}
		if err := ValidateRegistryName(name); err != nil {
			errs = append(errs, fmt.Errorf("--registry-use %q: %w", v, err))
			continue
		}
		if hasPort {
			n, err := strconv.Atoi(port)
			if err != nil || n < 1 || n > 65535 {
				errs = append(errs, fmt.Errorf("--registry-use %q: port %q is not a number between 1 and 65535", v, port))
				continue
			}
			u.Port = n
		}
		dup("--registry-use", name)
		ro.use = append(ro.use, u)
	}
	if n := len(ro.create) + len(ro.use); n > maxClusterRegistries {
		errs = append(errs, fmt.Errorf("--registry-create/--registry-use: %d registries; a cluster takes at most %d", n, maxClusterRegistries))
	}
	if o.RegistryConfig != "" {
		data, err := os.ReadFile(o.RegistryConfig)
		if err == nil {
			ro.config, err = registry.Parse(data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--registry-config %s: %w", o.RegistryConfig, err))
		}
	}
	return ro, errs
}

// registryPlan is what create does for registries, computed in preflight.
type registryPlan struct {
	create []*parsedRegistry
	use    []Registry
	// all are the registries the nodes are configured for, created first.
	all []registry.Registry
	// file is the nodes' registries.yaml; nil when there is nothing to say.
	file []byte
}

// planRegistries checks the used registries exist (on the port given),
// resolves the created ones' host ports and renders the nodes' file.
func (p *Provider) planRegistries(ctx context.Context, ro registryOptions, local bool) (registryPlan, error) {
	rp := registryPlan{create: ro.create}
	var existing []Registry
	if len(ro.create)+len(ro.use) > 0 {
		var err error
		if existing, err = p.Registries(ctx); err != nil {
			return rp, err
		}
	}
	var errs []error
	if len(ro.create) > 0 {
		if err := p.registryPreflight(ctx, ro.create, existing, local); err != nil {
			errs = append(errs, err)
		}
	}
	for _, pr := range ro.create {
		rp.all = append(rp.all, registry.Registry{Container: RegistryContainer(pr.Name), HostPort: pr.host.Port})
	}
	for _, u := range ro.use {
		i := slices.IndexFunc(existing, func(r Registry) bool { return r.Name == u.Name })
		if i < 0 {
			errs = append(errs, fmt.Errorf("--registry-use %s: %w; create it with `mini registry create %s`", u.Name, &notFoundError{kind: "registry", name: u.Name}, u.Name))
			continue
		}
		r := existing[i]
		if u.Port != 0 && u.Port != r.HostPort {
			errs = append(errs, fmt.Errorf("--registry-use %s:%d: registry %s is published on port %d", u.Name, u.Port, u.Name, r.HostPort))
			continue
		}
		rp.use = append(rp.use, r)
		rp.all = append(rp.all, r.forNodes())
	}
	if err := errors.Join(errs...); err != nil {
		return rp, err
	}
	merged, err := ro.config.Merge(registry.Mirrors(rp.all))
	if err != nil {
		return rp, fmt.Errorf("--registry-config: %w", err)
	}
	if !merged.Empty() {
		if rp.file, err = merged.Marshal(); err != nil {
			return rp, fmt.Errorf("writing the nodes' registries.yaml: %w", err)
		}
	}
	return rp, nil
}

// registrySteps create the cluster's own registries and attach every
// registry to the cluster network at a fixed address, before any node
// starts pulling.
func (p *Provider) registrySteps(pl plan) []step {
	var steps []step
	ips, _ := newIPPlan(pl.Network.Subnet)
	slot := 0
	for _, pr := range pl.Registries.create {
		ip := ips.Registry(slot)
		slot++
		steps = append(steps, step{"Creating registry " + pr.Name + " (" + registry.Registry{HostPort: pr.host.Port}.HostRef() + ")", func(ctx context.Context) error {
			if _, err := p.createRegistry(ctx, *pr, pl.EngineLocal); err != nil {
				return err
			}
			return p.rt.ConnectNetwork(ctx, pl.Network.Name, RegistryContainer(pr.Name), ip, nil)
		}})
	}
	for _, r := range pl.Registries.use {
		ip := ips.Registry(slot)
		slot++
		steps = append(steps, step{"Connecting registry " + r.Name + " (" + r.Host + ")", func(ctx context.Context) error {
			return p.rt.ConnectNetwork(ctx, pl.Network.Name, r.Container, ip, nil)
		}})
	}
	return steps
}

// copyNodeFiles puts a planned node's files in place before it starts.
func (p *Provider) copyNodeFiles(ctx context.Context, name string, files map[string][]byte) error {
	if len(files) == 0 {
		return nil
	}
	tr, err := runtime.TarFiles(files)
	if err != nil {
		return err
	}
	if err := p.rt.CopyTo(ctx, name, "/", tr); err != nil {
		return fmt.Errorf("writing %s into node %s: %w", RegistriesFile, name, err)
	}
	return nil
}

// nodeRegistriesFile reads the registries.yaml of a running server, so
// nodes added later pull the same way; nil when it has none.
func (p *Provider) nodeRegistriesFile(ctx context.Context, cl Cluster) (map[string][]byte, error) {
	server := firstRunning(cl.Servers, nil)
	if server == "" {
		return nil, nil
	}
	out, err := runtime.Run(ctx, p.rt, server, nil, "cat", RegistriesFile)
	var ee *runtime.ExecError
	if errors.As(err, &ee) {
		return nil, nil // no file: the cluster uses no registry
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", RegistriesFile, server, err)
	}
	return map[string][]byte{registriesFileInTar: out}, nil
}

// publishRegistry writes kube-public/local-registry-hosting (KEP-1755) for
// the cluster's first registry, so tools find where to push. kube-public
// is made by the API server shortly after it starts: NotFound is retried.
func (p *Provider) publishRegistry(ctx context.Context, cs kubernetes.Interface, r registry.Registry, deadline time.Time) error {
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "local-registry-hosting", Namespace: metav1.NamespacePublic},
		Data:       registry.HostingConfigMapData(r, RegistryHelpURL),
	}
	for {
		_, err := cs.CoreV1().ConfigMaps(cm.Namespace).Create(ctx, cm, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			_, err = cs.CoreV1().ConfigMaps(cm.Namespace).Update(ctx, cm, metav1.UpdateOptions{})
		}
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("writing ConfigMap kube-public/local-registry-hosting (last error: %v): %w", err, ctx.Err())
		case <-time.After(p.poll):
		}
	}
}

// releaseRegistries is the registry part of a cluster's teardown: the
// registries the cluster created go, the others only leave its networks
// (a network with a container attached cannot be removed).
func (p *Provider) releaseRegistries(ctx context.Context, cluster string, networks []string) error {
	regs, err := p.Registries(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range regs {
		if r.Owner == cluster {
			errs = append(errs, p.removeRegistry(ctx, r.Name))
			continue
		}
		for _, n := range networks {
			if _, on := r.Networks[n]; on {
				if err := p.rt.DisconnectNetwork(ctx, n, r.Container); err != nil && !runtime.IsNotFound(err) {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}
