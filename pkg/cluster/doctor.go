package cluster

import (
	"context"

	"github.com/minictl/mini/pkg/runtime"
)

// RoleDoctor is the LabelRole of the short-lived containers and networks
// `mini doctor` makes to test the engine; group and the registry listing
// skip them, and a leftover of a killed doctor is found by it.
const RoleDoctor = "doctor"

// NodePrivileges reports whether nodes created now would run --privileged
// (true) or in the emulated form (false), and how that was decided: the
// same probe Create runs, so `mini doctor` tests what nodes will get.
func (p *Provider) NodePrivileges(ctx context.Context, image string) (privileged bool, why string, err error) {
	if p.privileged != nil {
		return *p.privileged, "set by the caller", nil
	}
	info, err := p.rt.Info(ctx)
	if err != nil {
		return false, "", err
	}
	return p.probe.allowed(ctx, p.rt, info, image)
}

// ApplyNodePrivileges gives spec a node's privilege settings: --privileged,
// or everything it grants that the host allows.
func ApplyNodePrivileges(spec *runtime.ContainerSpec, privileged bool) {
	applyPrivileged(spec, privileged)
}
