// Replaces lego's generated DNS provider registry,
// providers/dns/zz_gen_dns_providers.go, in the copy of lego that
// ../prepare.sh writes to _patched/lego (and whose provider subpackages it
// deletes).
//
// The upstream registry imports every one of lego's DNS providers, and the
// SDK modules of a dozen of them (Huawei Cloud, Alibaba, Tencent, Oracle,
// Akamai, …) are not served by the Go module proxy mini builds from, so the
// build could not even load them. A mini cluster has no public DNS zone to
// answer an ACME DNS-01 challenge anyway: HTTP-01 and TLS-ALPN-01 work as
// upstream, and a certificate resolver naming a DNS provider fails with the
// error below.

package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
)

// NewDNSChallengeProviderByName is the registry's only entry point, called
// by traefik's ACME provider for certificatesResolvers.*.acme.dnsChallenge.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("unrecognized DNS provider: %s (mini's traefik is built without ACME DNS-01 providers; use the HTTP or TLS challenge)", name)
}
