package registries

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// full is every field of k3s's schema but rewrite.
const full = `mirrors:
  "localhost:5001":
    endpoint: ["http://mini-registry-dev:5000", "https://mirror.example:5000"]
  docker.io:
    endpoint:
      - https://mirror.example:5000/v2/hub
  "*":
    endpoint: ["http://cache.internal:5000/"]
configs:
  "mirror.example:5000":
    auth: {username: u, password: p, auth: dTpw, identity_token: t}
    tls: {cert_file: /c.crt, key_file: /c.key, ca_file: /ca.crt, insecure_skip_verify: true}
`

func TestParseValid(t *testing.T) {
	r, err := Parse([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Mirrors["localhost:5001"].Endpoints; len(got) != 2 || got[0] != "http://mini-registry-dev:5000" || got[1] != "https://mirror.example:5000" {
		t.Errorf("localhost:5001 endpoints: %q", got)
	}
	if got := r.MirrorHosts(); strings.Join(got, ",") != "*,docker.io,localhost:5001" {
		t.Errorf("mirror hosts: %q", got)
	}
	c := r.Configs["mirror.example:5000"]
	if *c.Auth != (AuthConfig{Username: "u", Password: "p", Auth: "dTpw", IdentityToken: "t"}) {
		t.Errorf("auth: %+v", *c.Auth)
	}
	if *c.TLS != (TLSConfig{CertFile: "/c.crt", KeyFile: "/c.key", CAFile: "/ca.crt", InsecureSkipVerify: true}) {
		t.Errorf("tls: %+v", *c.TLS)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# nothing yet\n", "mirrors: {}\n"} {
		r, err := Parse([]byte(in))
		if err != nil || len(r.Mirrors) != 0 || len(r.Configs) != 0 {
			t.Errorf("%q: got %+v, %v", in, r, err)
		}
	}
}

func TestParseUnknownFieldNamesFieldAndLine(t *testing.T) {
	_, err := Parse([]byte(`mirrors:
  docker.io:
    endpoints: ["https://m"]
configs:
  m:
    tls: {insecure: true}
`))
	if err == nil {
		t.Fatal("unknown fields accepted")
	}
	for _, want := range []string{`line 3: unknown field "endpoints" in a mirror`, `line 6: unknown field "insecure" in tls`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "registries.") {
		t.Errorf("error names Go types: %v", err)
	}
}

func TestParseRefusesRewrite(t *testing.T) {
	_, err := Parse([]byte(`mirrors:
  "localhost:5001":
    endpoint: ["http://mini-registry-dev:5000"]
    rewrite: {"^library/(.*)": "mirror/$1"}
`))
	if err == nil || !strings.Contains(err.Error(), `mirrors["localhost:5001"].rewrite`) || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("rewrite not refused by name: %v", err)
	}
}

func TestParseBadEndpoint(t *testing.T) {
	for _, tc := range []struct{ endpoint, want string }{
		{"mini-registry-dev:5000", "want an http:// or https:// URL"},
		{"ftp://m", "want an http:// or https:// URL"},
		{"http://", "no host"},
		{"https:///path", "no host"},
		{"https://u:p@m", "credentials in the URL"},
		{"https://m:99999", `port "99999"`},
		{"https://m?x=1", "query"},
		{"https://bad_name", "not a host name"},
	} {
		_, err := Parse([]byte("mirrors:\n  docker.io:\n    endpoint: [\"" + tc.endpoint + "\"]\n"))
		if err == nil || !strings.Contains(err.Error(), `mirrors["docker.io"].endpoint[0] "`+tc.endpoint+`"`) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to name the endpoint and say %q", tc.endpoint, err, tc.want)
		}
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`mirrors:
  "https://docker.io":
    endpoint: ["http://a:5000", "http://a:5000/"]
  "*":
    rewrite: {"a": "b"}
configs:
  "*":
    auth: {username: u}
  "m:5000":
    auth: {}
    tls: {cert_file: /c.crt, ca_file: ca.crt}
  "n":
    auth: {auth: "not base64!"}
    tls: {key_file: /k}
`))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		`mirrors["https://docker.io"]: a scheme or path is not allowed`,
		`mirrors["https://docker.io"].endpoint[1] "http://a:5000/": same endpoint as endpoint[0]`,
		`mirrors["*"].rewrite`,
		`configs["*"].auth: containerd looks credentials up by exact host`,
		`configs["m:5000"].auth: empty`,
		`configs["m:5000"].tls: cert_file without key_file`,
		`configs["m:5000"].tls.ca_file "ca.crt": must be an absolute path`,
		`configs["n"].auth.auth: not base64`,
		`configs["n"].tls: key_file without cert_file`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

func TestParseRefusesSeveralDocuments(t *testing.T) {
	if _, err := Parse([]byte("mirrors: {}\n---\nconfigs: {}\n")); err == nil || !strings.Contains(err.Error(), "more than one YAML document") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "registries.yaml")
	if r, err := Load(missing, true); err != nil || len(r.Mirrors) != 0 {
		t.Errorf("optional missing file: %+v, %v", r, err)
	}
	if _, err := Load(missing, false); err == nil {
		t.Error("explicitly named missing file accepted")
	}
	if r, err := Load("", false); err != nil || len(r.Mirrors) != 0 {
		t.Errorf("empty path: %+v, %v", r, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("mirror: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad, true); err == nil || !strings.Contains(err.Error(), bad+": line 1") {
		t.Errorf("bad file: error %v, want it to name the file and line", err)
	}
}

func TestLoadChecksTLSFiles(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, []byte("pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "registries.yaml")
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("configs:\n  m:\n    tls: {ca_file: " + ca + "}\n")
	if _, err := Load(path, false); err != nil {
		t.Fatalf("existing CA: %v", err)
	}
	write("configs:\n  m:\n    tls: {ca_file: " + ca + ", cert_file: /nonexistent/c.crt, key_file: " + dir + "}\n")
	_, err := Load(path, false)
	for _, want := range []string{`configs["m"].tls.cert_file: stat /nonexistent/c.crt`, `configs["m"].tls.key_file "` + dir + `": is a directory`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to say %q", err, want)
		}
	}
}
