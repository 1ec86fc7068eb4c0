package cluster

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// HostName is the name under which nodes and pods reach the Docker host
// (k3d's host.k3d.internal, Docker Desktop's host.docker.internal). It is
// Docker's "host-gateway" on every node's /etc/hosts; the node image turns
// those /etc/hosts entries into CoreDNS answers for pods.
const HostName = "host.mini.internal"

// hostGateway is Docker's placeholder for the host's address as seen from
// containers (Docker 20.10+).
const hostGateway = "host-gateway"

// HostAlias maps names to an address on every node (--host-alias).
type HostAlias struct {
	IP    string
	Names []string
}

// String is the canonical form, IP:NAME[,NAME], also kept in LabelHostAliases.
func (a HostAlias) String() string { return a.IP + ":" + strings.Join(a.Names, ",") }

// ParseHostAlias parses IP:NAME[,NAME]. The IP is the part before the last
// colon, so IPv6 addresses need no brackets.
func ParseHostAlias(s string) (HostAlias, error) {
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return HostAlias{}, errors.New("want IP:NAME[,NAME]")
	}
	ipText, names := strings.Trim(s[:i], "[]"), s[i+1:]
	ip, err := netip.ParseAddr(ipText)
	if err != nil {
		return HostAlias{}, fmt.Errorf("%q is not an IP address", ipText)
	}
	a := HostAlias{IP: ip.String()}
	for _, n := range strings.Split(names, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if msgs := validation.IsDNS1123Subdomain(n); len(msgs) > 0 {
			return HostAlias{}, fmt.Errorf("name %q: %s", n, strings.Join(msgs, "; "))
		}
		if n == HostName {
			return HostAlias{}, fmt.Errorf("name %q is mini's own name for the Docker host", n)
		}
		a.Names = append(a.Names, n)
	}
	return a, nil
}

// parseHostAliases parses every --host-alias, reporting each bad one.
func parseHostAliases(values []string) ([]HostAlias, []error) {
	var out []HostAlias
	var errs []error
	for _, v := range values {
		a, err := ParseHostAlias(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("--host-alias %q: %w", v, err))
			continue
		}
		out = append(out, a)
	}
	return out, errs
}

// extraHosts are the /etc/hosts entries of every node container, in
// Docker's NAME:IP form: the Docker host first, then the aliases.
func extraHosts(aliases []HostAlias) []string {
	out := []string{HostName + ":" + hostGateway}
	for _, a := range aliases {
		for _, n := range a.Names {
			out = append(out, n+":"+a.IP)
		}
	}
	return out
}

// hostAliasesLabel and hostAliasesFromLabel keep the aliases in a label, so
// nodes added later get the same entries.
func hostAliasesLabel(aliases []HostAlias) string { return labelList(aliases) }

func hostAliasesFromLabel(v string) ([]HostAlias, error) {
	out, errs := parseHostAliases(strings.Fields(v))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("label %s: %w", LabelHostAliases, err)
	}
	return out, nil
}
