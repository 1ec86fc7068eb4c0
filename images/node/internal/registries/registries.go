package registries

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Wildcard is the mirror key k3s uses for "every registry"; containerd's
// hosts directory calls it _default.
const Wildcard = "*"

// Registry is k3s's registries.yaml.
type Registry struct {
	// Mirrors maps a registry host, as image names spell it ("docker.io",
	// "localhost:5001", or "*"), to the endpoints to pull it from.
	Mirrors map[string]Mirror `yaml:"mirrors"`
	// Configs maps an endpoint host[:port] to its credentials and TLS.
	Configs map[string]RegistryConfig `yaml:"configs"`
}

// Mirror is one registry's list of endpoints, tried in order before the
// registry itself.
type Mirror struct {
	Endpoints []string `yaml:"endpoint"`
	// Rewrites is decoded only to refuse it with a clear message.
	Rewrites map[string]string `yaml:"rewrite"`
}

// RegistryConfig is what a configs entry holds for one host.
type RegistryConfig struct {
	Auth *AuthConfig `yaml:"auth"`
	TLS  *TLSConfig  `yaml:"tls"`
}

// AuthConfig are registry credentials, as in a Docker config.json.
type AuthConfig struct {
	Username      string `yaml:"username"`
	Password      string `yaml:"password"`
	Auth          string `yaml:"auth"`
	IdentityToken string `yaml:"identity_token"`
}

