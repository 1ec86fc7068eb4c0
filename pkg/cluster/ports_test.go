package cluster

import (
	"strings"
	"testing"
)

func TestParsePort(t *testing.T) {
	const servers, agents = 3, 4
	for _, tt := range []struct {
		in   string
		noLB bool
		// want is the canonical form.
		want string
	}{
		{in: "8080:80", want: "127.0.0.1:8080:80/tcp@all"},
		{in: "80", want: "127.0.0.1::80/tcp@all"},
		{in: "8080:80@loadbalancer", want: "127.0.0.1:8080:80/tcp@all"},
		{in: "0.0.0.0:8080:80/udp", want: "0.0.0.0:8080:80/udp@all"},
		{in: "10.1.2.3::80/UDP", want: "10.1.2.3::80/udp@all"},
		{in: "[::1]:8080:80", want: "[::1]:8080:80/tcp@all"},
		{in: "[::]::80", want: "[::]::80/tcp@all"},
		{in: "30000-30100:30000-30100", want: "127.0.0.1:30000-30100:30000-30100/tcp@all"},
		{in: "30000-30100", want: "127.0.0.1:30000-30100:30000-30100/tcp@all"},
		{in: "8000-8010:30000-30010/udp", want: "127.0.0.1:8000-8010:30000-30010/udp@all"},
		{in: "8080:80@agents:*", want: "127.0.0.1:8080:80/tcp@agents:*"},
		{in: "8080:80@agent:1,3", want: "127.0.0.1:8080:80/tcp@agent:1,3"},
		{in: "8080:80@agents:2-3;server:0", want: "127.0.0.1:8080:80/tcp@agent:2,3;server:0"},
		{in: "8080:80@servers:*:proxy", want: "127.0.0.1:8080:80/tcp@servers:*"},
		{in: "8080:80@loadbalancer;agents:*", want: "127.0.0.1:8080:80/tcp@agents:*"},
		{in: "8080:80@server:0:direct", want: "127.0.0.1:8080:80/tcp@server:0:direct"},
		{in: "8080:80@agent:2:direct", want: "127.0.0.1:8080:80/tcp@agent:2:direct"},
		// Without a load balancer, ports go straight to a node.
		{in: "8080:80", noLB: true, want: "127.0.0.1:8080:80/tcp@server:0:direct"},
		{in: "8080:80@agent:1", noLB: true, want: "127.0.0.1:8080:80/tcp@agent:1:direct"},
	} {
		s, err := ParsePort(tt.in, servers, agents, tt.noLB)
		if err != nil {
			t.Errorf("ParsePort(%q) error: %v", tt.in, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("ParsePort(%q) = %s, want %s", tt.in, got, tt.want)
		}
		// The canonical form is what labels keep: it must read back the same.
		back, err := parsePort(s.String(), servers, agents, true)
		if err != nil || back.String() != s.String() {
			t.Errorf("%q does not read back: %v, %v", s.String(), back.String(), err)
		}
	}
}

func TestParsePortErrors(t *testing.T) {
	const servers, agents = 3, 2
	for _, tt := range []struct {
		in   string
		noLB bool
		want []string // every one must be in the error
	}{
		{in: "", want: []string{"container port is missing"}},
		{in: "http", want: []string{`"http" is not a port`}},
		{in: "8080:0", want: []string{"ports are 1 to 65535"}},
		{in: "8080:70000", want: []string{"ports are 1 to 65535"}},
		{in: "1:2:3:4", want: []string{"want [HOST:][HOSTPORT:]CONTAINERPORT"}},
		{in: "localhost:8080:80", want: []string{`host "localhost" is not an IP address`}},
		{in: "[::1:8080:80", want: []string{"unclosed '['"}},
		{in: "8080:80/sctp", want: []string{`protocol "sctp"`}},
		{in: "30100-30000", want: []string{"ends before it starts"}},
		{in: "8000-8010:30000-30100", want: []string{"host range has 11 ports, container range 101"}},
		// Every problem of one value at once.
		{in: "nohost:x:80/icmp", want: []string{"not an IP address", `"x" is not a port`, `protocol "icmp"`}},
		{in: "8080:80@agent:5", want: []string{"index 5", "2 agent node(s)"}},
		{in: "8080:80@agents:*:direct", want: []string{"exactly one node", "matches 2 (agent 0, agent 1)", "@agent:0:direct"}},
		{in: "8080:80@all:direct", want: []string{"exactly one node", "matches 5"}},
		{in: "8080:80@loadbalancer:direct", want: []string{"@loadbalancer cannot be :direct"}},
		{in: "8080:80@server:0:direct;agent:0:proxy", want: []string{"both :direct and :proxy"}},
		{in: "8080:80@nodes:1", want: []string{}}, // not a filter: part of the value
		{in: "8080:80@loadbalancer", noLB: true, want: []string{"no load balancer (--no-lb)"}},
		{in: "8080:80@agents:*:proxy", noLB: true, want: []string{"no load balancer"}},
		{in: "8080:80@servers:*", noLB: true, want: []string{"exactly one node"}},
	} {
		_, err := ParsePort(tt.in, servers, agents, tt.noLB)
		if err == nil {
			t.Errorf("ParsePort(%q) succeeded, want an error", tt.in)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParsePort(%q) error %q does not mention %q", tt.in, err, w)
			}
		}
	}
	if _, err := ParsePort("8080:80@agents:*", 1, 0, false); err == nil || !strings.Contains(err.Error(), "matches no node") {
		t.Errorf("a filter selecting nothing: %v", err)
	}
}

