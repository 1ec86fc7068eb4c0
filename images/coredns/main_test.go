package main

import (
	"slices"
	"testing"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
)

// TestDirectivesFollowUpstreamOrder checks our list against the full list
// CoreDNS generates from its plugin.cfg (dnsserver.Directives before main
// replaces it): same relative order, nothing unknown.
func TestDirectivesFollowUpstreamOrder(t *testing.T) {
	last := -1
	for _, d := range directives {
		i := slices.Index(dnsserver.Directives, d)
		if i < 0 {
			t.Errorf("directive %q is not in CoreDNS's plugin.cfg", d)
			continue
		}
		if i < last {
			t.Errorf("directive %q is out of plugin.cfg order", d)
		}
		last = i
	}
}

// TestDirectivesRegistered checks every directive has its plugin imported;
// a missing import only shows when a Corefile uses the directive. (The
// reverse does not hold: forward and kubernetes link dnstap, metadata and
// transfer as libraries; they stay unusable as directives, which is fine.)
func TestDirectivesRegistered(t *testing.T) {
	// Plugins of a server type are listed as "<type>.<name>".
	registered := caddy.ListPlugins()["others"]
	for _, d := range directives {
		if !slices.Contains(registered, "dns."+d) {
			t.Errorf("directive %q has no registered plugin: import it", d)
		}
	}
}
