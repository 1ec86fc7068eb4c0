package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// DefaultAPIHost is where the API is published unless --api-port says
// otherwise: loopback only, so a dev cluster is not exposed on the LAN.
const DefaultAPIHost = "127.0.0.1"

// APIEndpoint is the host address of the cluster's Kubernetes API.
type APIEndpoint struct {
	Host string
	Port int
}

// ParseAPIPort parses "[HOST:]PORT". Port 0 (or an empty value) means "pick a
// free port" and is resolved by resolveAPIPort.
func ParseAPIPort(s string) (APIEndpoint, error) { return parseHostPort("--api-port", s) }

// parseHostPort parses the "[HOST:]PORT" value of flag; HOST defaults to
// DefaultAPIHost, an empty value to port 0.
func parseHostPort(flag, s string) (APIEndpoint, error) {
	ep := APIEndpoint{Host: DefaultAPIHost}
	if s == "" {
		return ep, nil
	}
	host, port := "", s
	if i := strings.LastIndex(s, ":"); i >= 0 {
		host, port = s[:i], s[i+1:]
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	if host != "" {
		if net.ParseIP(host) == nil {
			return APIEndpoint{}, fmt.Errorf("%s %q: host %q is not an IP address", flag, s, host)
		}
		ep.Host = host
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return APIEndpoint{}, fmt.Errorf("%s %q: port %q is not a number between 1 and 65535", flag, s, port)
	}
	ep.Port = p
	return ep, nil
}

// ClientHost is the address a client on this host dials: a wildcard
// listen address is reached through loopback.
func (e APIEndpoint) ClientHost() string {
	if ip := net.ParseIP(e.Host); ip == nil || ip.IsUnspecified() {
		return DefaultAPIHost
	}
	return e.Host
}

// URL is the API server URL as seen from this host.
func (e APIEndpoint) URL() string {
	return "https://" + net.JoinHostPort(e.ClientHost(), strconv.Itoa(e.Port))
}

// resolveAPIPort picks a free port when none was given, and checks a given
// port is free, so a taken port fails before anything is created. Both only
// make sense when the engine runs on this host. Ports held by
// reserveHostPorts meanwhile are not picked.
func resolveAPIPort(ep APIEndpoint, local bool) (APIEndpoint, error) {
	if !local {
		if ep.Port == 0 {
			return ep, fmt.Errorf("--api-port: the docker engine is remote, so mini cannot pick a free port for it: pass one")
		}
		return ep, nil
	}
	l, err := listenHost(ep.Host, ep.Port, "tcp")
	if err != nil {
		return ep, fmt.Errorf("--api-port: %s:%d is not available (%w); pick another port or leave --api-port unset for a free one", ep.Host, ep.Port, err)
	}
	defer l.Close()
	ep.Port = l.(net.Listener).Addr().(*net.TCPAddr).Port
	return ep, nil
}
