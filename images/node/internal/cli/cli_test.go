package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/minictl/mini/images/node/internal/config"
)

func run(t *testing.T, env map[string]string, args ...string) (*config.Server, error) {
	t.Helper()
	var got *config.Server
	r := Runners{
		Server: func(_ context.Context, c *config.Server) error { got = c; return nil },
		Agent:  func(context.Context, *config.Agent) error { return nil },
	}
	root := NewRoot(Version{Kubernetes: "v1.37.2", Revision: "mini.1"}, r, func(k string) string { return env[k] }, &bytes.Buffer{})
	root.SetArgs(args)
	root.SetErr(&bytes.Buffer{})
	return got, root.ExecuteContext(context.Background())
}

func TestServerFlagsAndEnv(t *testing.T) {
	cfg, err := run(t, map[string]string{"K3S_TOKEN": "from-env", "K3S_CLUSTER_INIT": "true"},
		"server", "--node-name", "mini-dev-server-0", "--node-ip", "172.18.0.2", "--tls-san", "mini-dev-lb",
		"--tls-san", "127.0.0.1", "--disable", "metrics-server", "--kubelet-arg", "max-pods=50", "--https-listen-port", "6444")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Token != "from-env" || !cfg.ClusterInit || cfg.HTTPSPort != 6444 || len(cfg.TLSSANs) != 2 ||
		cfg.Disable[0] != "metrics-server" || cfg.KubeletArgs[0] != "max-pods=50" {
		t.Fatalf("unexpected config: %+v", cfg)
	}
	if cfg.ClusterCIDR != "10.42.0.0/16" || cfg.ServiceCIDR != "10.43.0.0/16" || cfg.ClusterDNS != "10.43.0.10" ||
		cfg.PrivateRegistry != "/etc/rancher/k3s/registries.yaml" {
		t.Fatalf("k3s defaults lost: %+v", cfg)
	}
}

func TestFlagWinsOverEnv(t *testing.T) {
	cfg, err := run(t, map[string]string{"K3S_TOKEN": "env"}, "server", "--node-ip", "10.0.0.1", "--node-name", "n", "--token", "flag")
	if err != nil || cfg.Token != "flag" {
		t.Fatalf("got %+v, %v", cfg, err)
	}
}

func TestBadInputNamesTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"server", "--no-such-flag"}, want: "unknown flag: --no-such-flag"},
		{args: []string{"server", "--https-listen-port", "x"}, want: "https-listen-port"},
		{args: []string{"server", "--cluster-cidr", "10.42.0.0"}, want: "--cluster-cidr"},
		{args: []string{"server", "--disable", "traefk"}, want: "--disable"},
		{args: []string{"server"}, env: map[string]string{"K3S_CLUSTER_INIT": "maybe"}, want: "K3S_CLUSTER_INIT"},
		{args: []string{"server", "extra"}, want: "unknown command"},
		{args: []string{"agent", "--node-ip", "10.0.0.1", "--node-name", "n"}, want: "--server"},
		{args: []string{"server", "--private-registry", "/nonexistent/registries.yaml"}, want: `--private-registry "/nonexistent/registries.yaml": no such file`},
		{args: []string{"agent", "-s", "https://s:6443", "-t", "x", "--private-registry", "/nonexistent/r.yaml"}, want: "--private-registry"},
	} {
		_, err := run(t, tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
}
