package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/minictl/mini/pkg/registry"
	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/version"
)

// RegistryCreateOptions describe a registry container.
type RegistryCreateOptions struct {
	Name string
	// Port is "[HOST:]PORT" on the host (default host 127.0.0.1); empty
	// picks the first free port from DefaultRegistryPort.
	Port string
	// ProxyRemoteURL makes the registry a pull-through cache of that
	// registry; ProxyUsername/ProxyPassword log in to it.
	ProxyRemoteURL string
	ProxyUsername  string
	ProxyPassword  string
	// Volume is a named volume or host path for the registry's data; empty:
	// a volume mini makes and deletes with the registry.
	Volume string
	// Image is the registry image; empty: the default under
	// ImageRepository (empty: version.ImageRepository).
	Image           string
	ImageRepository string
	// Pull says when the image is pulled (empty: PullMissing).
	Pull PullPolicy
	// owner is the cluster creating the registry with --registry-create.
	owner string
}

// DefaultRegistryPort is the first host port tried for a registry: kind's
// and Tilt's documented local registry is localhost:5001 (5000 is taken by
// AirPlay on macOS).
const DefaultRegistryPort = 5001

// registryReadyTimeout bounds the wait for a new registry to answer; it
// starts in well under a second.
const registryReadyTimeout = 30 * time.Second

// parsedRegistry is RegistryCreateOptions after checking.
type parsedRegistry struct {
	RegistryCreateOptions
	host APIEndpoint
}

// parse checks the options and reports every problem at once. flag names
// where they came from when that is not `mini registry create`
// (--registry-create "VALUE" of cluster create); it prefixes every message.
func (o RegistryCreateOptions) parse(flag string) (parsedRegistry, error) {
	pr := parsedRegistry{RegistryCreateOptions: o}
	prefix, portFlag := "", "--port"
	if flag != "" {
		prefix, portFlag = flag+": ", flag+" port"
	}
	var errs []error
	if err := ValidateRegistryName(o.Name); err != nil {
		errs = append(errs, fmt.Errorf("%s%w", prefix, err))
	}
	host, err := parseHostPort(portFlag, o.Port)
	if err != nil {
		errs = append(errs, err)
	}
	pr.host = host
	if o.ProxyRemoteURL != "" {
		u, err := url.Parse(o.ProxyRemoteURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s--proxy-remote-url %q: want an http:// or https:// URL of a registry", prefix, o.ProxyRemoteURL))
		}
	} else if o.ProxyUsername != "" || o.ProxyPassword != "" {
		errs = append(errs, fmt.Errorf("%s--proxy-username and --proxy-password need --proxy-remote-url", prefix))
	}
	if o.Image == "" {
		images, err := version.ImagesIn(o.ImageRepository)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s--image-repository: %w", prefix, err))
		}
		pr.Image = images.Registry
	}
	if _, err := ParsePullPolicy(string(o.Pull)); err != nil {
		errs = append(errs, fmt.Errorf("%s%w", prefix, err))
	}
	return pr, errors.Join(errs...)
}

// CreateRegistry makes a registry container on the registry network,
// published on the host, and waits until it answers. A failure or Ctrl-C
// removes what was made.
func (p *Provider) CreateRegistry(ctx context.Context, opts RegistryCreateOptions) (Registry, error) {
	pr, err := opts.parse("")
	if err != nil {
		return Registry{}, invalidOptions("registry", opts.Name, err)
	}
	info, err := p.rt.Info(ctx)
	if err != nil {
		return Registry{}, err
	}
	existing, err := p.Registries(ctx)
	if err != nil {
		return Registry{}, err
	}
	if err := p.registryPreflight(ctx, []*parsedRegistry{&pr}, existing, info.Local); err != nil {
		return Registry{}, err
	}
	if err := p.ensureImages(ctx, pr.Pull, []neededImage{{pr.Image, "registry image"}}); err != nil {
		return Registry{}, err
	}
	var r Registry
	err = p.runSteps(ctx, []step{{"Creating registry " + pr.Name + " at " + net.JoinHostPort(pr.host.ClientHost(), strconv.Itoa(pr.host.Port)), func(ctx context.Context) error {
		var err error
		r, err = p.createRegistry(ctx, pr, info.Local)
		return err
	}}})
	if err != nil {
		return Registry{}, p.undo(ctx, fmt.Errorf("creating registry %s: %w", pr.Name, err), func(ctx context.Context) error {
			return p.removeRegistry(ctx, pr.Name)
		})
	}
	p.log.Infof("Registry %s ready: push to %s/IMAGE; clusters use it with --registry-use %s", pr.Name, r.Host, pr.Name)
	return r, nil
}

// registryPreflight checks names are free, and
// resolves host ports (checking given ones are free) before anything is
// created. existing are the registries there are.
func (p *Provider) registryPreflight(ctx context.Context, regs []*parsedRegistry, existing []Registry, local bool) error {
	// Ports of existing registries are theirs even while they are stopped
	// and publish nothing; picked ports are not picked twice.
	taken := map[int]bool{}
	for _, e := range existing {
		taken[e.HostPort] = true
	}
	var errs []error
	for _, r := range regs {
		for _, e := range existing {
			if e.Name == r.Name {
				errs = append(errs, fmt.Errorf("registry %q: %w; use it with --registry-use %s or delete it with `mini registry delete %s`", r.Name, ErrExists, r.Name, r.Name))
			}
		}
		if err := resolveRegistryPort(&r.host, local, r.Name, taken); err != nil {
			errs = append(errs, err)
		}
		taken[r.host.Port] = true
	}
	return errors.Join(errs...)
}

