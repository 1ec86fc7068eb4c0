package cluster

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	units "github.com/docker/go-units"

	"github.com/minictl/mini/pkg/version"
)

// parsedOptions is CreateOptions after parsing every flag value.
type parsedOptions struct {
	CreateOptions
	api        APIEndpoint
	env        []Filtered
	volumes    []Filtered
	labels     []Filtered
	k3sArgs    []Filtered
	ports      []PortSpec
	aliases    []HostAlias
	registries registryOptions
	serverMem  int64
	agentMem   int64
}

var (
	allNodes   = NodeFilter{Role: "all"}
	allServers = NodeFilter{Role: RoleServer}
)

// parse checks every option and reports all problems at once.
func (o CreateOptions) parse() (parsedOptions, error) {
	p := parsedOptions{CreateOptions: o}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(ValidateName(o.Name))
	if o.Servers < 1 || o.Servers > MaxServers {
		add(fmt.Errorf("--servers %d: want 1 to %d", o.Servers, MaxServers))
	}
	if o.Agents < 0 || o.Agents > MaxAgents {
		add(fmt.Errorf("--agents %d: want 0 to %d", o.Agents, MaxAgents))
	}
	if images, err := version.ImagesIn(o.ImageRepository); err != nil {
		add(fmt.Errorf("--image-repository: %w", err))
	} else {
		o.Image = cmp.Or(o.Image, images.Node)
		o.LBImage = cmp.Or(o.LBImage, images.LB)
		o.RegistryImage = cmp.Or(o.RegistryImage, images.Registry)
		p.CreateOptions = o
	}
	if _, err := ParsePullPolicy(string(o.Pull)); err != nil {
		add(err)
	}
	if o.Timeout < 0 {
		add(fmt.Errorf("--timeout %s is negative", o.Timeout))
	}
	if o.Network != "" && o.Subnet != "" {
		add(errors.New("--subnet cannot be used with --network: an existing network keeps its subnet"))
	}
	if o.Subnet != "" {
		_, err := newIPPlan(o.Subnet)
		add(wrapFlag("--subnet", err))
	}
	var err error
	p.api, err = ParseAPIPort(o.APIPort)
	add(err)

	servers, agents := o.Servers, o.Agents
	parseAll := func(flag string, values []string, def NodeFilter, check func(string) error) []Filtered {
		var out []Filtered
		for _, v := range values {
			f, err := ParseFiltered(v, servers, agents, def)
			if err != nil {
				add(wrapFlag(flag, err))
				continue
			}
			if err := check(f.Value); err != nil {
				add(fmt.Errorf("%s %q: %w", flag, v, err))
				continue
			}
			out = append(out, f)
		}
		return out
	}
	p.env = parseAll("--env", o.Env, allNodes, checkKeyValue)
	p.volumes = parseAll("--volume", o.Volumes, allNodes, checkVolume)
	p.labels = parseAll("--k3s-node-label", o.NodeLabels, allNodes, checkKeyValue)
	// A k3s argument is role-specific (a server flag breaks an agent), so
	// without a filter it goes to servers only, as in k3d.
	p.k3sArgs = parseAll("--k3s-arg", o.K3sArgs, allServers, func(s string) error {
		if s == "" {
			return errors.New("empty argument")
		}
		return nil
	})
	for _, f := range p.k3sArgs {
		for _, nf := range f.Filters {
			if nf.Role == RoleLoadBalancer {
				add(fmt.Errorf("--k3s-arg %q: the load balancer runs no k3s", f.Value))
			}
		}
	}
	for _, v := range o.Ports {
		s, err := ParsePort(v, servers, agents, o.NoLB)
		if err != nil {
			add(fmt.Errorf("--port %q: %w", v, err))
			continue
		}
		s.flag = "--port"
		p.ports = append(p.ports, s)
	}
	for _, err := range portProblems(p.ports, p.api, nil) {
		add(err)
	}
	var aliasErrs []error
	p.aliases, aliasErrs = parseHostAliases(o.HostAliases)
	errs = append(errs, aliasErrs...)
	var regErrs []error
	p.registries, regErrs = parseRegistryFlags(o)
	errs = append(errs, regErrs...)
	p.serverMem, err = parseMemory("--servers-memory", o.ServersMemory)
	add(err)
	p.agentMem, err = parseMemory("--agents-memory", o.AgentsMemory)
	add(err)
	if err := errors.Join(errs...); err != nil {
		return p, invalidOptions("cluster", o.Name, err)
	}
	return p, nil
}

func wrapFlag(flag string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", flag, err)
}

func checkKeyValue(s string) error {
	if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
		return errors.New("want KEY=VALUE")
	}
	return nil
}

func checkVolume(s string) error {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || !strings.HasPrefix(parts[1], "/") {
		return errors.New("want SOURCE:/container/path[:ro]")
	}
	if len(parts) == 3 && parts[2] != "ro" && parts[2] != "rw" {
		return fmt.Errorf("unknown volume mode %q (want ro or rw)", parts[2])
	}
	return nil
}

func parseMemory(flag, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: want a size such as 512m or 2g", flag, s)
	}
	return n, nil
}
