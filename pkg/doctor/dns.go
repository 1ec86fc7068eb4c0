package doctor

import (
	"context"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

const dnsHint = "nodes find the load balancer and each other by name through Docker's embedded DNS (127.0.0.11) " +
	"on the cluster network; check that no firewall rule drops it inside containers and that dockerd runs without " +
	"--iptables=false, then restart the engine, which rebuilds its rules"

// checkDNS resolves peer's name from probe on their user-defined network,
// the way a node resolves mini-NAME-lb. Only names local to the engine:
// nothing outside is reachable offline.
func (d *doctor) checkDNS(ctx context.Context, _ runtime.Info, l lab) Result {
	peer, err := d.rt.InspectContainer(ctx, l.peer)
	if err != nil {
		return fail(CheckDNS, err.Error(), "")
	}
	want := peer.IPs[l.network]
	out, err := d.exec(ctx, l.probe, "getent", "hosts", l.peer)
	if err != nil {
		return fail(CheckDNS, "a container cannot resolve another one's name on a user-defined network: "+err.Error(), dnsHint)
	}
	f := strings.Fields(out)
	if len(f) == 0 || (want != "" && f[0] != want) {
		return fail(CheckDNS, "a container resolves another one's name to "+strings.TrimSpace(out)+", not its address "+want, dnsHint)
	}
	return pass(CheckDNS, "containers on a user-defined network resolve each other's names ("+l.peer+" → "+f[0]+")")
}
