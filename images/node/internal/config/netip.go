package config

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// DefaultRouteIP returns the first IPv4 address of the interface that holds
// the default route. In a node container that is its address on the cluster's
// Docker network, the one other nodes and the load balancer reach it by.
func DefaultRouteIP() (net.IP, error) {
	ifname, err := defaultRouteInterface("/proc/net/route")
	if err != nil {
		return nil, err
	}
	iface, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", ifname, err)
	}
	addrs, err := iface.Addrs()
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", ifname, err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			return n.IP.To4(), nil
		}
	}
	return nil, fmt.Errorf("interface %s has no IPv4 address", ifname)
}

func defaultRouteInterface(routeFile string) (string, error) {
	f, err := os.Open(routeFile)
	if err != nil {
		return "", fmt.Errorf("read routes: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// Iface Destination Gateway ...; the default route has destination 0.
		if len(fields) > 2 && fields[1] == "00000000" {
			return fields[0], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read routes: %w", err)
	}
	return "", errors.New("no default route")
}
