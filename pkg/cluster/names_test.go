package cluster

import (
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	valid := []string{"dev", "a", "my-cluster-2", strings.Repeat("a", MaxNameLength)}
	invalid := []string{"", "Dev", "-dev", "dev-", "2dev", "dev_1", "dev.x", strings.Repeat("a", MaxNameLength+1)}
	for _, n := range valid {
		if err := ValidateName(n); err != nil {
			t.Errorf("ValidateName(%q) = %v, want nil", n, err)
		}
	}
	for _, n := range invalid {
		if err := ValidateName(n); err == nil {
			t.Errorf("ValidateName(%q) = nil, want an error", n)
		}
	}
}

func TestNamer(t *testing.T) {
	n := Namer{Cluster: "dev"}
	got := []string{n.Server(0), n.Agent(2), n.LoadBalancer(), n.Network(), n.Volume(n.Server(1)), n.Context(), n.User()}
	want := []string{"mini-dev-server-0", "mini-dev-agent-2", "mini-dev-lb", "mini-dev", "mini-dev-server-1-data", "mini-dev", "admin@mini-dev"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, got[i], want[i])
		}
	}
	// The longest name stays a valid hostname label.
	long := Namer{Cluster: strings.Repeat("a", MaxNameLength)}
	if l := len(long.Volume(long.Agent(MaxAgents - 1))); l > 63 {
		t.Errorf("longest derived name has %d characters, want ≤ 63", l)
	}
}

func TestParseFiltered(t *testing.T) {
	tests := []struct {
		in      string
		value   string
		matches []string // role:index pairs that must match
		misses  []string
	}{
		{"A=B", "A=B", []string{"server:0", "agent:1"}, []string{"loadbalancer:0"}},
		{"A=B@server:0", "A=B", []string{"server:0"}, []string{"server:1", "agent:0"}},
		{"A=B@servers:*", "A=B", []string{"server:0", "server:2"}, []string{"agent:0"}},
		{"A=B@agent:1,3", "A=B", []string{"agent:1", "agent:3"}, []string{"agent:0", "agent:2"}},
		{"A=B@agents:2-4", "A=B", []string{"agent:2", "agent:3", "agent:4"}, []string{"agent:1"}},
		{"A=B@loadbalancer", "A=B", []string{"loadbalancer:0"}, []string{"server:0"}},
		{"A=B@all", "A=B", []string{"server:1", "agent:4"}, []string{"loadbalancer:0"}},
		{"A=B@server:0;agent:1", "A=B", []string{"server:0", "agent:1"}, []string{"agent:0"}},
		{"MAIL=me@example.com", "MAIL=me@example.com", []string{"server:0"}, nil},
		{"/src:/dst@agent:0", "/src:/dst", []string{"agent:0"}, []string{"server:0"}},
	}
	for _, tt := range tests {
		f, err := ParseFiltered(tt.in, 3, 5, allNodes)
		if err != nil {
			t.Errorf("ParseFiltered(%q): %v", tt.in, err)
			continue
		}
		if f.Value != tt.value {
			t.Errorf("ParseFiltered(%q).Value = %q, want %q", tt.in, f.Value, tt.value)
		}
		check := func(pairs []string, want bool) {
			for _, p := range pairs {
				role, idx, _ := strings.Cut(p, ":")
				i := int(idx[0] - '0')
				if f.Matches(role, i) != want {
					t.Errorf("ParseFiltered(%q).Matches(%s) = %v, want %v", tt.in, p, !want, want)
				}
			}
		}
		check(tt.matches, true)
		check(tt.misses, false)
	}
}

func TestParseFilteredErrors(t *testing.T) {
	for _, in := range []string{"A=B@server:3", "A=B@agent:x", "A=B@agents:4-2", "A=B@all:1", "A=B@server:0;agent:9"} {
		if _, err := ParseFiltered(in, 3, 5, allNodes); err == nil {
			t.Errorf("ParseFiltered(%q) = nil error, want one", in)
		}
	}
}

func TestParseAPIPort(t *testing.T) {
	tests := []struct {
		in   string
		want APIEndpoint
		url  string
		bad  bool
	}{
		{in: "", want: APIEndpoint{Host: "127.0.0.1"}},
		{in: "6443", want: APIEndpoint{Host: "127.0.0.1", Port: 6443}, url: "https://127.0.0.1:6443"},
		{in: "0.0.0.0:6550", want: APIEndpoint{Host: "0.0.0.0", Port: 6550}, url: "https://127.0.0.1:6550"},
		{in: "192.168.1.5:7000", want: APIEndpoint{Host: "192.168.1.5", Port: 7000}, url: "https://192.168.1.5:7000"},
		{in: "localhost:6443", bad: true},
		{in: "99999", bad: true},
		{in: "abc", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseAPIPort(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseAPIPort(%q) error = %v, want error %v", tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && got != tt.want {
			t.Errorf("ParseAPIPort(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if tt.url != "" && got.URL() != tt.url {
			t.Errorf("ParseAPIPort(%q).URL() = %q, want %q", tt.in, got.URL(), tt.url)
		}
	}
}

func TestPickSubnet(t *testing.T) {
	got, err := pickSubnet([]string{"172.17.0.0/16", "172.30.0.0/24", "172.30.1.0/24", "bogus"})
	if err != nil || got != "172.30.2.0/24" {
		t.Errorf("pickSubnet() = %q, %v; want 172.30.2.0/24", got, err)
	}
	if _, err := pickSubnet([]string{"172.16.0.0/12"}); err == nil {
		t.Errorf("pickSubnet() with everything taken: want an error")
	}
	ips, err := newIPPlan("10.5.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	if ips.Server(1) != "10.5.0.11" || ips.Agent(0) != "10.5.0.100" || ips.LoadBalancer() != "10.5.0.2" || ips.Gateway() != "10.5.0.1" {
		t.Errorf("ip plan: %s %s %s %s", ips.Server(1), ips.Agent(0), ips.LoadBalancer(), ips.Gateway())
	}
	if _, err := newIPPlan("10.0.0.0/25"); err == nil {
		t.Errorf("a /25 must be refused")
	}
}

func TestParseCapBnd(t *testing.T) {
	full, ok := parseCapBnd([]byte("Name:\tx\nCapBnd:\t000001ffffffffff\n"))
	if !ok || full&(1<<capSysResource) == 0 {
		t.Errorf("full set: %x %v", full, ok)
	}
	lacking, ok := parseCapBnd([]byte("CapBnd:\t000001fffeffffff\n"))
	if !ok || lacking&(1<<capSysResource) != 0 {
		t.Errorf("set without CAP_SYS_RESOURCE: %x %v", lacking, ok)
	}
	if _, ok := parseCapBnd([]byte("nothing")); ok {
		t.Errorf("no CapBnd line must not parse")
	}
}
