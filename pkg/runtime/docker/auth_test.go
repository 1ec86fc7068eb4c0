package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/registry"
)

func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func decodeAuth(t *testing.T, enc string) registry.AuthConfig {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	var a registry.AuthConfig
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCredentialsLikeTheDockerCLI: a helper named for the registry wins,
// then the config's store, then the auths entry; Docker Hub's key is its
// v1 URL; no config, no entry or a helper that knows nothing is an
// anonymous pull.
func TestCredentialsLikeTheDockerCLI(t *testing.T) {
	userPass := base64.StdEncoding.EncodeToString([]byte("alice:pw"))
	var asked []string
	helper := func(_ context.Context, name, server string) ([]byte, error) {
		asked = append(asked, name+" "+server)
		switch name {
		case "ecr":
			return []byte(`{"ServerURL":"` + server + `","Username":"AWS","Secret":"tok"}`), nil
		case "desktop":
			if server == hubServer {
				return []byte(`{"Username":"<token>","Secret":"idtok"}`), nil
			}
			return nil, fmt.Errorf("docker-credential-desktop get: exit status 1: credentials not found in native keychain")
		case "gone":
			return nil, fmt.Errorf("docker-credential-gone: %w", exec.ErrNotFound)
		}
		return nil, errors.New("broken helper")
	}
	ctx := context.Background()
	for _, tt := range []struct {
		name, cfg, ref string
		want           *registry.AuthConfig
		wantErr        string
	}{
		{"auths by host", `{"auths":{"reg.example.com":{"auth":"` + userPass + `"}}}`, "reg.example.com/m/mini-node:1",
			&registry.AuthConfig{Username: "alice", Password: "pw", ServerAddress: "reg.example.com"}, ""},
		{"auths by URL", `{"auths":{"https://reg.example.com/v2/":{"auth":"` + userPass + `"}}}`, "reg.example.com:443/x:1", nil, ""},
		{"auths with port", `{"auths":{"localhost:5001":{"auth":"` + userPass + `"}}}`, "localhost:5001/m/mini-lb:1",
			&registry.AuthConfig{Username: "alice", Password: "pw", ServerAddress: "localhost:5001"}, ""},
		{"hub", `{"auths":{"https://index.docker.io/v1/":{"auth":"` + userPass + `"}}}`, "minictl/mini-node:1",
			&registry.AuthConfig{Username: "alice", Password: "pw", ServerAddress: hubServer}, ""},
		{"other host", `{"auths":{"other.example.com":{"auth":"` + userPass + `"}}}`, "reg.example.com/x:1", nil, ""},
		{"credHelpers win", `{"credsStore":"desktop","credHelpers":{"1.dkr.ecr.example.com":"ecr"},"auths":{"1.dkr.ecr.example.com":{"auth":"` + userPass + `"}}}`,
			"1.dkr.ecr.example.com/x:1", &registry.AuthConfig{Username: "AWS", Password: "tok", ServerAddress: "1.dkr.ecr.example.com"}, ""},
		{"store identity token", `{"credsStore":"desktop"}`, "docker.io/minictl/x:1", &registry.AuthConfig{IdentityToken: "idtok", ServerAddress: hubServer}, ""},
		{"store knows nothing", `{"credsStore":"desktop"}`, "ghcr.io/minictl/x:1", nil, ""},
		{"helper not installed", `{"credsStore":"gone"}`, "ghcr.io/minictl/x:1", nil, ""},
		{"helper broken", `{"credsStore":"broken"}`, "ghcr.io/minictl/x:1", nil, "broken helper"},
		{"bad auth", `{"auths":{"ghcr.io":{"auth":"bm9jb2xvbg=="}}}`, "ghcr.io/minictl/x:1", nil, "not base64 of USER:PASSWORD"},
		{"bad json", `{"auths":`, "ghcr.io/minictl/x:1", nil, "config.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := credentials{configDir: writeConfig(t, tt.cfg), helper: helper}
			enc, err := c.encoded(ctx, tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("encoded() = %q, %v; want an error saying %q", enc, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if enc != "" {
					t.Errorf("want an anonymous pull, got %+v", decodeAuth(t, enc))
				}
				return
			}
			if got := decodeAuth(t, enc); got != *tt.want {
				t.Errorf("auth = %+v, want %+v", got, *tt.want)
			}
		})
	}
	if len(asked) == 0 || !strings.HasPrefix(asked[0], "ecr 1.dkr.ecr.example.com") {
		t.Errorf("helpers asked: %v", asked)
	}
	// No config at all.
	if enc, err := (credentials{configDir: t.TempDir(), helper: helper}).encoded(ctx, "x:1"); err != nil || enc != "" {
		t.Errorf("no config.json: %q, %v", enc, err)
	}
}

// TestPullTracker sums a recorded engine stream: two layers, one already
// there, one downloaded in steps, then extracted.
func TestPullTracker(t *testing.T) {
	stream := `{"status":"Pulling from m/mini-node","id":"v1"}
{"status":"Already exists","progressDetail":{},"id":"aaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbb"}
{"status":"Downloading","progressDetail":{"current":100,"total":400},"id":"bbb"}
{"status":"Downloading","progressDetail":{"current":300,"total":400},"id":"bbb"}
{"status":"Download complete","progressDetail":{},"id":"bbb"}
{"status":"Extracting","progressDetail":{"current":50,"total":400},"id":"bbb"}
{"status":"Pull complete","progressDetail":{},"id":"bbb"}
{"status":"Digest: sha256:abc"}
{"status":"Status: Downloaded newer image for m/mini-node:v1"}`
	tr := newPullTracker("m/mini-node:v1")
	var reports []string
	dec := json.NewDecoder(strings.NewReader(stream))
	for dec.More() {
		var m pullMessage
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if tr.update(m) {
			p := tr.report(false)
			reports = append(reports, fmt.Sprintf("%d/%d %d/%d", p.Done, p.Total, p.LayersDone, p.Layers))
		}
	}
	want := []string{"0/0 1/1", "0/0 1/2", "100/400 1/2", "300/400 1/2", "400/400 1/2", "400/400 1/2", "400/400 2/2"}
	if strings.Join(reports, " | ") != strings.Join(want, " | ") {
		t.Errorf("reports:\n%v\nwant\n%v", reports, want)
	}
	if (pullMessage{ErrorDetail: &struct {
		Message string `json:"message"`
	}{"manifest unknown"}}).err() != "manifest unknown" || (pullMessage{Error: "denied"}).err() != "denied" {
		t.Error("error messages are not read")
	}
}
