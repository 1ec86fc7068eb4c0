// Command coredns is CoreDNS with only the plugins a Kubernetes cluster DNS
// needs.
//
// The upstream binary links every in-tree plugin (cloud DNS backends, etcd,
// dnstap, …) and weighs about 80 MB; each node image carries this binary as an
// image archive, so linking only what a Kubernetes Corefile uses keeps the
// node image small and the attack surface narrow.
package main

import (
	"fmt"
	"os"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	// Each import registers its plugin with CoreDNS; dnsserver only runs the
	// ones named in directives below.
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/debug"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/rewrite"
	_ "github.com/coredns/coredns/plugin/whoami"
)

// directives is the plugin chain in execution order. The order is not ours
// to choose: it is the relative order of these names in CoreDNS v1.15.0's
// plugin.cfg, because a Corefile's block order does not matter and the chain
// order decides behaviour (e.g. cache must sit before kubernetes/forward so
// it can answer first; loop must run before forward to catch forwarding loops).
//
// whoami is kept because CoreDNS serves "whoami + log" when started without a
// Corefile, which makes a bare `coredns` smoke-testable.
var directives = []string{
	"reload",
	"bind",
	"debug",
	"ready",
	"health",
	"prometheus",
	"errors",
	"log",
	"loadbalance",
	"rewrite",
	"cache",
	"hosts",
	"kubernetes",
	"loop",
	"forward",
	"whoami",
}

func main() {
	if err := dnsserver.SetDirectives(directives); err != nil {
		fmt.Fprintf(os.Stderr, "coredns: set directives: %v\n", err)
		os.Exit(1)
	}
	coremain.Run()
}
