package doctor

import (
	"context"

	"github.com/minictl/mini/pkg/cluster"
)

// privilegedScript does what mini-node needs its privileges for: it
// mounts (cgroups, /sys and containerd's snapshots) and kubelet reads the
// kernel log.
const privilegedScript = "mount -t tmpfs mini-doctor /mnt && umount /mnt && test -r /dev/kmsg"

const privilegedHint = "nodes need --privileged or, where the host's capability bounding set lacks CAP_SYS_RESOURCE, " +
	"every other capability with seccomp and AppArmor unconfined and all devices; rootless Docker, userns-remap and " +
	"locked-down security profiles take that away: run mini against a rootful engine without userns-remap"

// checkPrivileged starts a container with a node's privilege settings,
// decided by the same probe cluster create runs, and checks it can do
// what a node does with them.
func (d *doctor) checkPrivileged(ctx context.Context) Result {
	privileged, why := true, "not probed"
	if d.opts.Privileges != nil {
		var err error
		if privileged, why, err = d.opts.Privileges(ctx, d.opts.NodeImage); err != nil {
			return fail(CheckPrivileged, "probing whether the engine runs --privileged containers: "+err.Error(), privilegedHint)
		}
	}
	mode := "--privileged"
	if !privileged {
		mode = "emulated (all capabilities but CAP_SYS_RESOURCE, unconfined seccomp and AppArmor, every device)"
	}
	spec := d.idleSpec(d.name("privileged"), "")
	spec.Tmpfs = []string{"/run", "/tmp"}
	cluster.ApplyNodePrivileges(&spec, privileged)
	if err := d.runContainer(ctx, spec); err != nil {
		return fail(CheckPrivileged, "a container with the node's privileges ("+mode+") does not start: "+err.Error(), privilegedHint)
	}
	if _, err := d.exec(ctx, spec.Name, "sh", "-c", privilegedScript); err != nil {
		return fail(CheckPrivileged, "in a container with the node's privileges ("+mode+"), mounting a tmpfs or reading /dev/kmsg fails: "+err.Error(), privilegedHint)
	}
	return pass(CheckPrivileged, "nodes run "+mode+": "+why+"; mounts and /dev/kmsg work")
}
