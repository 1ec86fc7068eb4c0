package docker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/registry"
)

// hubServer is the key Docker's config uses for Docker Hub's credentials.
const hubServer = "https://index.docker.io/v1/"

// credentials finds what `docker login` stored for a registry, the way
// the docker CLI does, without depending on it: a credential helper named
// for the registry (credHelpers), else the config's store (credsStore),
// else the base64 user:password of the auths entry.
type credentials struct {
	// configDir holds config.json: $DOCKER_CONFIG, else ~/.docker.
	configDir string
	// helper runs `docker-credential-NAME get` with server on stdin.
	helper func(ctx context.Context, name, server string) ([]byte, error)
}

// dockerConfig is the part of config.json that holds credentials.
type dockerConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		IdentityToken string `json:"identitytoken"`
	} `json:"auths"`
	CredsStore  string            `json:"credsStore"`
	CredHelpers map[string]string `json:"credHelpers"`
}

// defaultCredentials reads the config where the docker CLI does.
func defaultCredentials(getenv func(string) string) credentials {
	dir := getenv("DOCKER_CONFIG")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".docker")
		}
	}
	return credentials{configDir: dir, helper: runHelper}
}

// runHelper speaks the credential helper protocol: the server URL on
// stdin, a JSON {ServerURL, Username, Secret} on stdout.
func runHelper(ctx context.Context, name, server string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "docker-credential-"+name, "get")
	cmd.Stdin = strings.NewReader(server)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// Helpers say "credentials not found" on stdout and exit 1.
		msg := strings.TrimSpace(string(out) + " " + stderr.String())
		return nil, fmt.Errorf("docker-credential-%s get: %w: %s", name, err, msg)
	}
	return out, nil
}

// encoded returns the X-Registry-Auth value for pulling ref: empty when
// the user has no credentials for its registry (an anonymous pull).
func (c credentials) encoded(ctx context.Context, ref string) (string, error) {
	auth, ok, err := c.lookup(ctx, ref)
	if err != nil || !ok {
		return "", err
	}
	return registry.EncodeAuthConfig(auth)
}

func (c credentials) lookup(ctx context.Context, ref string) (registry.AuthConfig, bool, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return registry.AuthConfig{}, false, fmt.Errorf("image %q: %w", ref, err)
	}
	host := reference.Domain(named)
	server := host
	if host == "docker.io" {
		server = hubServer
	}
	if c.configDir == "" {
		return registry.AuthConfig{}, false, nil
	}
	path := filepath.Join(c.configDir, "config.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return registry.AuthConfig{}, false, nil
	}
	if err != nil {
		return registry.AuthConfig{}, false, fmt.Errorf("reading registry credentials: %w", err)
	}
	var cfg dockerConfig
	if err := json.Unmarshal(b, &cfg); err != nil {
		return registry.AuthConfig{}, false, fmt.Errorf("reading registry credentials from %s: %w", path, err)
	}
	helper := cfg.CredHelpers[host]
	if helper == "" {
		helper = cfg.CredsStore
	}
	if helper != "" {
		return c.fromHelper(ctx, helper, server)
	}
	for key, a := range cfg.Auths {
		if hostOf(key) != hostOf(server) {
			continue
		}
		out := registry.AuthConfig{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken, ServerAddress: server}
		if a.Auth != "" {
			dec, err := base64.StdEncoding.DecodeString(a.Auth)
			user, pass, ok := strings.Cut(string(dec), ":")
			if err != nil || !ok {
				return registry.AuthConfig{}, false, fmt.Errorf("reading registry credentials from %s: auths[%q].auth is not base64 of USER:PASSWORD", path, key)
			}
			out.Username, out.Password = user, pass
		}
		return out, true, nil
	}
	return registry.AuthConfig{}, false, nil
}

func (c credentials) fromHelper(ctx context.Context, helper, server string) (registry.AuthConfig, bool, error) {
	out, err := c.helper(ctx, helper, server)
	if errors.Is(err, exec.ErrNotFound) {
		// A config copied from another machine (credsStore "desktop" on a
		// Linux CI runner): pull anonymously, as public images need no
		// credentials, rather than fail every pull.
		return registry.AuthConfig{}, false, nil
	}
	if err != nil {
		if strings.Contains(err.Error(), "credentials not found") {
			return registry.AuthConfig{}, false, nil
		}
		return registry.AuthConfig{}, false, fmt.Errorf("reading registry credentials for %s: %w", server, err)
	}
	var got struct{ Username, Secret string }
	if err := json.Unmarshal(out, &got); err != nil {
		return registry.AuthConfig{}, false, fmt.Errorf("reading registry credentials for %s from docker-credential-%s: %w", server, helper, err)
	}
	if got.Username == "<token>" {
		// Helpers store an identity token under this user name.
		return registry.AuthConfig{IdentityToken: got.Secret, ServerAddress: server}, true, nil
	}
	return registry.AuthConfig{Username: got.Username, Password: got.Secret, ServerAddress: server}, true, nil
}

// hostOf reduces a config key ("https://index.docker.io/v1/",
// "registry.example.com", "http://localhost:5001") to its host.
func hostOf(key string) string {
	if _, rest, ok := strings.Cut(key, "://"); ok {
		key = rest
	}
	host, _, _ := strings.Cut(key, "/")
	return host
}
