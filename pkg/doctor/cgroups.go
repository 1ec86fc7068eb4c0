package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// cgroupScript prints the type of the cgroup mount, then the controllers
// a container gets: cgroup.controllers on v2, the hierarchies on v1.
const cgroupScript = `stat -fc %T /sys/fs/cgroup; ` +
	`if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/cgroup.controllers; else ls /sys/fs/cgroup; fi`

// requiredControllers are the controllers kubelet refuses to start
// without (its validateSystemRequirements), and pids for pod PID limits;
// on v2 cpuacct is part of cpu.
var requiredControllers = map[bool][]string{
	true:  {"cpu", "cpuset", "memory", "pids"},
	false: {"cpu", "cpuacct", "cpuset", "memory", "pids"},
}

// parseCgroups reads cgroupScript's output.
func parseCgroups(out string) (v2 bool, controllers []string) {
	fields := strings.Fields(out)
	if len(fields) == 0 {
		return false, nil
	}
	v2 = fields[0] == "cgroup2fs"
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		// v1 joins co-mounted hierarchies: cpu,cpuacct.
		for _, c := range strings.Split(f, ",") {
			if c != "" && !seen[c] {
				seen[c] = true
				controllers = append(controllers, c)
			}
		}
	}
	slices.Sort(controllers)
	return v2, controllers
}

// checkCgroups reads the cgroups a container of the node image gets.
func (d *doctor) checkCgroups(ctx context.Context, info runtime.Info, l lab) Result {
	out, err := d.exec(ctx, l.probe, "sh", "-c", cgroupScript)
	if err != nil {
		return fail(CheckCgroups, "reading /sys/fs/cgroup in a container: "+err.Error(), "")
	}
	v2, controllers := parseCgroups(out)
	version := "v1"
	if v2 {
		version = "v2"
	}
	if info.CgroupDriver != "" {
		version += " (" + info.CgroupDriver + " driver)"
	}
	detail := version + ": " + strings.Join(controllers, " ")
	var missing []string
	for _, c := range requiredControllers[v2] {
		if !slices.Contains(controllers, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		hint := "kubelet needs the " + strings.Join(requiredControllers[v2], ", ") + " controllers"
		if v2 {
			hint += "; enable them for the engine's containers (cgroup.subtree_control of its parent cgroup; " +
				"with systemd, Delegate=yes for docker.service)"
		} else {
			hint += "; mount their hierarchies under /sys/fs/cgroup, or boot the host with cgroup v2"
		}
		return fail(CheckCgroups, fmt.Sprintf("%s; missing: %s", detail, strings.Join(missing, " ")), hint)
	}
	if !v2 {
		return warn(CheckCgroups, detail,
			"Kubernetes only maintains cgroup v1 and kubelet refuses it by default; mini's kubelet sets failCgroupV1: false, "+
				"so clusters run, but prefer a cgroup v2 host (boot with systemd.unified_cgroup_hierarchy=1)")
	}
	return pass(CheckCgroups, detail)
}
