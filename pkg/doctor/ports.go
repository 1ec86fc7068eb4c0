package doctor

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/runtime"
)

// checkPorts checks the host port mini publishes by default: the first
// registry port on loopback. The API gets a free port at create and needs
// no check; ports users publish (-p 8080:80) are checked by create itself.
func (d *doctor) checkPorts(ctx context.Context, info runtime.Info) Result {
	if !info.Local {
		return pass(CheckPorts, "not checked: the engine is remote, so its ports are not this host's")
	}
	port := cluster.DefaultRegistryPort
	addr := net.JoinHostPort(cluster.DefaultAPIHost, strconv.Itoa(port))
	regs, err := d.rt.ListContainers(ctx, map[string]string{cluster.LabelApp: cluster.AppName, cluster.LabelRole: cluster.RoleRegistry})
	if err != nil {
		return fail(CheckPorts, "listing mini's registries: "+err.Error(), "")
	}
	for _, r := range regs {
		if r.Labels[cluster.LabelRegistryHostPort] == strconv.Itoa(port) {
			return pass(CheckPorts, fmt.Sprintf("%s, the first registry port, is mini registry %s's; the API takes a free port", addr, r.Labels[cluster.LabelRegistryName]))
		}
	}
	lis, err := d.opts.Host.Listen("tcp", addr)
	if err != nil {
		return warn(CheckPorts, fmt.Sprintf("%s, the first registry port, is taken by another program (%v)", addr, err),
			fmt.Sprintf("`mini registry create` then takes the next free port (%d…), but kind's and Tilt's local registry docs expect localhost:%d; "+
				"`ss -ltnp 'sport = :%d'` shows who holds it; free it or give --port", port+1, port, port))
	}
	_ = lis.Close()
	return pass(CheckPorts, addr+", the first registry port, is free; the API takes a free port")
}
