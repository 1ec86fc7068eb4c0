package doctor

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/minictl/mini/pkg/runtime"
)

// Free space of the engine's data root below minFreeDisk fails and below
// lowFreeDisk warns: a node's volume takes several hundred MB for the
// images it unpacks into containerd before any pod writes, and kubelet's
// disk eviction is off in mini's nodes, so a full disk breaks nodes
// rather than evicting pods.
const (
	minFreeDisk = 2 << 30
	lowFreeDisk = 10 << 30
)

// dataDir is the node image's declared volume: in a container of it, an
// anonymous volume in the engine's data root, so df there measures the
// disk nodes fill.
const dataDir = "/var/lib/mini"

// parseDF reads `df -Pk` output: total and available bytes.
func parseDF(out string) (total, avail uint64, err error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return 0, 0, fmt.Errorf("unexpected df output %q", out)
	}
	f := strings.Fields(lines[len(lines)-1])
	if len(f) < 4 {
		return 0, 0, fmt.Errorf("unexpected df output %q", out)
	}
	t, err1 := strconv.ParseUint(f[1], 10, 64)
	a, err2 := strconv.ParseUint(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("unexpected df output %q", out)
	}
	return t << 10, a << 10, nil
}

// checkDisk measures the free space of the engine's data root.
func (d *doctor) checkDisk(ctx context.Context, info runtime.Info, l lab) Result {
	out, err := d.exec(ctx, l.probe, "df", "-Pk", dataDir)
	if err != nil {
		return fail(CheckDisk, "running df in a container: "+err.Error(), "")
	}
	total, avail, err := parseDF(out)
	if err != nil {
		return fail(CheckDisk, err.Error(), "")
	}
	where := "the engine's data root"
	if info.RootDir != "" {
		where += " " + info.RootDir
	}
	detail := fmt.Sprintf("%s free of %s in %s", units.BytesSize(float64(avail)), units.BytesSize(float64(total)), where)
	const hint = "every node unpacks its images into a volume there, and mini's nodes do not evict pods on a full disk; " +
		"free space with `docker system prune` and by deleting clusters you no longer use"
	switch {
	case avail < minFreeDisk:
		return fail(CheckDisk, detail, hint)
	case avail < lowFreeDisk:
		return warn(CheckDisk, detail, hint)
	}
	return pass(CheckDisk, detail)
}
