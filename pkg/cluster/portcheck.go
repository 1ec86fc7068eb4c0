package cluster

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/loadbalancer"
)

// hostBind is a range of host ports something publishes, for the checks
// that refuse a taken or doubly used port before anything is created.
type hostBind struct {
	IP    string
	First int // 0: the engine picks the port, which cannot clash
	Last  int
	Proto string
	// Owner names what publishes it in messages: `--port "8080:80"`.
	Owner string
}

func (s PortSpec) hostBind() hostBind {
	b := hostBind{IP: s.HostIP, Proto: s.Protocol, Owner: s.owner()}
	if s.HostPort != 0 {
		b.First, b.Last = s.HostPort, s.HostPort+s.Count-1
	}
	return b
}

// apiBind is the host port of the Kubernetes API.
func apiBind(api APIEndpoint) hostBind {
	return hostBind{IP: api.Host, First: api.Port, Last: api.Port, Proto: "tcp", Owner: "the API (--api-port)"}
}

func (b hostBind) String() string {
	return net.JoinHostPort(b.IP, portRange(b.First, b.Last-b.First+1)) + "/" + b.Proto
}

// overlaps reports whether two binds would take a common host port: same
// protocol, overlapping ports, and the same address or a wildcard one
// (which takes the port on every address).
func (b hostBind) overlaps(o hostBind) bool {
	if b.First == 0 || o.First == 0 || b.Proto != o.Proto || b.Last < o.First || o.Last < b.First {
		return false
	}
	return b.IP == o.IP || isWildcard(b.IP) || isWildcard(o.IP)
}

func isWildcard(ip string) bool {
	p := net.ParseIP(ip)
	return p == nil || p.IsUnspecified()
}

// bindConflicts reports every pair of binds that take a common host port.
func bindConflicts(binds []hostBind) []error {
	var errs []error
	for i, a := range binds {
		for _, b := range binds[:i] {
			if a.overlaps(b) {
				errs = append(errs, fmt.Errorf("%s: host port %s clashes with %s (%s)", a.Owner, a, b.Owner, b))
			}
		}
	}
	return errs
}

// reserveHostPorts checks that every port of binds is free on this host
// by listening on it, and keeps listening until release is called: a port
// picked for the API meanwhile cannot be one of them. Each bind with a
// taken port is reported, naming up to a few of its taken ports. Ports
// for which held says true are skipped: they are ours, and freed first.
// It only makes sense when the engine runs on this host.
func reserveHostPorts(binds []hostBind, held func(port int, proto string) bool) (release func(), errs []error) {
	var open []io.Closer
	release = func() {
		for _, c := range open {
			_ = c.Close()
		}
	}
	for _, b := range binds {
		if b.First == 0 {
			continue
		}
		var taken []string
		var first error
		for port := b.First; port <= b.Last; port++ {
			if held != nil && held(port, b.Proto) {
				continue
			}
			c, err := listenHost(b.IP, port, b.Proto)
			if err != nil {
				taken = append(taken, strconv.Itoa(port))
				if first == nil {
					first = err
				}
				continue
			}
			open = append(open, c)
		}
		if len(taken) > 0 {
			if len(taken) > 5 {
				taken = append(taken[:5], fmt.Sprintf("and %d more", len(taken)-5))
			}
			errs = append(errs, fmt.Errorf("%s: host port %s on %s is not available (%w); pick another host port",
				b.Owner, strings.Join(taken, ", "), b.IP, first))
		}
	}
	return release, errs
}

// listenHost takes a host port the way the engine will publish it.
func listenHost(ip string, port int, proto string) (io.Closer, error) {
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	if proto == "udp" {
		return net.ListenPacket("udp", addr)
	}
	return net.Listen("tcp", addr)
}

// checkHostPorts is reserveHostPorts for a caller that only needs the
// answer now.
func checkHostPorts(binds []hostBind, held func(port int, proto string) bool) error {
	release, errs := reserveHostPorts(binds, held)
	release()
	return errors.Join(errs...)
}

// portProblems reports every clash among specs, with the API and with
// what others publish: two host bindings of one port, and two proxied
// mappings of one container port (the load balancer listens on the
// container port, so it can forward a port only one way), including the
// API's own 6443/tcp. It also refuses more proxied ports than the load
// balancer can listen on.
// sameForwarding reports whether two proxied mappings make the load
// balancer forward the same ports to the same nodes.
func sameForwarding(a, b PortSpec) bool {
	return a.Protocol == b.Protocol && a.ContainerPort == b.ContainerPort && a.Count == b.Count && a.Nodes.String() == b.Nodes.String()
}

func portProblems(specs []PortSpec, api APIEndpoint, others []hostBind) []error {
	binds := append([]hostBind{apiBind(api)}, others...)
	for _, s := range specs {
		binds = append(binds, s.hostBind())
	}
	errs := bindConflicts(binds)
	var proxied []PortSpec
	for _, s := range specs {
		if s.Direct {
			continue
		}
		last := s.ContainerPort + s.Count - 1
		if s.Protocol == "tcp" && s.ContainerPort <= APIContainerPort && APIContainerPort <= last {
			errs = append(errs, fmt.Errorf("%s: container port %d/tcp is where the load balancer serves the API; map another port, or publish on a node with @server:0:direct",
				s.owner(), APIContainerPort))
		}
		for _, o := range proxied {
			// Several host ports may share one forwarding (8080:80 and
			// 9090:80 both reach the load balancer's port 80); only
			// forwardings of one port to different nodes clash.
			if o.Protocol == s.Protocol && s.ContainerPort <= o.ContainerPort+o.Count-1 && o.ContainerPort <= last && !sameForwarding(o, s) {
				errs = append(errs, fmt.Errorf("%s: the load balancer already forwards container port %d/%s for %s, to other nodes or as part of another range; it forwards each container port one way only (for one node each, publish on the nodes with :direct)",
					s.owner(), max(s.ContainerPort, o.ContainerPort), s.Protocol, o.owner()))
			}
		}
		proxied = append(proxied, s)
	}
	total := 1 // the API
	for _, s := range proxied {
		total += s.Count
	}
	if total > loadbalancer.MaxListenPorts {
		errs = append(errs, fmt.Errorf("the load balancer would listen on %d ports, and it takes at most %d (each takes a connection of every nginx worker): publish fewer, or some with :direct",
			total, loadbalancer.MaxListenPorts))
	}
	return errs
}
