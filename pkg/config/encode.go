package config

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

// SchemaURL is where editors find the JSON Schema of v1alpha1 files
// (docs/schema/cluster-v1alpha1.json); the files mini writes name it in a
// yaml-language-server comment.
const SchemaURL = "https://raw.githubusercontent.com/minictl/mini/main/docs/schema/cluster-v1alpha1.json"

// ToV1alpha1 writes options in the v1alpha1 schema. With minimal, values
// at their default are left out (what migrate writes: only what the old
// file said); otherwise every value is written (what view prints: the
// effective config). The name is always written.
func ToV1alpha1(o cluster.CreateOptions, minimal bool) v1alpha1.Cluster {
	def := Defaults()
	keep := func(changed bool) bool { return !minimal || changed }
	c := v1alpha1.Cluster{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.Kind, Metadata: v1alpha1.Metadata{Name: o.Name}}
	if keep(o.Servers != def.Servers) {
		c.Servers = ptr(o.Servers)
	}
	if keep(o.Agents != def.Agents) {
		c.Agents = ptr(o.Agents)
	}
	// Images left to the repository stay unset, in the view too: a view
	// read back must give the same options, and `mini version` names
	// the images a repository gives.
	c.ImageRepository, c.Image = o.ImageRepository, o.Image
	host, port := cluster.DefaultAPIHost, 0
	if ep, err := cluster.ParseAPIPort(o.APIPort); err == nil {
		host, port = ep.Host, ep.Port
	}
	if keep(host != cluster.DefaultAPIHost) {
		c.API.Host = host
	}
	if port != 0 {
		c.API.Port = ptr(port)
	}
	c.Token, c.Network, c.Subnet = o.Token, o.Network, o.Subnet
	if keep(o.NoLB) {
		c.LoadBalancer.Enabled = ptr(!o.NoLB)
	}
	c.LoadBalancer.Image = o.LBImage
	for _, p := range o.Ports {
		v, f := split(p)
		c.Ports = append(c.Ports, v1alpha1.Port{Port: v, NodeFilters: f})
	}
	for _, p := range o.Volumes {
		v, f := split(p)
		c.Volumes = append(c.Volumes, v1alpha1.Volume{Volume: v, NodeFilters: f})
	}
	for _, p := range o.Env {
		v, f := split(p)
		c.Env = append(c.Env, v1alpha1.EnvVar{EnvVar: v, NodeFilters: f})
	}
	for _, p := range o.NodeLabels {
		v, f := split(p)
		c.NodeLabels = append(c.NodeLabels, v1alpha1.NodeLabel{Label: v, NodeFilters: f})
	}
	for _, p := range o.K3sArgs {
		v, f := split(p)
		c.K3sArgs = append(c.K3sArgs, v1alpha1.K3sArg{Arg: v, NodeFilters: f})
	}
	for _, h := range o.HostAliases {
		i := strings.LastIndex(h, ":")
		c.HostAliases = append(c.HostAliases, v1alpha1.HostAlias{IP: strings.Trim(h[:max(i, 0)], "[]"), Hostnames: strings.Split(h[i+1:], ",")})
	}
	c.Memory = v1alpha1.Memory{Servers: o.ServersMemory, Agents: o.AgentsMemory}
	for _, r := range o.RegistryCreate {
		c.Registries.Create = append(c.Registries.Create, registryCreate(r))
	}
	c.Registries.Use, c.Registries.Config = o.RegistryUse, o.RegistryConfig
	c.Registries.Image = o.RegistryImage
	if keep(o.Wait != def.Wait) {
		c.Options.Wait = ptr(o.Wait)
	}
	if keep(o.Timeout != def.Timeout) {
		c.Options.Timeout = o.Timeout.String()
	}
	if keep(o.NoRollback) {
		c.Options.Rollback = ptr(!o.NoRollback)
	}
	if keep(o.UpdateKubeconfig != def.UpdateKubeconfig) {
		c.Options.Kubeconfig.UpdateDefault = ptr(o.UpdateKubeconfig)
	}
	if keep(o.SwitchContext != def.SwitchContext) {
		c.Options.Kubeconfig.SwitchContext = ptr(o.SwitchContext)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// split splits a VALUE@FILTER[;FILTER…] flag value into the value and
// its list of node filters.
func split(raw string) (string, []string) {
	v, f := cluster.SplitFilter(raw)
	if f == "" {
		return v, nil
	}
	return v, strings.Split(f, ";")
}

// registryCreate splits NAME[:[HOST:]PORT].
func registryCreate(s string) v1alpha1.RegistryCreate {
	name, rest, _ := strings.Cut(s, ":")
	r := v1alpha1.RegistryCreate{Name: name, HostPort: rest}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		r.Host, r.HostPort = strings.Trim(rest[:i], "[]"), rest[i+1:]
	}
	return r
}

// Marshal writes a v1alpha1 file: a comment naming the schema for
// editors, then the YAML, port values quoted (a YAML 1.1 reader takes an
// unquoted 8080:80 for a number).
func Marshal(c v1alpha1.Cluster) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	quotePorts(&n)
	var b bytes.Buffer
	b.WriteString("# yaml-language-server: $schema=" + SchemaURL + "\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	return b.Bytes(), nil
}

func quotePorts(n *yaml.Node) {
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 1 && (n.Content[i-1].Value == "port" || n.Content[i-1].Value == "hostPort") &&
			c.Kind == yaml.ScalarNode && c.ShortTag() == "!!str" {
			c.Style, c.Tag = yaml.DoubleQuotedStyle, "!!str"
		}
		quotePorts(c)
	}
}

// View is the effective config of a file: every value, defaults filled
// in, in the current schema.
func View(f *File) ([]byte, error) { return Marshal(ToV1alpha1(f.Options, false)) }

// Migrate rewrites a file in the current schema, keeping only what it
// sets (a value equal to its default counts as unset), with a comment
// saying where it came from and what was left out.
func Migrate(f *File) ([]byte, error) {
	c := ToV1alpha1(f.Options, true)
	c.Registries.Config = f.registryConfig
	out, err := Marshal(c)
	if err != nil {
		return nil, err
	}
	head := ""
	if f.APIVersion != v1alpha1.APIVersion {
		head = "# Converted from " + f.APIVersion + " " + f.Kind + " by `mini config migrate`.\n"
	}
	for _, w := range f.Warnings {
		head += "# Warning: " + strings.ReplaceAll(w, "\n", " ") + "\n"
	}
	return append([]byte(head), out...), nil
}
