package cluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// PortSpec is one --port value: where on the host a port (or a range) is
// published, which port of the nodes it maps to, and which nodes get the
// traffic.
//
// A proxied port is published by the load balancer, which forwards it to
// ContainerPort of every node Nodes selects (and of nodes added later
// that it selects too); a direct port is published by the one node Nodes
// selects. Only the load balancer's ports can change after create: the
// engine cannot add ports to a container, and replacing a node would cost
// its state.
type PortSpec struct {
	// HostIP is the host address the port is published on.
	HostIP string
	// HostPort is the first host port; 0 lets the engine pick a free one
	// (single ports only: a range maps to fixed ports).
	HostPort int
	// ContainerPort is the first port on the nodes (and on the load
	// balancer, which listens on the same port it forwards to).
	ContainerPort int
	// Count is how many consecutive ports are mapped, 1 for one port.
	Count int
	// Protocol is "tcp" or "udp".
	Protocol string
	// Nodes selects the nodes the traffic goes to.
	Nodes NodeFilters
	// Direct publishes the port on the one node Nodes selects, bypassing
	// the load balancer.
	Direct bool

	// raw is the value as given and flag the flag it came with, for
	// messages; both are empty for a spec read from a label.
	raw, flag string
}

// DefaultPortHost is where ports are published unless the value names a
// host address: loopback only, like the API, so nothing is exposed on the
// LAN by default.
const DefaultPortHost = DefaultAPIHost

const (
	modeDirect = ":direct"
	modeProxy  = ":proxy"
)

// ParsePort parses a --port value,
//
//	[HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp][@FILTER[;FILTER…][:direct|:proxy]]
//
// for a new cluster of servers and agents, with a load balancer unless
// noLB. Every problem of the value is reported, and no error repeats the
// value: callers prefix it with the flag.
func ParsePort(raw string, servers, agents int, noLB bool) (PortSpec, error) {
	s, err := parsePort(raw, servers, agents, !noLB)
	if err != nil {
		return PortSpec{}, err
	}
	var nodes []Node
	for i := range servers {
		nodes = append(nodes, Node{Role: RoleServer, Index: i})
	}
	for i := range agents {
		nodes = append(nodes, Node{Role: RoleAgent, Index: i})
	}
	return s, s.checkTargets(nodes)
}

// parsePort parses a value's grammar and checks filter indexes against
// the node counts, but not which nodes exist.
func parsePort(raw string, servers, agents int, hasLB bool) (PortSpec, error) {
	s := PortSpec{raw: raw, HostIP: DefaultPortHost, Protocol: "tcp"}
	var errs []error
	value, filter := splitFilter(raw)
	if addr, proto, ok := strings.Cut(value, "/"); ok {
		value = addr
		s.Protocol = strings.ToLower(proto)
		if s.Protocol != "tcp" && s.Protocol != "udp" {
			errs = append(errs, fmt.Errorf("protocol %q: want tcp or udp", proto))
		}
	}
	host, hostPorts, containerPorts, err := splitAddress(value)
	if err != nil {
		return PortSpec{}, err
	}
	if host != "" {
		if ip := net.ParseIP(host); ip == nil {
			errs = append(errs, fmt.Errorf("host %q is not an IP address", host))
		} else {
			s.HostIP = ip.String()
		}
	}
	cFirst, cCount, err := parsePortRange(containerPorts)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("container port: %w", err))
	case cCount == 0:
		errs = append(errs, errors.New("container port is missing"))
	}
	hFirst, hCount, err := parsePortRange(hostPorts)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("host port: %w", err))
	case hCount == 0 && cCount > 1:
		// A range needs fixed host ports: the same ones.
		hFirst, hCount = cFirst, cCount
	case hCount != 0 && hCount != cCount && cCount != 0:
		errs = append(errs, fmt.Errorf("host range has %d ports, container range %d: they must be as long", hCount, cCount))
	}
	s.HostPort, s.ContainerPort, s.Count = hFirst, cFirst, cCount
	if err := s.parseTargets(filter, servers, agents, hasLB); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return s, nil
	}
	// One line per value, so a list of bad values stays readable.
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return s, errors.New(strings.Join(msgs, "; "))
}

// splitAddress splits [HOST:][HOSTPORT:]CONTAINERPORT; an IPv6 HOST is
// bracketed ([::1]:8080:80).
func splitAddress(v string) (host, hostPorts, containerPorts string, err error) {
	if strings.HasPrefix(v, "[") {
		i := strings.Index(v, "]:")
		if i < 0 {
			return "", "", "", fmt.Errorf("unclosed '[' in the host address")
		}
		host, v = v[1:i], v[i+2:]
		if hp, cp, ok := strings.Cut(v, ":"); ok {
			return host, hp, cp, nil
		}
		return host, "", v, nil
	}
	parts := strings.Split(v, ":")
	switch len(parts) {
	case 1:
		return "", "", parts[0], nil
	case 2:
		return "", parts[0], parts[1], nil
	case 3:
		return parts[0], parts[1], parts[2], nil
	}
	return "", "", "", errors.New("want [HOST:][HOSTPORT:]CONTAINERPORT[/PROTOCOL][@FILTER]")
}

