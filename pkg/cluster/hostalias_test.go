package cluster

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestParseHostAlias(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "10.0.0.5:db", want: "10.0.0.5:db"},
		{in: "10.0.0.5:db,Cache.Local", want: "10.0.0.5:db,cache.local"},
		{in: "fd00::1:v6host", want: "fd00::1:v6host"},
		{in: "[fd00::1]:v6host", want: "fd00::1:v6host"},
		{in: "db", err: "want IP:NAME"},
		{in: "300.0.0.1:db", err: "not an IP address"},
		{in: "10.0.0.5:bad_name", err: `name "bad_name"`},
		{in: "10.0.0.5:", err: `name ""`},
		{in: "10.0.0.5:host.mini.internal", err: "mini's own name"},
	}
	for _, c := range cases {
		a, err := ParseHostAlias(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.err == "" && a.String() != c.want:
			t.Errorf("%q: %s, want %s", c.in, a, c.want)
		}
	}
}

func TestHostAliasesReportEveryBadOne(t *testing.T) {
	o := defaultOpts("dev")
	o.HostAliases = []string{"x:db", "10.0.0.1:ok", "10.0.0.2:bad_name"}
	_, err := o.parse()
	if err == nil || !strings.Contains(err.Error(), `--host-alias "x:db"`) || !strings.Contains(err.Error(), `--host-alias "10.0.0.2:bad_name"`) {
		t.Fatalf("got %v, want both bad aliases named", err)
	}
}

// Every node, and every node added later, gets the Docker host and the
// aliases in /etc/hosts.
func TestHostAliasesOnEveryNode(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1, func(o *CreateOptions) {
		o.HostAliases = []string{"10.0.0.5:db,cache", "fd00::7:v6"}
	})
	if err := h.p.CreateNodes(context.Background(), nodeOpts("dev", "worker", RoleAgent, 1)); err != nil {
		t.Fatal(err)
	}
	want := []string{"host.mini.internal:host-gateway", "db:10.0.0.5", "cache:10.0.0.5", "v6:fd00::7"}
	for _, name := range []string{"mini-dev-server-0", "mini-dev-agent-0", "mini-dev-worker-0"} {
		c := h.rt.Container(name)
		if c == nil {
			t.Fatalf("%s missing", name)
		}
		if !slices.Equal(c.Spec.ExtraHosts, want) {
			t.Errorf("%s extra hosts %v, want %v", name, c.Spec.ExtraHosts, want)
		}
	}
}