// resolveRegistryPort checks a given host port is free, or picks the first
// free one from DefaultRegistryPort.
func resolveRegistryPort(ep *APIEndpoint, local bool, name string, taken map[int]bool) error {
	if ep.Port != 0 && taken[ep.Port] {
		return fmt.Errorf("registry %s: port %d belongs to another registry; pick another port", name, ep.Port)
	}
	if !local {
		if ep.Port == 0 {
			return fmt.Errorf("registry %s: the docker engine is remote, so mini cannot pick a free port: give one with --port", name)
		}
		return nil
	}
	if ep.Port != 0 {
		l, err := listenHost(ep.Host, ep.Port, "tcp")
		if err != nil {
			return fmt.Errorf("registry %s: %s:%d is not available (%w); pick another port", name, ep.Host, ep.Port, err)
		}
		return l.Close()
	}
	for port := DefaultRegistryPort; port < DefaultRegistryPort+100; port++ {
		if taken[port] {
			continue
		}
		if l, err := listenHost(ep.Host, port, "tcp"); err == nil {
			ep.Port = port
			return l.Close()
		}
	}
	return fmt.Errorf("registry %s: no free port in %d-%d on %s; give one with --port", name, DefaultRegistryPort, DefaultRegistryPort+99, ep.Host)
}

func (p *Provider) createRegistry(ctx context.Context, pr parsedRegistry, local bool) (Registry, error) {
	if err := p.ensureRegistryNetwork(ctx); err != nil {
		return Registry{}, err
	}
	labels := map[string]string{LabelApp: AppName, LabelRole: RoleRegistry, LabelRegistryName: pr.Name,
		LabelRegistryHostIP: pr.host.Host, LabelRegistryHostPort: strconv.Itoa(pr.host.Port), LabelVersion: p.version}
	if pr.ProxyRemoteURL != "" {
		labels[LabelRegistryProxy] = pr.ProxyRemoteURL
	}
	if pr.owner != "" {
		labels[LabelRegistryOwner] = pr.owner
	}
	data := runtime.Mount{Type: runtime.MountVolume, Source: RegistryVolume(pr.Name), Target: "/var/lib/registry"}
	if pr.Volume != "" {
		data = volumeMount(pr.Volume + ":/var/lib/registry")
	} else if err := p.rt.CreateVolume(ctx, runtime.VolumeSpec{Name: data.Source,
		Labels: map[string]string{LabelApp: AppName, LabelRegistryName: pr.Name, LabelRegistryVolume: "true"}}); err != nil {
		return Registry{}, err
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return Registry{}, fmt.Errorf("generating the registry's http secret: %w", err)
	}
	// distribution reads REGISTRY_<SECTION>_<KEY> over its config file.
	env := []string{"REGISTRY_HTTP_SECRET=" + hex.EncodeToString(secret)}
	if pr.ProxyRemoteURL != "" {
		env = append(env, "REGISTRY_PROXY_REMOTEURL="+pr.ProxyRemoteURL)
		if pr.ProxyUsername != "" {
			env = append(env, "REGISTRY_PROXY_USERNAME="+pr.ProxyUsername, "REGISTRY_PROXY_PASSWORD="+pr.ProxyPassword)
		}
	}
	name := RegistryContainer(pr.Name)
	spec := runtime.ContainerSpec{
		Name: name, Image: pr.Image, Hostname: name, Env: env, Labels: labels,
		Network: RegistryNetwork, Mounts: []runtime.Mount{data}, RestartPolicy: "unless-stopped",
		Ports: []runtime.PortMapping{{HostIP: pr.host.Host, HostPort: pr.host.Port, ContainerPort: registry.ContainerPort, Protocol: "tcp"}},
	}
	if _, err := p.rt.CreateContainer(ctx, spec); err != nil {
		return Registry{}, err
	}
	if err := p.rt.StartContainer(ctx, name); err != nil {
		return Registry{}, err
	}
	base := "http://" + net.JoinHostPort(pr.host.ClientHost(), strconv.Itoa(pr.host.Port))
	if !local {
		p.log.Debugf("the engine is remote: not waiting for registry %s to answer at %s", pr.Name, base)
	} else {
		rctx, cancel := context.WithTimeout(ctx, registryReadyTimeout)
		defer cancel()
		if err := p.registryProbe(rctx, base+"/v2/"); err != nil {
			return Registry{}, fmt.Errorf("registry %s did not answer at %s/v2/: %w (see `docker logs %s`)", pr.Name, base, err, name)
		}
	}
	c, err := p.rt.InspectContainer(ctx, name)
	if err != nil {
		return Registry{}, err
	}
	return registryFromContainer(c), nil
}

// ensureRegistryNetwork creates the registry network unless it exists.
func (p *Provider) ensureRegistryNetwork(ctx context.Context) error {
	if _, err := p.rt.InspectNetwork(ctx, RegistryNetwork); err == nil {
		return nil
	} else if !runtime.IsNotFound(err) {
		return err
	}
	_, err := p.rt.CreateNetwork(ctx, runtime.NetworkSpec{Name: RegistryNetwork, Labels: map[string]string{LabelApp: AppName, LabelRole: RoleRegistry}})
	if errors.Is(err, runtime.ErrConflict) {
		return nil // made by a concurrent mini
	}
	return err
}

// probeRegistry polls the registry's /v2/ until it answers: 200, or 401
// behind authentication, both mean it serves the API.
func probeRegistry(poll time.Duration) func(ctx context.Context, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	return func(ctx context.Context, url string) error {
		var last error
		for {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
					return nil
				}
				err = fmt.Errorf("%s answers %s", url, resp.Status)
			}
			last = err
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
			case <-time.After(poll):
			}
		}
	}
}
