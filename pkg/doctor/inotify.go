package doctor

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// The inotify limits kind's known issues recommend, and the files that
// hold them.
const (
	recommendedInstances = 512
	recommendedWatches   = 524288
	instancesPath        = "/proc/sys/fs/inotify/max_user_instances"
	watchesPath          = "/proc/sys/fs/inotify/max_user_watches"
)

const inotifyHint = "the limits count per user across the whole host, and every node's kubelet, containerd and pods " +
	"take instances and watches as root, so a few nodes exhaust the default 128 instances and pods fail with " +
	`"too many open files" (kind's known issues recommend 512 and 524288): ` +
	"sudo sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288, " +
	"and the same lines in /etc/sysctl.d/99-mini.conf to keep them"

// checkInotify reads the inotify limits on the host, or in a container
// when the engine is remote: the limits of the engine's kernel count.
func (d *doctor) checkInotify(ctx context.Context, info runtime.Info, l lab, labErr error) Result {
	var raw [2]string
	where := "on the host"
	if info.Local {
		for i, p := range []string{instancesPath, watchesPath} {
			b, err := d.opts.Host.ReadFile(p)
			if err != nil {
				return warn(CheckInotify, "cannot read the limits: "+err.Error(), inotifyHint)
			}
			raw[i] = string(b)
		}
	} else {
		if labErr != nil {
			return labFailure(CheckInotify, labErr)
		}
		where = "in a container: the engine is remote"
		out, err := d.exec(ctx, l.probe, "cat", instancesPath, watchesPath)
		if err != nil {
			return warn(CheckInotify, "cannot read the limits: "+err.Error(), inotifyHint)
		}
		f := strings.Fields(out)
		if len(f) != 2 {
			return warn(CheckInotify, fmt.Sprintf("cannot read the limits: unexpected output %q", out), inotifyHint)
		}
		raw = [2]string{f[0], f[1]}
	}
	instances, err1 := strconv.Atoi(strings.TrimSpace(raw[0]))
	watches, err2 := strconv.Atoi(strings.TrimSpace(raw[1]))
	if err1 != nil || err2 != nil {
		return warn(CheckInotify, fmt.Sprintf("cannot read the limits: %q, %q", raw[0], raw[1]), inotifyHint)
	}
	detail := fmt.Sprintf("max_user_instances %d, max_user_watches %d (%s)", instances, watches, where)
	var low []string
	if instances < recommendedInstances {
		low = append(low, fmt.Sprintf("max_user_instances below %d", recommendedInstances))
	}
	if watches < recommendedWatches {
		low = append(low, fmt.Sprintf("max_user_watches below %d", recommendedWatches))
	}
	if len(low) > 0 {
		return warn(CheckInotify, detail+"; "+strings.Join(low, ", ")+": enough for small clusters", inotifyHint)
	}
	return pass(CheckInotify, detail)
}
