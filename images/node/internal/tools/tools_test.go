package tools

import (
	"bufio"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/minictl/mini/images/node/internal/config"
)

func TestIs(t *testing.T) {
	for _, n := range []string{"kubectl", "containerd", "ctr", "crictl"} {
		if !Is(n) {
			t.Errorf("Is(%q) = false: mini-node must answer to that link", n)
		}
	}
	for _, n := range []string{"mini-node", "server", "runc", "containerd-shim-runc-v2", ""} {
		if Is(n) {
			t.Errorf("Is(%q) = true; it is not a bundled tool", n)
		}
	}
}

// The clients reach this node's containerd by default, and a value the user
// set wins: crictl in particular would otherwise probe dockershim and
// cri-dockerd sockets first and print warnings.
func TestRunDefaultsOnlyFillUnsetVariables(t *testing.T) {
	t.Setenv("CONTAINERD_NAMESPACE", "mine")
	os.Unsetenv("CONTAINERD_ADDRESS")
	os.Unsetenv("CONTAINER_RUNTIME_ENDPOINT")
	t.Cleanup(func() {
		os.Unsetenv("CONTAINERD_ADDRESS")
		os.Unsetenv("CONTAINER_RUNTIME_ENDPOINT")
		os.Unsetenv("IMAGE_SERVICE_ENDPOINT")
	})
	for _, name := range []string{"ctr", "crictl"} {
		if err := applyDefaults(name); err != nil {
			t.Fatal(err)
		}
	}
	if got := os.Getenv("CONTAINERD_NAMESPACE"); got != "mine" {
		t.Errorf("CONTAINERD_NAMESPACE = %q, the user's value must win", got)
	}
	if got, want := os.Getenv("CONTAINERD_ADDRESS"), config.ContainerdSocket; got != want {
		t.Errorf("CONTAINERD_ADDRESS = %q, want %q", got, want)
	}
	if got, want := os.Getenv("CONTAINER_RUNTIME_ENDPOINT"), "unix://"+config.ContainerdSocket; got != want {
		t.Errorf("CONTAINER_RUNTIME_ENDPOINT = %q, want %q", got, want)
	}
	if err := Run(context.Background(), "nosuch", nil); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Run(nosuch) = %v, want an error naming it", err)
	}
}

// A plain go build has no crictl overlay: the verb must say how to get one
// rather than do nothing.
func TestCrictlWithoutOverlayExplains(t *testing.T) {
	err := Run(context.Background(), "crictl", []string{"--version"})
	if err == nil || !strings.Contains(err.Error(), "build-mini-node.sh") {
		t.Errorf("crictl in a test binary: %v, want the error naming hack/build-mini-node.sh", err)
	}
}

// versions.env names the containerd and cri-tools versions (docs, image
// labels); the node's go.mod is what is built. They must agree.
func TestGoModMatchesVersionsEnv(t *testing.T) {
	env := map[string]string{}
	f, err := os.Open("../../../versions.env")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for module, key := range map[string]string{
		"github.com/containerd/containerd/v2": "CONTAINERD_VERSION",
		"sigs.k8s.io/cri-tools":               "CRITOOLS_VERSION",
	} {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(\S+)`).FindSubmatch(mod)
		if m == nil {
			t.Errorf("images/node/go.mod does not require %s", module)
			continue
		}
		if got, want := string(m[1]), env[key]; got != want {
			t.Errorf("go.mod requires %s %s, versions.env's %s is %q", module, got, key, want)
		}
	}
}
