package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

// Option names: the fields of cluster.CreateOptions, and the parts of
// APIPort (a file writes host and port apart). origin maps them to file
// paths.
const (
	optName, optServers, optAgents        = "Name", "Servers", "Agents"
	optImage, optLBImage, optToken        = "Image", "LBImage", "Token"
	optAPI, optAPIHost, optAPIPort        = "APIPort", "APIPort.host", "APIPort.port"
	optNetwork, optSubnet, optTimeout     = "Network", "Subnet", "Timeout"
	optServersMemory, optAgentsMemory     = "ServersMemory", "AgentsMemory"
	optEnv, optVolumes, optNodeLabels     = "Env", "Volumes", "NodeLabels"
	optK3sArgs, optPorts, optHostAliases  = "K3sArgs", "Ports", "HostAliases"
	optRegCreate, optRegUse, optRegConfig = "RegistryCreate", "RegistryUse", "RegistryConfig"
	optRegImage, optImageRepository       = "RegistryImage", "ImageRepository"
)

// origin says where in a file each option came from, so that a problem
// found in the options points at the file's line.
type origin struct {
	// fields maps a scalar option to its path ("Servers" → "servers").
	fields map[string]string
	// items holds, per list option, one entry per value in order.
	items map[string][]item
}

// item is one value of a list option as the file writes it.
type item struct {
	// path of the item ("ports[1]") and key of the value in it ("port";
	// "" when the item is the value, as in registries.use[0]).
	path, key string
	// value as written, without the nodeFilters.
	value string
	// filters are the item's nodeFilters; nil when it has none.
	filters []string
}

func (o *origin) field(opt string) string { return o.fields[opt] }

func (o *origin) item(opt string, i int) item {
	if i < len(o.items[opt]) {
		return o.items[opt][i]
	}
	return item{path: o.fields[opt]}
}

// converter turns one versioned file into options, recording where each
// came from, the problems a conversion can find (a timeout that is no
// duration) and, for k3d, what mini cannot represent.
type converter struct {
	opts     cluster.CreateOptions
	origin   origin
	findings []finding
	warnings []string
}

func (c *converter) init(fields map[string]string) {
	c.opts = Defaults()
	c.opts.Name = ""
	c.origin = origin{fields: fields, items: map[string][]item{}}
}

func (c *converter) problem(path string, format string, args ...any) {
	c.findings = append(c.findings, finding{path: path, err: fmt.Errorf(format, args...)})
}

func (c *converter) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// filtered adds a list option's value with its node filters, in the flags'
// VALUE@FILTER[;FILTER…] form.
func (c *converter) filtered(opt string, list *[]string, path, key, value string, filters []string) {
	c.origin.items[opt] = append(c.origin.items[opt], item{path: path, key: key, value: value, filters: filters})
	if len(filters) > 0 {
		value += "@" + strings.Join(filters, ";")
	}
	*list = append(*list, value)
}

func (c *converter) hostAlias(path, ip string, names []string) {
	c.origin.items[optHostAliases] = append(c.origin.items[optHostAliases], item{path: path})
	c.opts.HostAliases = append(c.opts.HostAliases, ip+":"+strings.Join(names, ","))
}

