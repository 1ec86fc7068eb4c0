package cluster

import (
	"fmt"
	"net"
	"net/netip"
)

// Address offsets inside the cluster subnet. Fixed offsets make every
// node's IP a function of its role and index, so a restart (or a node
// recreated later) gets the same address.
const (
	offsetGateway = 1
	offsetLB      = 2
	// Registries a cluster uses sit between the load balancer and the
	// servers, so attaching one never takes an address a node needs.
	offsetRegistry = 3
	offsetServer   = 10
	offsetAgent    = 100
)

// ipPlan hands out the fixed addresses of one cluster.
type ipPlan struct {
	prefix netip.Prefix
}

func newIPPlan(cidr string) (ipPlan, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return ipPlan{}, fmt.Errorf("subnet %q: %w", cidr, err)
	}
	if !p.Addr().Is4() {
		return ipPlan{}, fmt.Errorf("subnet %q: only IPv4 subnets are supported", cidr)
	}
	if p.Bits() > 24 {
		return ipPlan{}, fmt.Errorf("subnet %q is too small: mini needs at least a /24", cidr)
	}
	return ipPlan{prefix: p.Masked()}, nil
}

func (p ipPlan) at(offset int) string {
	b := p.prefix.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(offset)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// Gateway, LoadBalancer, Server and Agent return fixed addresses.
func (p ipPlan) Gateway() string       { return p.at(offsetGateway) }
func (p ipPlan) LoadBalancer() string  { return p.at(offsetLB) }
func (p ipPlan) Server(i int) string   { return p.at(offsetServer + i) }
func (p ipPlan) Agent(i int) string    { return p.at(offsetAgent + i) }
func (p ipPlan) Registry(i int) string { return p.at(offsetRegistry + i) }

// subnetCandidates are tried in order for a new cluster network. They sit
// in 172.30.0.0/16, inside Docker's default pools, so an engine that later
// auto-assigns a network sees ours and avoids it.
func subnetCandidates() []string {
	out := make([]string, 0, 256)
	for i := 0; i < 256; i++ {
		out = append(out, fmt.Sprintf("172.30.%d.0/24", i))
	}
	return out
}

// pickSubnet returns the first candidate that overlaps none of the taken
// prefixes (other networks, host interfaces).
func pickSubnet(taken []string) (string, error) {
	var used []netip.Prefix
	for _, t := range taken {
		if p, err := netip.ParsePrefix(t); err == nil {
			used = append(used, p.Masked())
		}
	}
	for _, c := range subnetCandidates() {
		cp := netip.MustParsePrefix(c)
		free := true
		for _, u := range used {
			if u.Overlaps(cp) {
				free = false
				break
			}
		}
		if free {
			return c, nil
		}
	}
	return "", fmt.Errorf("no free /24 left in 172.30.0.0/16: pass one with --subnet")
}

// hostPrefixes lists the host's interface networks, so a local engine's
// cluster network does not shadow a LAN route.
func hostPrefixes() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			out = append(out, n.String())
		}
	}
	return out
}
