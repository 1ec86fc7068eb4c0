// Package hostprep makes the node container behave like a host for
// Kubernetes: writable /sys and cgroup hierarchies, shared mount propagation,
// and the kernel settings pod networking needs.
//
// Under real --privileged Docker already mounts them writable. Where
// --privileged is refused (hosts whose capability bounding set lacks
// CAP_SYS_RESOURCE), the launcher emulates it and the mounts stay read-only:
// the node fixes that itself so no shell entrypoint is needed.
package hostprep

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
	"k8s.io/klog/v2"
)

// Prepare runs every step; a failure that would break Kubernetes is an error,
// a missing optional knob is logged. It runs before the node starts any
// other process, so that on cgroup v2 every later process (containerd,
// shims) inherits the child cgroup the evacuation moved the node into.
func Prepare() error {
	mounts, err := readMounts("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range mounts {
		if !m.readOnly {
			continue
		}
		if m.target == "/sys" || strings.HasPrefix(m.target, "/sys/fs/cgroup") {
			// A plain remount,rw fails with "mount point is busy" for bind
			// mounts Docker made; remounting the bind itself works.
			if err := unix.Mount("", m.target, "", unix.MS_REMOUNT|unix.MS_BIND, ""); err != nil {
				errs = append(errs, fmt.Errorf("remount %s read-write: %w", m.target, err))
			}
		}
	}
	if Unified(cgroupMount) {
		errs = append(errs, evacuate())
	}
	// kubelet mounts volumes under /var/lib/kubelet and containerd expects
	// them to propagate into containers.
	if err := unix.Mount("", "/", "", unix.MS_SHARED|unix.MS_REC, ""); err != nil {
		errs = append(errs, fmt.Errorf("make / rshared: %w", err))
	}
	for path, value := range map[string]string{
		"/proc/sys/net/ipv4/ip_forward":                 "1",
		"/proc/sys/net/bridge/bridge-nf-call-iptables":  "1",
		"/proc/sys/net/bridge/bridge-nf-call-ip6tables": "1",
		"/proc/sys/net/ipv4/conf/all/route_localnet":    "1",
	} {
		if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				klog.InfoS("Kernel setting not available; the host may need br_netfilter loaded", "path", path)
				continue
			}
			errs = append(errs, fmt.Errorf("set %s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}

type mount struct {
	target   string
	readOnly bool
}

func readMounts(path string) ([]mount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read mounts: %w", err)
	}
	defer f.Close()
	var out []mount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		ro := false
		for _, o := range strings.Split(fields[5], ",") {
			if o == "ro" {
				ro = true
			}
		}
		out = append(out, mount{target: fields[4], readOnly: ro})
	}
	return out, sc.Err()
}

// evacuate prepares a cgroup v2 hierarchy for kubelet (see EvacuateCgroup2).
func evacuate() error {
	raw, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	own, err := OwnCgroup(raw)
	if err != nil {
		return err
	}
	ev, err := EvacuateCgroup2(DirFS(cgroupMount), own)
	if err != nil {
		return err
	}
	klog.InfoS("cgroup v2: moved the container's processes into a child cgroup and enabled controllers for pods",
		"group", ev.Group, "child", initGroup, "moved", ev.Moved, "enabled", ev.Enabled, "refused", ev.Refused)
	return nil
}
