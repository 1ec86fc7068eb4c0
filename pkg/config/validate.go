package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/version"
)

// validate checks the options a file converted to, value by value with
// the cluster package's checks, so that each problem points at the path
// of its value; then cluster's own Validate runs on the values that
// passed, for what only the options as a whole show (two ports on one
// host port, say). Those problems name the flag the value would come
// from, as no single line is theirs.
func validate(o cluster.CreateOptions, src *origin) []finding {
	v := &validation{o: o, src: src, clean: o}
	v.scalars()
	servers, agents := min(max(o.Servers, 1), cluster.MaxServers), min(max(o.Agents, 0), cluster.MaxAgents)
	kv := func(s string) error { return cluster.CheckKeyValue(s) }
	v.clean.Env = v.list(optEnv, o.Env, servers, agents, kv)
	v.clean.Volumes = v.list(optVolumes, o.Volumes, servers, agents, cluster.CheckVolume)
	v.clean.NodeLabels = v.list(optNodeLabels, o.NodeLabels, servers, agents, kv)
	v.clean.K3sArgs = v.list(optK3sArgs, o.K3sArgs, servers, agents, cluster.CheckK3sArg)
	v.clean.Ports = v.list(optPorts, o.Ports, servers, agents, nil)
	v.clean.HostAliases = nil
	for i, h := range o.HostAliases {
		if _, err := cluster.ParseHostAlias(h); err != nil {
			v.add(src.item(optHostAliases, i).path, err)
			continue
		}
		v.clean.HostAliases = append(v.clean.HostAliases, h)
	}
	v.registries()
	for _, err := range splitErrors(v.clean.Validate()) {
		v.found = append(v.found, finding{err: err})
	}
	return v.found
}

type validation struct {
	o     cluster.CreateOptions
	src   *origin
	found []finding
	// clean are the options without the values found bad, for
	// cluster's Validate: it would report them again.
	clean cluster.CreateOptions
}

func (v *validation) add(path string, err error) {
	if err != nil {
		v.found = append(v.found, finding{path: path, err: err})
	}
}

// scalar records a problem of a scalar option and puts the default back
// in the clean options.
func (v *validation) scalar(opt string, err error, reset func(*cluster.CreateOptions)) {
	if err != nil {
		v.add(v.src.field(opt), err)
		reset(&v.clean)
	}
}

func (v *validation) scalars() {
	o, def := v.o, Defaults()
	v.scalar(optName, cluster.ValidateName(o.Name), func(c *cluster.CreateOptions) { c.Name = def.Name })
	if o.Servers < 1 || o.Servers > cluster.MaxServers {
		v.scalar(optServers, fmt.Errorf("%d: want 1 to %d", o.Servers, cluster.MaxServers), func(c *cluster.CreateOptions) { c.Servers = def.Servers })
	}
	if o.Agents < 0 || o.Agents > cluster.MaxAgents {
		v.scalar(optAgents, fmt.Errorf("%d: want 0 to %d", o.Agents, cluster.MaxAgents), func(c *cluster.CreateOptions) { c.Agents = 0 })
	}
	if o.Timeout < 0 {
		v.scalar(optTimeout, fmt.Errorf("%s is negative", o.Timeout), func(c *cluster.CreateOptions) { c.Timeout = def.Timeout })
	}
	switch {
	case o.Network != "" && o.Subnet != "":
		v.scalar(optSubnet, errors.New("not with network: an existing network keeps its subnet"), func(c *cluster.CreateOptions) { c.Subnet = "" })
	case o.Subnet != "":
		v.scalar(optSubnet, cluster.CheckSubnet(o.Subnet), func(c *cluster.CreateOptions) { c.Subnet = "" })
	}
	if o.ImageRepository != "" {
		_, err := version.ImagesIn(o.ImageRepository)
		v.scalar(optImageRepository, err, func(c *cluster.CreateOptions) { c.ImageRepository = "" })
	}
	if o.ServersMemory != "" {
		v.scalar(optServersMemory, cluster.CheckMemory(o.ServersMemory), func(c *cluster.CreateOptions) { c.ServersMemory = "" })
	}
	if o.AgentsMemory != "" {
		v.scalar(optAgentsMemory, cluster.CheckMemory(o.AgentsMemory), func(c *cluster.CreateOptions) { c.AgentsMemory = "" })
	}
	if o.APIPort != "" {
		resetAPI := func(c *cluster.CreateOptions) { c.APIPort = "" }
		host, port := splitAPIPort(o.APIPort)
		if host != "" && !isIP(host) {
			v.scalar(optAPIHost, fmt.Errorf("%q is not an IP address", host), resetAPI)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			v.scalar(optAPIPort, fmt.Errorf("%q is not a port number (0 to 65535; 0 picks a free one)", port), resetAPI)
		}
		if _, err := cluster.ParseAPIPort(v.clean.APIPort); err != nil {
			v.scalar(optAPI, err, resetAPI)
		}
	}
}