// TLSConfig are a host's TLS files, absolute paths on the node.
type TLSConfig struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Load reads and validates the file at path, and checks its TLS files
// exist. An empty path means no registries; so does a missing file when
// optional (k3s's default path is optional, a path the user named is not).
func Load(path string, optional bool) (*Registry, error) {
	if path == "" {
		return &Registry{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return &Registry{}, nil
		}
		return nil, err
	}
	r, err := Parse(data)
	if err == nil {
		err = r.checkFiles()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// checkFiles reports TLS files that are not there: containerd would fail
// every pull from the host ("unable to read CA cert") rather than start
// without them.
func (r *Registry) checkFiles() error {
	var errs []error
	for _, host := range slices.Sorted(maps.Keys(r.Configs)) {
		t := r.Configs[host].TLS
		if t == nil {
			continue
		}
		for _, f := range []struct{ key, path string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}} {
			if f.path == "" {
				continue
			}
			if fi, err := os.Stat(f.path); err != nil {
				errs = append(errs, fmt.Errorf("configs[%q].tls.%s: %w", host, f.key, err))
			} else if fi.IsDir() {
				errs = append(errs, fmt.Errorf("configs[%q].tls.%s %q: is a directory", host, f.key, f.path))
			}
		}
	}
	return errors.Join(errs...)
}

// Parse decodes a registries.yaml strictly and validates it.
func Parse(data []byte) (*Registry, error) {
	var r Registry
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil && err != io.EOF {
		return nil, decodeError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, errors.New("more than one YAML document: want a single mapping with mirrors and configs")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// knownFields describes each decoded type for unknown-field errors, which
// yaml.v3 words with Go type names.
var knownFields = map[string]string{
	"Registry":       "at the top level (want mirrors, configs)",
	"Mirror":         "in a mirror (want endpoint, rewrite)",
	"RegistryConfig": "in a configs entry (want auth, tls)",
	"AuthConfig":     "in auth (want username, password, auth, identity_token)",
	"TLSConfig":      "in tls (want ca_file, cert_file, key_file, insecure_skip_verify)",
}

var unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.*) not found in type registries\.(\w+)$`)

// decodeError rewords yaml.v3's errors in the file's terms, one per line.
func decodeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	errs := make([]error, 0, len(te.Errors))
	for _, e := range te.Errors {
		if m := unknownFieldRE.FindStringSubmatch(e); m != nil {
			e = fmt.Sprintf("line %s: unknown field %q %s", m[1], m[2], knownFields[m[3]])
		}
		errs = append(errs, errors.New(e))
	}
	return errors.Join(errs...)
}

// Validate reports every problem at once, each naming the key at fault.
func (r *Registry) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	for _, host := range slices.Sorted(maps.Keys(r.Mirrors)) {
		m := r.Mirrors[host]
		at := fmt.Sprintf("mirrors[%q]", host)
		if host != Wildcard {
			if err := validHost(host); err != nil {
				add("%s: %v", at, err)
			}
		}
		if len(m.Rewrites) > 0 {
			add("%s.rewrite: repository rewrites are not supported: containerd's hosts.toml has no equivalent (k3s patches containerd for them); push the images under the names you pull, or drop the rewrite", at)
		}
		seen := map[string]int{}
		for i, ep := range m.Endpoints {
			norm, err := normalizeEndpoint(ep)
			if err != nil {
				add("%s.endpoint[%d] %q: %v", at, i, ep, err)
				continue
			}
			if j, dup := seen[norm.URL]; dup {
				add("%s.endpoint[%d] %q: same endpoint as endpoint[%d]", at, i, ep, j)
				continue
			}
			seen[norm.URL] = i
		}
	}
	for _, host := range slices.Sorted(maps.Keys(r.Configs)) {
		c := r.Configs[host]
		at := fmt.Sprintf("configs[%q]", host)
		if host == Wildcard {
			if c.Auth != nil {
				add("%s.auth: containerd looks credentials up by exact host; name each host under configs", at)
			}
		} else if err := validHost(host); err != nil {
			add("%s: %v", at, err)
		}
		if a := c.Auth; a != nil {
			if *a == (AuthConfig{}) {
				add("%s.auth: empty: set username and password, auth, or identity_token", at)
			}
			if a.Auth != "" {
				dec, err := base64.StdEncoding.DecodeString(a.Auth)
				if err != nil {
					add("%s.auth.auth: not base64: %v", at, err)
				} else if !bytes.Contains(dec, []byte(":")) {
					add("%s.auth.auth: want base64 of USERNAME:PASSWORD", at)
				}
			}
		}
		if t := c.TLS; t != nil {
			for _, f := range []struct{ key, path string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}} {
				if f.path != "" && !strings.HasPrefix(f.path, "/") {
					add("%s.tls.%s %q: must be an absolute path", at, f.key, f.path)
				}
			}
			if t.CertFile != "" && t.KeyFile == "" {
				add("%s.tls: cert_file without key_file", at)
			}
			if t.KeyFile != "" && t.CertFile == "" {
				add("%s.tls: key_file without cert_file", at)
			}
		}
	}
	return errors.Join(errs...)
}

// validHost checks a HOST[:PORT] as image names spell a registry. It also
// keeps the name safe as a directory name (no '/', no '..').
func validHost(h string) error {
	const want = "want HOST[:PORT], such as registry.example.com or localhost:5001"
	if h == "" {
		return errors.New("empty host: " + want)
	}
	if strings.Contains(h, "://") || strings.Contains(h, "/") {
		return errors.New("a scheme or path is not allowed here: " + want)
	}
	u, err := url.Parse("//" + h)
	if err != nil || u.Host != h || u.User != nil {
		return errors.New(want)
	}
	return checkHostPort(u)
}

// checkHostPort validates the host and port of a parsed URL.
func checkHostPort(u *url.URL) error {
	if strings.HasSuffix(u.Host, ":") {
		return errors.New("empty port")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: want 1-65535", p)
		}
	}
	name := u.Hostname()
	if net.ParseIP(name) != nil {
		return nil
	}
	if strings.HasPrefix(u.Host, "[") {
		return fmt.Errorf("%q: not an IPv6 address", name)
	}
	for _, label := range strings.Split(name, ".") {
		if !hostLabelRE.MatchString(label) {
			return fmt.Errorf("%q: not a host name or IP address", name)
		}
	}
	return nil
}

var hostLabelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)

// endpoint is a mirror endpoint as hosts.toml lists it.
type endpoint struct {
	// URL is SCHEME://HOST[:PORT][/PATH].
	URL, Host string
	// OverridePath: the URL's path is the registry API root, used as is.
	OverridePath bool
}

// normalizeEndpoint checks a mirror endpoint and interprets its path as k3s
// does: none, "/" or "/v2" is the standard API root (containerd appends
// /v2 to a bare host), any other path is the API root itself
// (override_path), as for a Harbor proxy project at https://h/v2/proxy.
func normalizeEndpoint(ep string) (endpoint, error) {
	u, err := url.Parse(ep)
	if err != nil {
		return endpoint{}, fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return endpoint{}, errors.New("want an http:// or https:// URL")
	}
	if u.Host == "" || u.Opaque != "" {
		return endpoint{}, errors.New("no host: want SCHEME://HOST[:PORT][/PATH]")
	}
	if u.User != nil {
		return endpoint{}, errors.New("credentials in the URL are not allowed: put them under configs.<host>.auth")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return endpoint{}, errors.New("a query or fragment is not allowed")
	}
	if err := checkHostPort(u); err != nil {
		return endpoint{}, err
	}
	e := endpoint{URL: u.Scheme + "://" + u.Host, Host: u.Host}
	switch p := strings.TrimRight(u.EscapedPath(), "/"); p {
	case "", "/v2":
	default:
		e.URL += p
		e.OverridePath = true
	}
	return e, nil
}
