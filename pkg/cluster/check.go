package cluster

import (
	"errors"
	"fmt"
	"strings"

	units "github.com/docker/go-units"
)

// The checks of single option values below are exported for the config
// file reader (package config): it checks each value of a file on its own,
// so that a problem points at the line it comes from, then calls Validate
// for what only the options as a whole can show (two ports on one host
// port, say). They are the same checks Create runs.

// Validate checks every option and reports all problems at once. Create
// calls it first; the config file reader calls it too.
func (o CreateOptions) Validate() error {
	_, err := o.parse()
	return err
}

// SplitFilter splits "VALUE@FILTER" at its last '@' when what follows
// looks like a node filter; filter is "" without one (an '@' that belongs
// to the value, as in an e-mail address, stays in value).
func SplitFilter(raw string) (value, filter string) { return splitFilter(raw) }

// ParseNodeFilters parses a node filter as written after '@' ("server:0",
// "agents:*;loadbalancer"), checking indexes against the node counts.
// Unlike ParseFiltered it never takes a misspelt filter for part of a
// value: a config file lists filters apart from the value.
func ParseNodeFilters(spec string, servers, agents int) (NodeFilters, error) {
	return parseFilters(strings.Split(spec, ";"), servers, agents)
}

// CheckKeyValue checks an --env or --k3s-node-label value without its
// filter: KEY=VALUE with a non-empty KEY.
func CheckKeyValue(s string) error { return checkKeyValue(s) }

// CheckVolume checks a --volume value without its filter:
// SOURCE:/container/path[:ro|rw].
func CheckVolume(s string) error { return checkVolume(s) }

// CheckK3sArg checks a --k3s-arg value without its filter.
func CheckK3sArg(s string) error {
	if s == "" {
		return errors.New("empty argument")
	}
	return nil
}

// CheckSubnet checks a --subnet value: an IPv4 CIDR of at least a /24.
func CheckSubnet(cidr string) error {
	_, err := newIPPlan(cidr)
	return err
}

// CheckMemory checks a memory limit such as "512m" or "2g".
func CheckMemory(s string) error {
	if n, err := units.RAMInBytes(s); err != nil || n <= 0 {
		return fmt.Errorf("%q: want a size such as 512m or 2g", s)
	}
	return nil
}