// list checks each value of a list option that takes node filters and
// returns the good ones. A value's filters are checked one by one when
// the file lists them (nodeFilters), so that a misspelt one is an error at
// its own path rather than part of the value; check (nil for ports, which
// cluster.ParsePort checks whole) checks the value without its filters.
func (v *validation) list(opt string, values []string, servers, agents int, check func(string) error) []string {
	var good []string
	def := cluster.NodeFilter{Role: "all"}
	if opt == optK3sArgs {
		def = cluster.NodeFilter{Role: cluster.RoleServer}
	}
	for i, raw := range values {
		it := v.src.item(opt, i)
		valuePath := it.path
		if it.key != "" {
			valuePath = join(it.path, it.key)
		}
		n := len(v.found)
		value := it.value
		var filters cluster.NodeFilters
		if it.filters != nil {
			if _, f := cluster.SplitFilter(it.value); f != "" {
				v.add(valuePath, fmt.Errorf("has a node filter (@%s) and nodeFilters too: keep one", f))
			}
			for j, f := range it.filters {
				spec := f
				if opt == optPorts {
					spec = strings.TrimSuffix(strings.TrimSuffix(spec, ":direct"), ":proxy")
				}
				fs, err := cluster.ParseNodeFilters(spec, servers, agents)
				v.add(fmt.Sprintf("%s.nodeFilters[%d]", it.path, j), err)
				filters = append(filters, fs...)
			}
		} else if opt != optPorts {
			// (cluster.ParsePort reads a port's inline filter, :direct and all.)
			fl, err := cluster.ParseFiltered(raw, servers, agents, def)
			v.add(valuePath, err)
			value, filters = fl.Value, fl.Filters
		}
		if len(v.found) == n {
			switch {
			case opt == optPorts:
				_, err := cluster.ParsePort(raw, servers, agents, v.o.NoLB)
				v.add(it.path, err)
			case check != nil:
				v.add(valuePath, check(value))
			}
			if opt == optK3sArgs {
				for _, f := range filters {
					if f.Role == cluster.RoleLoadBalancer {
						v.add(it.path, errors.New("the load balancer runs no k3s"))
					}
				}
			}
		}
		if len(v.found) == n {
			good = append(good, raw)
		}
	}
	return good
}

// registries checks each registry value with cluster's own checks, run on
// options that hold only that value, so that a problem points at its
// item; what concerns several (a name given twice) is left to the options
// as a whole.
func (v *validation) registries() {
	probe := func(set func(*cluster.CreateOptions)) []error {
		p := Defaults()
		p.RegistryImage = v.o.RegistryImage
		set(&p)
		return splitErrors(p.Validate())
	}
	v.clean.RegistryCreate, v.clean.RegistryUse = nil, nil
	for i, r := range v.o.RegistryCreate {
		errs := probe(func(p *cluster.CreateOptions) { p.RegistryCreate = []string{r} })
		for _, err := range errs {
			v.add(v.src.item(optRegCreate, i).path, err)
		}
		if len(errs) == 0 {
			v.clean.RegistryCreate = append(v.clean.RegistryCreate, r)
		}
	}
	for i, r := range v.o.RegistryUse {
		errs := probe(func(p *cluster.CreateOptions) { p.RegistryUse = []string{r} })
		for _, err := range errs {
			v.add(v.src.item(optRegUse, i).path, err)
		}
		if len(errs) == 0 {
			v.clean.RegistryUse = append(v.clean.RegistryUse, r)
		}
	}
	if v.o.RegistryConfig != "" {
		for _, err := range probe(func(p *cluster.CreateOptions) { p.RegistryConfig = v.o.RegistryConfig }) {
			v.scalar(optRegConfig, err, func(c *cluster.CreateOptions) { c.RegistryConfig = "" })
		}
	}
}

// splitErrors returns the problems cluster's Validate joined.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
