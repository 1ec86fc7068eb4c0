package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config is k3s's registries.yaml: the node image reads it from
// /etc/rancher/k3s/registries.yaml (mini-node --private-registry), so one
// file serves mini's nodes and rancher/k3s nodes alike.
type Config struct {
	// Mirrors maps a registry host as image names spell it ("docker.io",
	// "localhost:5001", "*" for every registry) to the endpoints tried in
	// order before the registry itself.
	Mirrors map[string]Mirror `yaml:"mirrors,omitempty"`
	// Configs maps an endpoint host[:port] to its credentials and TLS.
	Configs map[string]HostConfig `yaml:"configs,omitempty"`
}

// Mirror lists the endpoints of one registry host.
type Mirror struct {
	Endpoints []string `yaml:"endpoint"`
	// Rewrite is k3s's repository rewriting; containerd's hosts.toml has no
	// equivalent, so it is refused rather than silently ignored.
	Rewrite map[string]string `yaml:"rewrite,omitempty"`
}

// HostConfig is how to talk to one endpoint host.
type HostConfig struct {
	Auth *Auth `yaml:"auth,omitempty"`
	TLS  *TLS  `yaml:"tls,omitempty"`
}

// Auth are registry credentials.
type Auth struct {
	Username      string `yaml:"username,omitempty"`
	Password      string `yaml:"password,omitempty"`
	Auth          string `yaml:"auth,omitempty"`
	IdentityToken string `yaml:"identity_token,omitempty"`
}

// TLS are file paths inside the nodes, and whether to verify the server.
type TLS struct {
	CertFile           string `yaml:"cert_file,omitempty"`
	KeyFile            string `yaml:"key_file,omitempty"`
	CAFile             string `yaml:"ca_file,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify,omitempty"`
}

// Parse decodes a registries.yaml strictly: an unknown field is an error
// naming its line, as a typo there would otherwise only show as pulls
// failing in the cluster.
func Parse(data []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file configures nothing; yaml.v3 reports it as io.EOF.
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	return c, c.Validate()
}

// Validate reports every problem, naming the key at fault.
func (c Config) Validate() error {
	var errs []error
	for _, host := range sortedKeys(c.Mirrors) {
		m := c.Mirrors[host]
		if host == "" {
			errs = append(errs, errors.New("mirrors: empty registry name"))
		}
		if len(m.Rewrite) > 0 {
			errs = append(errs, fmt.Errorf("mirrors.%q.rewrite: repository rewrites are not supported by mini's containerd", host))
		}
		for i, ep := range m.Endpoints {
			if err := checkEndpoint(ep); err != nil {
				errs = append(errs, fmt.Errorf("mirrors.%q.endpoint[%d]: %w", host, i, err))
			}
		}
	}
	for _, host := range sortedKeys(c.Configs) {
		hc := c.Configs[host]
		if strings.Contains(host, "/") {
			errs = append(errs, fmt.Errorf("configs.%q: want a host[:port], not a URL", host))
		}
		if t := hc.TLS; t != nil && (t.CertFile == "") != (t.KeyFile == "") {
			errs = append(errs, fmt.Errorf("configs.%q.tls: cert_file and key_file go together", host))
		}
	}
	return errors.Join(errs...)
}

func checkEndpoint(ep string) error {
	u, err := url.Parse(ep)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL", ep)
	case u.Host == "":
		return fmt.Errorf("%q has no host", ep)
	}
	return nil
}

// Merge adds other's mirrors and configs to c. A registry or endpoint host
// both configure is an error: which one wins would be a guess.
func (c Config) Merge(other Config) (Config, error) {
	out := Config{Mirrors: map[string]Mirror{}, Configs: map[string]HostConfig{}}
	var errs []error
	for _, src := range []Config{c, other} {
		for k, m := range src.Mirrors {
			if _, dup := out.Mirrors[k]; dup {
				errs = append(errs, fmt.Errorf("mirrors.%q is configured twice (--registry-config and a registry of --registry-create/--registry-use)", k))
			}
			out.Mirrors[k] = m
		}
		for k, hc := range src.Configs {
			if _, dup := out.Configs[k]; dup {
				errs = append(errs, fmt.Errorf("configs.%q is configured twice", k))
			}
			out.Configs[k] = hc
		}
	}
	return out, errors.Join(errs...)
}

// Marshal writes the file, keys sorted so equal configs give equal bytes.
func (c Config) Marshal() ([]byte, error) {
	return yaml.Marshal(c)
}

// Empty reports whether the config configures nothing.
func (c Config) Empty() bool { return len(c.Mirrors) == 0 && len(c.Configs) == 0 }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
