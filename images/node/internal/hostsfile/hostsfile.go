// Package hostsfile reads the entries a node's /etc/hosts carries on
// request: the launcher asks Docker for host.mini.internal (the engine
// host) and every --host-alias on each node container. The server hands
// them to CoreDNS, so pods resolve the same names as the nodes, and reads
// them at every start, so a changed host address is picked up after a
// restart.
package hostsfile

import (
	"bufio"
	"bytes"
	"net/netip"
	"slices"
	"strings"
)

// Entry is one address and its names.
type Entry struct {
	IP    string
	Names []string
}

// Extra returns the entries of an /etc/hosts file that the engine added on
// request: every entry except loopback and IPv6 boilerplate and the
// container's own address line (the one naming hostname). Names of one
// address are merged in file order; later duplicates of a name are dropped,
// as the resolver only sees the first.
func Extra(data []byte, hostname string) []Entry {
	var out []Entry
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(f[0])
		if err != nil || ip.IsLoopback() || ip.IsMulticast() || ip.IsLinkLocalUnicast() ||
			(ip.Is6() && ip.IsUnspecified()) || strings.HasPrefix(f[0], "fe00:") {
			continue
		}
		names := f[1:]
		if slices.Contains(names, hostname) {
			continue
		}
		var fresh []string
		for _, n := range names {
			n = strings.ToLower(n)
			if !seen[n] {
				seen[n] = true
				fresh = append(fresh, n)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		if i := slices.IndexFunc(out, func(e Entry) bool { return e.IP == ip.String() }); i >= 0 {
			out[i].Names = append(out[i].Names, fresh...)
		} else {
			out = append(out, Entry{IP: ip.String(), Names: fresh})
		}
	}
	return out
}
