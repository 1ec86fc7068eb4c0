package cluster

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// capSysResource is CAP_SYS_RESOURCE's bit in a capability set.
const capSysResource = 24

// privilegedProbe decides whether the engine can run --privileged
// containers. On some hosts (nested containers, restricted VMs) the
// bounding set lacks CAP_SYS_RESOURCE and Docker's privileged mode, which
// asks for every capability, fails at start with "unable to apply caps".
// Nodes then get the emulated form (all capabilities but that one).
type privilegedProbe struct {
	// readStatus returns /proc/self/status; replaced in tests.
	readStatus func() ([]byte, error)
	// cacheDir keeps a probe's answer per remote engine; empty disables it.
	cacheDir string
}

func (p privilegedProbe) allowed(ctx context.Context, rt runtime.Runtime, info runtime.Info, image string) (bool, string, error) {
	if info.Local {
		status, err := p.readStatus()
		if err == nil {
			if capBnd, ok := parseCapBnd(status); ok {
				if capBnd&(1<<capSysResource) == 0 {
					return false, "the host's capability bounding set lacks CAP_SYS_RESOURCE", nil
				}
				return true, "the host's capability bounding set is complete", nil
			}
		}
	}
	cache := ""
	if p.cacheDir != "" && info.ID != "" {
		cache = filepath.Join(p.cacheDir, "privileged-"+strings.ReplaceAll(info.ID, ":", "_"))
		if b, err := os.ReadFile(cache); err == nil {
			return strings.TrimSpace(string(b)) == "yes", "cached probe result " + cache, nil
		}
	}
	ok, err := probePrivileged(ctx, rt, image)
	if err != nil {
		return false, "", err
	}
	if cache != "" {
		answer := "no"
		if ok {
			answer = "yes"
		}
		_ = os.MkdirAll(p.cacheDir, 0o755)
		_ = os.WriteFile(cache, []byte(answer+"\n"), 0o644)
	}
	return ok, "probe container", nil
}

// probePrivileged starts a privileged container running `true` and reports
// whether the engine could start it.
func probePrivileged(ctx context.Context, rt runtime.Runtime, image string) (bool, error) {
	name := fmt.Sprintf("mini-probe-privileged-%d", os.Getpid())
	_, err := rt.CreateContainer(ctx, runtime.ContainerSpec{
		Name: name, Image: image, Entrypoint: []string{"true"}, Privileged: true,
		Labels: map[string]string{LabelApp: AppName},
	})
	if err != nil {
		return false, fmt.Errorf("creating privileged probe container: %w", err)
	}
	// Volumes: the node image declares /var/lib/mini a volume, so every
	// container of it gets an anonymous one.
	defer func() {
		_ = rt.RemoveContainer(context.WithoutCancel(ctx), name, runtime.RemoveOptions{Force: true, Volumes: true})
	}()
	return rt.StartContainer(ctx, name) == nil, nil
}

// parseCapBnd reads CapBnd from /proc/self/status.
func parseCapBnd(status []byte) (uint64, bool) {
	sc := bufio.NewScanner(strings.NewReader(string(status)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapBnd:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// applyPrivileged fills the container's privilege settings.
func applyPrivileged(spec *runtime.ContainerSpec, privileged bool) {
	if privileged {
		spec.Privileged = true
		return
	}
	// The emulated form from the node recipe: everything privileged gives
	// that the host allows. mini-node remounts /sys and cgroups rw itself.
	spec.CapAdd = []string{"ALL"}
	spec.CapDrop = []string{"SYS_RESOURCE"}
	spec.SecurityOpt = []string{"seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"}
	spec.DeviceCgroupRules = []string{"a *:* rwm"}
	spec.Devices = []string{"/dev/kmsg"}
}
