package registries

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// hostFileConfig and hostsFile copy the types containerd 2.4.2 decodes a
// hosts.toml into (core/remotes/docker/config/hosts.go), with go-toml/v2
// as containerd does; decoding here rejects unknown keys too.
type hostFileConfig struct {
	Capabilities []string       `toml:"capabilities"`
	CACert       any            `toml:"ca"`
	Client       any            `toml:"client"`
	SkipVerify   *bool          `toml:"skip_verify"`
	Header       map[string]any `toml:"header"`
	OverridePath bool           `toml:"override_path"`
	DialTimeout  string         `toml:"dial_timeout"`
}

type hostsFile struct {
	hostFileConfig
	Server      string                    `toml:"server"`
	HostConfigs map[string]hostFileConfig `toml:"host"`
}

func decodeHosts(t *testing.T, data []byte) hostsFile {
	t.Helper()
	var f hostsFile
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("hosts.toml does not decode:\n%s\n%v", data, err)
	}
	return f
}

func mustParse(t *testing.T, in string) *Registry {
	t.Helper()
	r, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// assertHostOrder checks the [host."…"] tables come in the given order:
// containerd tries them in file order.
func assertHostOrder(t *testing.T, data []byte, hosts ...string) {
	t.Helper()
	last := -1
	for _, h := range hosts {
		i := bytes.Index(data, []byte("[host."+Quote(h)+"]"))
		if i <= last {
			t.Fatalf("host %s missing or out of order in:\n%s", h, data)
		}
		last = i
	}
}

func TestHostsPlainHTTPEndpoint(t *testing.T) {
	files := HostsFiles(mustParse(t, `mirrors:
  "localhost:5001":
    endpoint: ["http://mini-registry-dev:5000"]
  "registry.example.com":
    endpoint: ["http://mini-registry-dev:5000", "https://mirror.example:5000"]
`))
	if len(files) != 2 {
		t.Fatalf("want 2 files, got %v", keys(files))
	}
	f := decodeHosts(t, files["localhost:5001"])
	if f.Server != "" {
		t.Errorf("localhost registry: server %q, want none so containerd keeps its localhost defaults", f.Server)
	}
	h, ok := f.HostConfigs["http://mini-registry-dev:5000"]
	if !ok || !reflect.DeepEqual(h.Capabilities, []string{"pull", "resolve"}) || h.SkipVerify != nil || h.CACert != nil || h.Client != nil {
		t.Errorf("plain-http endpoint: %+v in\n%s", f, files["localhost:5001"])
	}
	data := files["registry.example.com"]
	if f := decodeHosts(t, data); f.Server != "https://registry.example.com" || len(f.HostConfigs) != 2 {
		t.Errorf("registry.example.com: %+v", f)
	}
	assertHostOrder(t, data, "http://mini-registry-dev:5000", "https://mirror.example:5000")
}

func TestHostsWildcardMirror(t *testing.T) {
	files := HostsFiles(mustParse(t, `mirrors:
  "*":
    endpoint: ["http://cache.internal:5000/", "https://cache2.internal/v2", "https://harbor.internal/v2/proxy/"]
`))
	data, ok := files[DefaultDir]
	if !ok || len(files) != 1 {
		t.Fatalf("want only %s, got %v", DefaultDir, keys(files))
	}
	f := decodeHosts(t, data)
	if f.Server != "" {
		t.Errorf("_default must not pin a server: %q", f.Server)
	}
	// As in k3s: no path, "/" or "/v2" is the standard API root (a
	// trailing slash would become //v2 in containerd); another path is
	// the API root itself.
	assertHostOrder(t, data, "http://cache.internal:5000", "https://cache2.internal", "https://harbor.internal/v2/proxy")
	for url, override := range map[string]bool{"http://cache.internal:5000": false, "https://cache2.internal": false, "https://harbor.internal/v2/proxy": true} {
		if h := f.HostConfigs[url]; h.OverridePath != override {
			t.Errorf("%s: override_path = %v, want %v", url, h.OverridePath, override)
		}
	}
}

func TestHostsDockerHubServer(t *testing.T) {
	files := HostsFiles(mustParse(t, `mirrors:
  docker.io:
    endpoint: ["https://mirror.example"]
configs:
  docker.io:
    tls: {ca_file: /hub-ca.crt}
`))
	f := decodeHosts(t, files["docker.io"])
	if f.Server != "https://registry-1.docker.io" {
		t.Errorf("docker.io server = %q", f.Server)
	}
	if f.CACert != "/hub-ca.crt" {
		t.Errorf("docker.io's configs TLS not applied to its server: %+v", f.hostFileConfig)
	}
	if _, ok := f.HostConfigs["https://mirror.example"]; !ok {
		t.Errorf("endpoint missing: %+v", f)
	}
}

func TestHostsTLS(t *testing.T) {
	files := HostsFiles(mustParse(t, `mirrors:
  "*":
    endpoint: ["http://cache.internal:5000"]
  registry.example.com:
    endpoint: ["https://mirror.example:5000", "http://plain:5000"]
configs:
  "mirror.example:5000":
    tls: {ca_file: /ca.crt, cert_file: /c.crt, key_file: /c.key}
  "plain:5000":
    auth: {username: u, password: p}
  "insecure.example":
    tls: {insecure_skip_verify: true}
`))
	f := decodeHosts(t, files["registry.example.com"])
	m := f.HostConfigs["https://mirror.example:5000"]
	if m.CACert != "/ca.crt" || !reflect.DeepEqual(m.Client, []any{[]any{"/c.crt", "/c.key"}}) || m.SkipVerify != nil {
		t.Errorf("mirror TLS: %+v", m)
	}
	if p := f.HostConfigs["http://plain:5000"]; p.CACert != nil || p.Client != nil || p.SkipVerify != nil {
		t.Errorf("auth-only host got TLS: %+v", p)
	}
	// A configs host with TLS that is not a mirror gets its own file, as in
	// k3s: its upstream with its TLS.
	for host, server := range map[string]string{"mirror.example:5000": "https://mirror.example:5000", "insecure.example": "https://insecure.example"} {
		f := decodeHosts(t, files[host])
		if f.Server != server || len(f.HostConfigs) != 0 {
			t.Errorf("%s: want just server %s, got %+v", host, server, f)
		}
	}
	if f := decodeHosts(t, files["mirror.example:5000"]); f.CACert != "/ca.crt" || !reflect.DeepEqual(f.Client, []any{[]any{"/c.crt", "/c.key"}}) {
		t.Errorf("mirror.example:5000 TLS: %+v", f.hostFileConfig)
	}
	if f := decodeHosts(t, files["insecure.example"]); f.SkipVerify == nil || !*f.SkipVerify {
		t.Errorf("skip_verify lost: %+v", f.hostFileConfig)
	}
	if _, ok := files["plain:5000"]; ok {
		t.Error("auth-only configs entry got a hosts.toml")
	}
}

func TestHostsWildcardConfigTLS(t *testing.T) {
	files := HostsFiles(mustParse(t, `configs:
  "*":
    tls: {ca_file: /corp-ca.crt}
`))
	f := decodeHosts(t, files[DefaultDir])
	if f.Server != "" || f.CACert != "/corp-ca.crt" || len(f.HostConfigs) != 0 {
		t.Errorf("configs \"*\" TLS: %+v", f)
	}
}

func TestHostsFilesParseAsTOML(t *testing.T) {
	r := mustParse(t, full)
	files := HostsFiles(r)
	for _, dir := range []string{"localhost:5001", "docker.io", DefaultDir, "mirror.example:5000"} {
		data, ok := files[dir]
		if !ok {
			t.Errorf("no hosts.toml for %s (have %v)", dir, keys(files))
			continue
		}
		var generic map[string]any
		if err := toml.Unmarshal(data, &generic); err != nil {
			t.Errorf("%s: %v\n%s", dir, err, data)
		}
		for k := range generic {
			if k != "server" && k != "host" && k != "ca" && k != "client" && k != "skip_verify" {
				t.Errorf("%s: unexpected top-level key %q", dir, k)
			}
		}
		for url, h := range decodeHosts(t, data).HostConfigs {
			if !reflect.DeepEqual(h.Capabilities, []string{"pull", "resolve"}) {
				t.Errorf("%s: %s capabilities %v", dir, url, h.Capabilities)
			}
		}
	}
	hub := decodeHosts(t, files["docker.io"])
	if _, ok := hub.HostConfigs["https://mirror.example:5000/v2/hub"]; !ok {
		t.Errorf("docker.io: %+v", hub)
	}
}

func TestWriteHostsDirStartsFromScratch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs.d")
	stale := filepath.Join(dir, "old.example", "hosts.toml")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("server = \"https://old.example\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteHostsDir(dir, mustParse(t, full)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale hosts.toml kept: %v", err)
	}
	for _, d := range []string{"localhost:5001", "docker.io", DefaultDir} {
		if _, err := os.Stat(filepath.Join(dir, d, "hosts.toml")); err != nil {
			t.Error(err)
		}
	}
	if err := WriteHostsDir(dir, nil); err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Errorf("no registries: want an empty dir, got %v, %v", ents, err)
	}
	if err := WriteHostsDir("relative", nil); err == nil {
		t.Error("relative hosts dir accepted")
	}
}

func TestAuthsAliasDockerHub(t *testing.T) {
	r := mustParse(t, `configs:
  docker.io:
    auth: {username: hub, password: pw}
  "mirror.example:5000":
    auth: {identity_token: tok}
    tls: {ca_file: /ca.crt}
  tlsonly.example:
    tls: {ca_file: /ca.crt}
`)
	got := r.Auths()
	want := []HostAuth{
		{Host: "docker.io", AuthConfig: AuthConfig{Username: "hub", Password: "pw"}},
		{Host: "mirror.example:5000", AuthConfig: AuthConfig{IdentityToken: "tok"}},
		{Host: "registry-1.docker.io", AuthConfig: AuthConfig{Username: "hub", Password: "pw"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("auths:\n got %+v\nwant %+v", got, want)
	}
}

func TestQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{`pa"ss\word`, `C:\path\`, "tab\tnew\nline\x00\x1f\x7f", "ünïcødé ✓", `'single'`, ""} {
		var v struct{ K string }
		if err := toml.Unmarshal([]byte("K = "+Quote(s)+"\n"), &v); err != nil || v.K != s {
			t.Errorf("%q: quoted %s, decoded %q, %v", s, Quote(s), v.K, err)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
