package registry

import (
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParseStrictWithLines(t *testing.T) {
	_, err := Parse([]byte("mirrors:\n  docker.io:\n    endpoints: [\"http://m:5000\"]\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "endpoints") {
		t.Errorf("unknown field: err = %v, want its name and line 3", err)
	}
	c, err := Parse(nil)
	if err != nil || !c.Empty() {
		t.Errorf("empty file: %+v, %v", c, err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`
mirrors:
  docker.io:
    endpoint: ["ftp://m", "http://"]
    rewrite: {"^a/(.*)": "b/$1"}
configs:
  "https://r.example":
    tls: {cert_file: /c}
`))
	for _, want := range []string{`mirrors."docker.io".endpoint[0]`, `mirrors."docker.io".endpoint[1]`, `rewrite`,
		`configs."https://r.example": want a host`, `cert_file and key_file`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestMirrorsOneNameEverywhere(t *testing.T) {
	got := Mirrors([]Registry{
		{Container: "mini-registry-dev", HostPort: 5001},
		{Container: "mini-registry-hub", HostPort: 5002, ProxyRemoteURL: "https://registry-1.docker.io"},
		{Container: "mini-registry-cache", HostPort: 5003, ProxyRemoteURL: "http://mini-registry-dev:5000"},
	})
	want := map[string][]string{
		"localhost:5001":           {"http://mini-registry-dev:5000"},
		"mini-registry-dev:5000":   {"http://mini-registry-dev:5000"},
		"localhost:5002":           {"http://mini-registry-hub:5000"},
		"mini-registry-hub:5000":   {"http://mini-registry-hub:5000"},
		"docker.io":                {"http://mini-registry-hub:5000"},
		"localhost:5003":           {"http://mini-registry-cache:5000"},
		"mini-registry-cache:5000": {"http://mini-registry-cache:5000"},
		// The cache's upstream is a registry of the cluster itself: its own
		// name stays its own.
	}
	if len(got.Mirrors) != len(want) {
		t.Errorf("mirrors = %v", got.Mirrors)
	}
	for k, eps := range want {
		if !reflect.DeepEqual(got.Mirrors[k].Endpoints, eps) {
			t.Errorf("mirror %s = %v, want %v", k, got.Mirrors[k].Endpoints, eps)
		}
	}
}

func TestMergeRefusesClashesAndRoundTrips(t *testing.T) {
	user, err := Parse([]byte(`
mirrors:
  docker.io: {endpoint: ["https://mirror.example"]}
configs:
  mirror.example: {auth: {username: u, password: "p\"\\x"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	gen := Mirrors([]Registry{{Container: "mini-registry-dev", HostPort: 5001}})
	merged, err := user.Merge(gen)
	if err != nil {
		t.Fatal(err)
	}
	data, err := merged.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil || !reflect.DeepEqual(back, merged) {
		t.Errorf("round trip:\n%s\n%+v, %v", data, back, err)
	}
	if _, err := user.Merge(user); err == nil || !strings.Contains(err.Error(), `mirrors."docker.io" is configured twice`) {
		t.Errorf("clash: err = %v", err)
	}
}

func TestHostingConfigMap(t *testing.T) {
	data := HostingConfigMapData(Registry{Container: "mini-registry-dev", HostPort: 5001}, "https://h")
	var m map[string]string
	if err := yaml.Unmarshal([]byte(data["localRegistryHosting.v1"]), &m); err != nil {
		t.Fatal(err)
	}
	if m["host"] != "localhost:5001" || m["hostFromContainerRuntime"] != "localhost:5001" ||
		m["hostFromClusterNetwork"] != "mini-registry-dev:5000" || m["help"] != "https://h" {
		t.Errorf("data = %v", m)
	}
}