// apiPort joins the API's host and port as --api-port takes them; a
// value left out keeps the default ("": a free port on 127.0.0.1).
func (c *converter) apiPort(host, port string) {
	switch {
	case port == "" || port == "0":
		if host != "" && host != cluster.DefaultAPIHost {
			c.opts.APIPort = joinHostPort(host, "0")
		}
	case host == "":
		c.opts.APIPort = joinHostPort(cluster.DefaultAPIHost, port)
	default:
		c.opts.APIPort = joinHostPort(host, port)
	}
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func (c *converter) timeout(path, s string) {
	if s == "" {
		return
	}
	d, err := time.ParseDuration(s)
	if s == "0" {
		d, err = 0, nil
	}
	if err != nil {
		c.problem(path, "%q is not a duration such as 90s or 5m", s)
		return
	}
	c.opts.Timeout = d
}

func (c *converter) registryCreate(path, name, host, port string) {
	c.origin.items[optRegCreate] = append(c.origin.items[optRegCreate], item{path: path})
	v := name
	switch {
	case host != "" && port == "":
		c.problem(path+".host", "a host address needs a hostPort")
	case host != "":
		v += ":" + joinHostPort(host, port)
	case port != "":
		v += ":" + port
	}
	c.opts.RegistryCreate = append(c.opts.RegistryCreate, v)
}

// v1alphaFields are where a v1alpha1 file keeps each scalar option.
var v1alpha1Fields = map[string]string{
	optName: "metadata.name", optServers: "servers", optAgents: "agents", optImage: "image",
	optLBImage: "loadBalancer.image", optToken: "token", optAPI: "api", optAPIHost: "api.host",
	optAPIPort: "api.port", optNetwork: "network", optSubnet: "subnet", optTimeout: "options.timeout",
	optServersMemory: "memory.servers", optAgentsMemory: "memory.agents", optRegConfig: "registries.config",
	optRegImage: "registries.image", optImageRepository: "imageRepository",
	optEnv: "env", optVolumes: "volumes", optNodeLabels: "nodeLabels", optK3sArgs: "k3sArgs",
	optPorts: "ports", optHostAliases: "hostAliases", optRegCreate: "registries.create", optRegUse: "registries.use",
}

// v1alpha1 converts a mini.dev/v1alpha1 file.
func (c *converter) v1alpha1(f *v1alpha1.Cluster) {
	c.init(v1alpha1Fields)
	o := &c.opts
	o.Name = f.Metadata.Name
	setInt(&o.Servers, f.Servers)
	setInt(&o.Agents, f.Agents)
	setString(&o.ImageRepository, f.ImageRepository)
	setString(&o.Image, f.Image)
	setString(&o.LBImage, f.LoadBalancer.Image)
	if f.LoadBalancer.Enabled != nil {
		o.NoLB = !*f.LoadBalancer.Enabled
	}
	port := ""
	if f.API.Port != nil {
		port = strconv.Itoa(*f.API.Port)
	}
	c.apiPort(f.API.Host, port)
	o.Token, o.Network, o.Subnet = f.Token, f.Network, f.Subnet
	for i, p := range f.Ports {
		c.filtered(optPorts, &o.Ports, fmt.Sprintf("ports[%d]", i), "port", p.Port, p.NodeFilters)
	}
	for i, v := range f.Volumes {
		c.filtered(optVolumes, &o.Volumes, fmt.Sprintf("volumes[%d]", i), "volume", v.Volume, v.NodeFilters)
	}
	for i, e := range f.Env {
		c.filtered(optEnv, &o.Env, fmt.Sprintf("env[%d]", i), "envVar", e.EnvVar, e.NodeFilters)
	}
	for i, l := range f.NodeLabels {
		c.filtered(optNodeLabels, &o.NodeLabels, fmt.Sprintf("nodeLabels[%d]", i), "label", l.Label, l.NodeFilters)
	}
	for i, a := range f.K3sArgs {
		c.filtered(optK3sArgs, &o.K3sArgs, fmt.Sprintf("k3sArgs[%d]", i), "arg", a.Arg, a.NodeFilters)
	}
	for i, h := range f.HostAliases {
		c.hostAlias(fmt.Sprintf("hostAliases[%d]", i), h.IP, h.Hostnames)
	}
	o.ServersMemory, o.AgentsMemory = f.Memory.Servers, f.Memory.Agents
	for i, r := range f.Registries.Create {
		c.registryCreate(fmt.Sprintf("registries.create[%d]", i), r.Name, r.Host, r.HostPort)
	}
	for i, u := range f.Registries.Use {
		c.filtered(optRegUse, &o.RegistryUse, fmt.Sprintf("registries.use[%d]", i), "", u, nil)
	}
	o.RegistryConfig = f.Registries.Config
	setString(&o.RegistryImage, f.Registries.Image)
	setBool(&o.Wait, f.Options.Wait)
	c.timeout("options.timeout", f.Options.Timeout)
	if f.Options.Rollback != nil {
		o.NoRollback = !*f.Options.Rollback
	}
	setBool(&o.UpdateKubeconfig, f.Options.Kubeconfig.UpdateDefault)
	setBool(&o.SwitchContext, f.Options.Kubeconfig.SwitchContext)
	// As on the command line, a context is switched to only when merged.
	o.SwitchContext = o.SwitchContext && o.UpdateKubeconfig
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// splitAPIPort splits --api-port's [HOST:]PORT as cluster.ParseAPIPort
// does, for the checks that name host and port apart.
func splitAPIPort(s string) (host, port string) {
	if i := strings.LastIndex(s, ":"); i >= 0 {
		return strings.TrimSuffix(strings.TrimPrefix(s[:i], "["), "]"), s[i+1:]
	}
	return "", s
}

// isIP tells an IP address from a host name.
func isIP(s string) bool { return net.ParseIP(s) != nil }
