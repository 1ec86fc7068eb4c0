package config

import (
	"fmt"
	"strings"

	"github.com/minictl/mini/pkg/config/internal/k3d"
	"github.com/minictl/mini/pkg/version"
)

// k3dFields are where a k3d.io/v1alpha5 file keeps each scalar option.
var k3dFields = map[string]string{
	optName: "metadata.name", optServers: "servers", optAgents: "agents", optImage: "image",
	optToken: "token", optAPI: "kubeAPI", optAPIHost: "kubeAPI.hostIP", optAPIPort: "kubeAPI.hostPort",
	optNetwork: "network", optSubnet: "subnet", optTimeout: "options.k3d.timeout",
	optServersMemory: "options.runtime.serversMemory", optAgentsMemory: "options.runtime.agentsMemory",
	optRegConfig: "registries.config", optEnv: "env", optVolumes: "volumes",
	optNodeLabels: "options.k3s.nodeLabels", optK3sArgs: "options.k3s.extraArgs", optPorts: "ports",
	optHostAliases: "hostAliases", optRegCreate: "registries.create", optRegUse: "registries.use",
}

// k3d converts a k3d.io/v1alpha5 Simple file. Its node filters, port,
// volume and env syntax are mini's own (mini took them from k3d), so most
// fields map one to one; what has no equivalent in mini is left out with
// a warning rather than refused, so that a k3d file works as it is.
func (c *converter) k3d(f *k3d.Simple) {
	c.init(k3dFields)
	o := &c.opts
	o.Name = f.Metadata.Name
	setInt(&o.Servers, f.Servers)
	setInt(&o.Agents, f.Agents)
	if f.Image != "" {
		c.warn("image %q: k3d runs k3s images, mini its own node image (%s): left out", f.Image, version.DefaultImages().Node)
	}
	host := f.KubeAPI.HostIP
	if f.KubeAPI.Host != "" {
		if host == "" && isIP(f.KubeAPI.Host) {
			host = f.KubeAPI.Host
		} else if f.KubeAPI.Host != host {
			c.warn("kubeAPI.host %q: mini names the API by its address in the kubeconfig: left out (add --tls-san=%s to options.k3s.extraArgs to have it in the certificate)",
				f.KubeAPI.Host, f.KubeAPI.Host)
		}
	}
	c.apiPort(host, f.KubeAPI.HostPort)
	o.Token, o.Network = f.Token, f.Network
	if f.Subnet != "auto" {
		// k3d's "auto" asks for a free subnet, which is mini's default.
		o.Subnet = f.Subnet
	}
	for i, p := range f.Ports {
		c.filtered(optPorts, &o.Ports, fmt.Sprintf("ports[%d]", i), "port", p.Port, p.NodeFilters)
	}
	for i, v := range f.Volumes {
		c.filtered(optVolumes, &o.Volumes, fmt.Sprintf("volumes[%d]", i), "volume", v.Volume, v.NodeFilters)
	}
	for i, e := range f.Env {
		c.filtered(optEnv, &o.Env, fmt.Sprintf("env[%d]", i), "envVar", e.EnvVar, e.NodeFilters)
	}
	for i, l := range f.Options.K3s.NodeLabels {
		c.filtered(optNodeLabels, &o.NodeLabels, fmt.Sprintf("options.k3s.nodeLabels[%d]", i), "label", l.Label, l.NodeFilters)
	}
	for i, a := range f.Options.K3s.ExtraArgs {
		c.filtered(optK3sArgs, &o.K3sArgs, fmt.Sprintf("options.k3s.extraArgs[%d]", i), "arg", a.Arg, a.NodeFilters)
	}
	for i, h := range f.HostAliases {
		c.hostAlias(fmt.Sprintf("hostAliases[%d]", i), h.IP, h.Hostnames)
	}
	c.k3dRegistries(f.Registries)
	c.k3dOptions(f.Options)
	if len(f.Files) > 0 {
		c.warn("files (%d): mini copies no files into nodes: left out (mount them with volumes)", len(f.Files))
	}
	if len(f.Manifests) > 0 {
		c.warn("manifests (%d): mini applies no manifests at create: left out (kubectl apply them after)", len(f.Manifests))
	}
}