func TestPortProblems(t *testing.T) {
	parse := func(vals ...string) []PortSpec {
		var out []PortSpec
		for _, v := range vals {
			s, err := ParsePort(v, 1, 2, false)
			if err != nil {
				t.Fatal(err)
			}
			s.flag = "--port"
			out = append(out, s)
		}
		return out
	}
	api := APIEndpoint{Host: "127.0.0.1", Port: 6550}
	for _, tt := range []struct {
		ports []string
		want  string // "" for no conflict
	}{
		{[]string{"8080:80", "8081:81", "8080:80/udp"}, ""},
		{[]string{"8080:80", "127.0.0.2:8080:81"}, ""},
		{[]string{"80", "80/udp", "81"}, ""},
		// Two host ports may share a forwarding, not split one.
		{[]string{"8080:80", "9090:80"}, ""},
		{[]string{"8080:80@agents:*", "9090:80@servers:*"}, `--port "9090:80@servers:*": the load balancer already forwards container port 80/tcp for --port "8080:80@agents:*"`},
		{[]string{"8080:80", "8080:81"}, `--port "8080:81": host port 127.0.0.1:8080/tcp clashes with --port "8080:80"`},
		{[]string{"0.0.0.0:8080:80", "127.0.0.1:8080:81"}, "clashes with"},
		{[]string{"30000-30100", "8000-8010:30050-30060"}, `--port "8000-8010:30050-30060": the load balancer already forwards container port 30050/tcp for --port "30000-30100"`},
		{[]string{"30000-30100", "8000-8010:30050-30060@agent:0:direct"}, ""},
		{[]string{"8050:30050@agent:0:direct", "30000-30100"}, ""},
		{[]string{"30000-30100", "30100:80"}, "host port 127.0.0.1:30100/tcp clashes"},
		{[]string{"6550:80"}, "clashes with the API (--api-port)"},
		{[]string{"0.0.0.0:6550:80/udp"}, ""},
		{[]string{"8443:6443"}, "container port 6443/tcp is where the load balancer serves the API"},
		{[]string{"8443:6443@server:0:direct"}, ""},
		{[]string{"20000-22000", "40000-41070"}, "would listen on 3073 ports, and it takes at most 3072"},
		{[]string{"20000-22000", "40000-41069"}, ""},
	} {
		errs := portProblems(parse(tt.ports...), api, nil)
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("%v: unexpected conflicts %v", tt.ports, errs)
		case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want)):
			t.Errorf("%v: conflicts %v, want one containing %q", tt.ports, errs, tt.want)
		}
	}
}

func TestPortLabelRoundTrip(t *testing.T) {
	var specs []PortSpec
	for _, v := range []string{"8080:80", "30000-30100@agents:*", "0.0.0.0::53/udp@agent:0,1;server:0"} {
		s, err := ParsePort(v, 1, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	label := formatPorts(specs)
	back, err := parsePortLabel(label)
	if err != nil || formatPorts(back) != label {
		t.Errorf("label %q reads back as %q, %v", label, formatPorts(back), err)
	}
	if _, err := parsePortLabel("8080:80 bogus:"); err == nil || !strings.Contains(err.Error(), LabelPorts) {
		t.Errorf("a corrupt label: %v", err)
	}
}

// Host ports sharing a forwarding render one nginx route.
func TestSharedForwardingRendersOneRoute(t *testing.T) {
	var specs []PortSpec
	for _, v := range []string{"8080:80", "9090:80", "8081:81"} {
		s, err := ParsePort(v, 1, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	cfg, idle := lbRoutes([]Node{{Role: RoleServer, Index: 0, IP: "10.0.0.10"}}, specs)
	if len(idle) != 0 || len(cfg.Routes) != 3 || cfg.Routes[1].ListenPort != 80 || cfg.Routes[2].ListenPort != 81 {
		t.Fatalf("routes %+v (idle %v), want the API, 80 once, 81", cfg.Routes, idle)
	}
}
