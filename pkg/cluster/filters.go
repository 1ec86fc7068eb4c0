package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// NodeFilter selects nodes of a cluster the way k3d writes it: "server:0",
// "servers:*", "agent:1,3", "agents:2-4", "loadbalancer", "all".
type NodeFilter struct {
	// Role is RoleServer, RoleAgent, RoleLoadBalancer or "all".
	Role string
	// Indices selected; nil means every node of Role.
	Indices []int
}

// Matches reports whether the filter selects the node.
func (f NodeFilter) Matches(role string, index int) bool {
	if f.Role == "all" {
		return role != RoleLoadBalancer
	}
	if f.Role != role {
		return false
	}
	if f.Indices == nil {
		return true
	}
	for _, i := range f.Indices {
		if i == index {
			return true
		}
	}
	return false
}

// String writes the filter back as it is parsed: "all", "servers:*",
// "agent:1,3".
func (f NodeFilter) String() string {
	switch {
	case f.Role == "all" || f.Role == RoleLoadBalancer:
		return f.Role
	case f.Indices == nil:
		return f.Role + "s:*"
	}
	idx := make([]string, len(f.Indices))
	for i, n := range f.Indices {
		idx[i] = strconv.Itoa(n)
	}
	return f.Role + ":" + strings.Join(idx, ",")
}

// NodeFilters are the ';'-separated parts of one filter.
type NodeFilters []NodeFilter

// Matches reports whether any filter selects the node.
func (fs NodeFilters) Matches(role string, index int) bool {
	for _, f := range fs {
		if f.Matches(role, index) {
			return true
		}
	}
	return false
}

// String writes the filters back as they are parsed: "agent:1,3;server:0".
func (fs NodeFilters) String() string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, ";")
}

// Filtered is a flag value split from its node filters.
type Filtered struct {
	Value   string
	Filters NodeFilters
	// Explicit is false when the value had no '@' filter and got the default.
	Explicit bool
}

// Matches reports whether any filter selects the node.
func (f Filtered) Matches(role string, index int) bool { return f.Filters.Matches(role, index) }

var filterGroups = map[string]string{
	"server": RoleServer, "servers": RoleServer,
	"agent": RoleAgent, "agents": RoleAgent,
	"loadbalancer": RoleLoadBalancer, "lb": RoleLoadBalancer,
	"all": "all",
}

// looksLikeFilter tells a filter suffix from an '@' that belongs to the
// value (an e-mail address in an env var, say).
func looksLikeFilter(s string) bool {
	group, _, _ := strings.Cut(strings.Split(s, ";")[0], ":")
	_, ok := filterGroups[group]
	return ok
}

// ParseFiltered splits "VALUE@FILTER[;FILTER…]" and checks the filters
// against the node counts. def is used when there is no filter.
func ParseFiltered(raw string, servers, agents int, def NodeFilter) (Filtered, error) {
	value, spec := splitFilter(raw)
	if spec == "" {
		return Filtered{Value: value, Filters: NodeFilters{def}}, nil
	}
	fs, err := parseFilters(strings.Split(spec, ";"), servers, agents)
	if err != nil {
		return Filtered{}, fmt.Errorf("node filter in %q: %w", raw, err)
	}
	return Filtered{Value: value, Filters: fs, Explicit: true}, nil
}

// splitFilter splits "VALUE@FILTER" at its last '@' when what follows is
// a filter; spec is "" without one.
func splitFilter(raw string) (value, spec string) {
	if i := strings.LastIndex(raw, "@"); i >= 0 && looksLikeFilter(raw[i+1:]) {
		return raw[:i], raw[i+1:]
	}
	return raw, ""
}

// parseFilters parses the ';'-separated parts of a filter, reporting
// every bad one.
func parseFilters(parts []string, servers, agents int) (NodeFilters, error) {
	var out NodeFilters
	var errs []error
	for _, part := range parts {
		f, err := parseFilter(part, servers, agents)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, f)
	}
	return out, errors.Join(errs...)
}

func parseFilter(s string, servers, agents int) (NodeFilter, error) {
	group, sel, hasSel := strings.Cut(s, ":")
	role, ok := filterGroups[group]
	if !ok {
		return NodeFilter{}, fmt.Errorf("unknown node group %q (want server, agent, loadbalancer or all)", group)
	}
	f := NodeFilter{Role: role}
	if role == "all" || role == RoleLoadBalancer {
		if hasSel && sel != "*" {
			return NodeFilter{}, fmt.Errorf("%q takes no index", group)
		}
		return f, nil
	}
	if !hasSel || sel == "*" {
		return f, nil
	}
	count := servers
	if role == RoleAgent {
		count = agents
	}
	f.Indices = []int{}
	for _, item := range strings.Split(sel, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		if !isRange {
			hi = lo
		}
		from, err1 := strconv.Atoi(lo)
		to, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || from < 0 || to < from {
			return NodeFilter{}, fmt.Errorf("bad index %q in %q (want N, N,M or N-M)", item, s)
		}
		if to >= count {
			return NodeFilter{}, fmt.Errorf("index %d in %q is out of range: the cluster has %d %s node(s)", to, s, count, role)
		}
		for i := from; i <= to; i++ {
			f.Indices = append(f.Indices, i)
		}
	}
	return f, nil
}