func (c *converter) k3dRegistries(r k3d.Registries) {
	if rc := r.Create; rc != nil {
		c.registryCreate("registries.create", c.k3dRegistryName("registries.create.name", rc.Name), rc.Host, rc.HostPort)
		if rc.Image != "" {
			c.warn("registries.create.image %q: mini runs its own registry image: left out", rc.Image)
		}
		if rc.Proxy != (k3d.Proxy{}) {
			c.warn("registries.create.proxy: pull-through caches are not in mini's file schema: left out")
		}
		if len(rc.Volumes) > 0 {
			c.warn("registries.create.volumes: left out")
		}
	}
	for i, u := range r.Use {
		path := fmt.Sprintf("registries.use[%d]", i)
		name, port, hasPort := strings.Cut(u, ":")
		if u = c.k3dRegistryName(path, name); hasPort {
			u += ":" + port
		}
		c.filtered(optRegUse, &c.opts.RegistryUse, path, "", u, nil)
	}
	switch {
	case strings.Contains(strings.TrimSpace(r.Config), "\n"):
		// k3d takes the content of a registries.yaml inline; mini a path.
		c.warn("registries.config holds a registries.yaml inline: save it to a file and set registries.config to its path; left out")
	default:
		c.opts.RegistryConfig = strings.TrimSpace(r.Config)
	}
}

func (c *converter) k3dOptions(opts k3d.Options) {
	o := &c.opts
	k := opts.K3d
	setBool(&o.Wait, k.Wait)
	c.timeout("options.k3d.timeout", k.Timeout)
	o.NoLB, o.NoRollback = k.DisableLoadbalancer, k.DisableRollback
	if k.DisableImageVolume {
		c.warn("options.k3d.disableImageVolume: mini has no image volume: left out")
	}
	if len(k.NodeHookActions) > 0 {
		c.warn("options.k3d.nodeHookActions: left out")
	}
	if len(k.Loadbalancer.ConfigOverrides) > 0 {
		c.warn("options.k3d.loadbalancer.configOverrides: mini's load balancer is nginx, not k3d's proxy: left out")
	}
	setBool(&o.UpdateKubeconfig, opts.Kubeconfig.UpdateDefaultKubeconfig)
	setBool(&o.SwitchContext, opts.Kubeconfig.SwitchCurrentContext)
	o.SwitchContext = o.SwitchContext && o.UpdateKubeconfig
	rt := opts.Runtime
	o.ServersMemory, o.AgentsMemory = rt.ServersMemory, rt.AgentsMemory
	if rt.GPURequest != "" {
		c.warn("options.runtime.gpuRequest %q: mini requests no GPUs: left out", rt.GPURequest)
	}
	if rt.HostPidMode {
		c.warn("options.runtime.hostPidMode: left out")
	}
	if len(rt.Labels) > 0 {
		c.warn("options.runtime.labels (%d): mini's container labels are its state and take no others: left out", len(rt.Labels))
	}
	if len(rt.Ulimits) > 0 {
		c.warn("options.runtime.ulimits (%d): left out", len(rt.Ulimits))
	}
}

// k3dRegistryName turns a k3d registry name into a mini one: k3d's
// "k3d-" container prefix goes (mini adds its own), and what mini's names
// do not take (dots: registry.localhost) becomes '-'.
func (c *converter) k3dRegistryName(path, name string) string {
	out := strings.TrimPrefix(strings.ToLower(name), "k3d-")
	out = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			return r
		}
		return '-'
	}, out)
	if out != name {
		c.warn("%s %q: mini names it %q (its names take lower-case letters, digits and '-')", path, name, out)
	}
	return out
}