// parsePortRange parses "", "N" or "N-M" into the first port and a count
// (0 for "").
func parsePortRange(s string) (first, count int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q is not a port or a range N-M", s)
	case a < 1 || b > 65535:
		return 0, 0, fmt.Errorf("%q: ports are 1 to 65535", s)
	case b < a:
		return 0, 0, fmt.Errorf("range %q ends before it starts", s)
	}
	return a, b - a + 1, nil
}

// parseTargets reads the filter and its :direct/:proxy suffix. Without a
// filter a port goes through the load balancer to every node, or, with
// no load balancer, to server 0 directly. "loadbalancer" names no node:
// it asks for the default, or with node filters beside it, adds nothing.
func (s *PortSpec) parseTargets(filter string, servers, agents int, hasLB bool) error {
	if filter == "" {
		if hasLB {
			s.Nodes = NodeFilters{allNodes}
		} else {
			s.Direct, s.Nodes = true, NodeFilters{{Role: RoleServer, Indices: []int{0}}}
		}
		return nil
	}
	parts := strings.Split(filter, ";")
	direct, proxy := false, false
	for i, p := range parts {
		if q, ok := strings.CutSuffix(p, modeDirect); ok {
			parts[i], direct = q, true
		} else if q, ok := strings.CutSuffix(p, modeProxy); ok {
			parts[i], proxy = q, true
		}
	}
	fs, err := parseFilters(parts, servers, agents)
	if err != nil {
		return fmt.Errorf("node filter %q: %w", filter, err)
	}
	lb := false
	for _, f := range fs {
		if f.Role == RoleLoadBalancer {
			lb = true
		} else {
			s.Nodes = append(s.Nodes, f)
		}
	}
	switch {
	case direct && proxy:
		return errors.New("both :direct and :proxy")
	case lb && direct:
		return errors.New("@loadbalancer cannot be :direct; name the node to publish on, e.g. @server:0:direct")
	case (lb || proxy) && !hasLB:
		return errors.New("the cluster has no load balancer (--no-lb); publish on a node with @server:0:direct")
	}
	if len(s.Nodes) == 0 {
		s.Nodes = NodeFilters{allNodes}
	}
	// A filter that names nodes goes through the load balancer when there
	// is one (as in k3d) unless :direct says otherwise.
	s.Direct = direct || !hasLB
	return nil
}

// checkTargets checks the nodes the port goes to against the nodes there
// are: at least one, and exactly one for a direct port.
func (s PortSpec) checkTargets(nodes []Node) error {
	var matched []string
	for _, n := range nodes {
		if s.Matches(n.Role, n.Index) {
			matched = append(matched, n.Role+" "+strconv.Itoa(n.Index))
		}
	}
	switch {
	case len(matched) == 0:
		return fmt.Errorf("node filter %s matches no node", s.Nodes.String())
	case s.Direct && len(matched) > 1:
		return fmt.Errorf("a direct port is published on exactly one node, and %s matches %d (%s): name one, e.g. @%s:0:direct",
			s.Nodes.String(), len(matched), strings.Join(matched, ", "), s.Nodes[0].Role)
	}
	return nil
}

// Matches reports whether the port's traffic goes to the node.
func (s PortSpec) Matches(role string, index int) bool { return s.Nodes.Matches(role, index) }

// String is the canonical form, which parses back to the same spec: what
// the labels record, e.g. "127.0.0.1:8080:80/tcp@all" or
// "0.0.0.0::53/udp@server:0:direct".
func (s PortSpec) String() string {
	host := s.HostIP
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	hostPorts := ""
	if s.HostPort != 0 {
		hostPorts = portRange(s.HostPort, s.Count)
	}
	out := host + ":" + hostPorts + ":" + portRange(s.ContainerPort, s.Count) + "/" + s.Protocol + "@" + s.Nodes.String()
	if s.Direct {
		out += modeDirect
	}
	return out
}

// owner names the spec in messages: with the flag and the value as the
// user wrote them, when known (`--port "8080:80"`).
func (s PortSpec) owner() string {
	if s.raw != "" {
		return s.flag + " " + strconv.Quote(s.raw)
	}
	return "port " + strconv.Quote(s.String())
}

func portRange(first, count int) string {
	if count <= 1 {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + "-" + strconv.Itoa(first+count-1)
}

// mappings returns the engine's port mappings of the spec, one per port.
func (s PortSpec) mappings() []runtime.PortMapping {
	out := make([]runtime.PortMapping, s.Count)
	for i := range out {
		host := 0
		if s.HostPort != 0 {
			host = s.HostPort + i
		}
		out[i] = runtime.PortMapping{HostIP: s.HostIP, HostPort: host, ContainerPort: s.ContainerPort + i, Protocol: s.Protocol}
	}
	return out
}

// formatPorts writes specs as a label value: canonical forms separated by
// spaces (which no spec contains).
func formatPorts(specs []PortSpec) string { return labelList(specs) }

// parsePortLabel reads back what formatPorts wrote. Filter indexes are
// not checked against node counts: nodes come and go after create.
func parsePortLabel(v string) ([]PortSpec, error) {
	var out []PortSpec
	var errs []error
	for _, f := range strings.Fields(v) {
		s, err := parsePort(f, MaxServers, MaxAgents, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("port %q in label %s: %w", f, LabelPorts, err))
			continue
		}
		s.raw = ""
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}
