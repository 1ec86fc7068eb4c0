package hostprep

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// On a cgroup v2 host the node's processes start in the root of the
// container's cgroup namespace. cgroup v2's "no internal processes" rule
// forbids a cgroup that holds processes from handing controllers to its
// children, so kubelet cannot create kubepods with cpu, memory and pids
// limits ("cannot enter cgroupv2 … it is in an invalid state"). Like
// moby's dind script and k3s, the node first moves every process of the
// container into a child cgroup, initGroup, and then enables every
// available controller for the subtree. Processes that `docker exec`
// starts later cannot join the root any more; runc then puts them in the
// cgroup of the container's init, which is initGroup.

// initGroup is the child cgroup the container's own processes move to.
const initGroup = "init"

// cgroupMount is where the unified hierarchy is mounted in a node.
const cgroupMount = "/sys/fs/cgroup"

// evacuateAttempts bounds the move-then-enable rounds: each round can be
// undone by a process started in between (a docker exec), so it is
// retried, but a container that keeps spawning must not spin forever.
const evacuateAttempts = 20

// CgroupFS is the part of a cgroup v2 filesystem the evacuation uses,
// relative to the mount. Production uses the kernel's (DirFS); tests use
// a fake that keeps the kernel's rules.
type CgroupFS interface {
	ReadFile(name string) ([]byte, error)
	// WriteFile writes data in one write(2), as cgroup files require.
	WriteFile(name string, data []byte) error
	Mkdir(name string) error
}

// DirFS is the cgroup filesystem mounted at a directory.
type DirFS string

// ReadFile reads a file below the mount.
func (d DirFS) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), name))
}

// WriteFile writes an existing file below the mount in one write.
func (d DirFS) WriteFile(name string, data []byte) error {
	f, err := os.OpenFile(filepath.Join(string(d), name), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Mkdir creates a cgroup below the mount.
func (d DirFS) Mkdir(name string) error {
	return os.Mkdir(filepath.Join(string(d), name), 0o755)
}

// Unified tells whether /sys/fs/cgroup is the cgroup v2 unified hierarchy
// (not a v1 or hybrid layout).
func Unified(mount string) bool {
	var st unix.Statfs_t
	return unix.Statfs(mount, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// OwnCgroup returns the process's cgroup v2 path from /proc/self/cgroup's
// "0::PATH" line ("/" in a private cgroup namespace).
func OwnCgroup(procSelfCgroup []byte) (string, error) {
	for _, line := range strings.Split(string(procSelfCgroup), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("no cgroup v2 entry (0::) in /proc/self/cgroup")
}

// Evacuation is what EvacuateCgroup2 did.
type Evacuation struct {
	// Group is the cgroup whose subtree got the controllers.
	Group string
	// Moved counts the processes moved into Group/init.
	Moved int
	// Enabled and Refused are the controllers the kernel accepted and
	// refused for the subtree.
	Enabled, Refused []string
}

// EvacuateCgroup2 moves every process of the cgroup own (this process's,
// relative to the mount) into own/init and enables every controller own
// has for its children. Run again (a restarted node process already in
// own/init), it works on the parent of init. It fails only when no
// controller could be enabled, or processes keep appearing.
func EvacuateCgroup2(fs CgroupFS, own string) (Evacuation, error) {
	group := own
	if path.Base(own) == initGroup {
		group = path.Dir(own)
	}
	ev := Evacuation{Group: group}
	rel := func(name string) string { return strings.TrimPrefix(path.Join(group, name), "/") }
	raw, err := fs.ReadFile(rel("cgroup.controllers"))
	if err != nil {
		return ev, fmt.Errorf("cgroup v2: reading the available controllers: %w", err)
	}
	controllers := strings.Fields(string(raw))
	if len(controllers) == 0 {
		return ev, nil
	}
	if err := fs.Mkdir(rel(initGroup)); err != nil && !errors.Is(err, os.ErrExist) {
		return ev, fmt.Errorf("cgroup v2: creating %s: %w", path.Join(group, initGroup), err)
	}
	for range evacuateAttempts {
		moved, err := moveProcs(fs, rel("cgroup.procs"), rel(initGroup+"/cgroup.procs"))
		ev.Moved += moved
		if err != nil {
			return ev, err
		}
		err = fs.WriteFile(rel("cgroup.subtree_control"), []byte(enableList(controllers)))
		switch {
		case err == nil:
			ev.Enabled = controllers
			return ev, nil
		case errors.Is(err, syscall.EBUSY):
			continue // a process appeared between the move and the write
		}
		// One controller the kernel refuses (say, a threaded-only one)
		// must not cost the others: enable them one by one.
		return oneByOne(fs, rel("cgroup.subtree_control"), controllers, ev)
	}
	return ev, fmt.Errorf("cgroup v2: processes kept appearing in %s after %d attempts to move them to %s", group, evacuateAttempts, initGroup)
}

// moveProcs moves every pid listed in from into to; a process that exited
// meanwhile is skipped.
func moveProcs(fs CgroupFS, from, to string) (int, error) {
	raw, err := fs.ReadFile(from)
	if err != nil {
		return 0, fmt.Errorf("cgroup v2: listing processes: %w", err)
	}
	moved := 0
	for _, pid := range strings.Fields(string(raw)) {
		if _, err := strconv.Atoi(pid); err != nil {
			return moved, fmt.Errorf("cgroup v2: %s lists %q, not a pid", from, pid)
		}
		err := fs.WriteFile(to, []byte(pid))
		switch {
		case err == nil:
			moved++
		case errors.Is(err, syscall.ESRCH):
		default:
			return moved, fmt.Errorf("cgroup v2: moving process %s to %s: %w", pid, to, err)
		}
	}
	return moved, nil
}

func oneByOne(fs CgroupFS, subtree string, controllers []string, ev Evacuation) (Evacuation, error) {
	var errs []error
	for _, c := range controllers {
		if err := fs.WriteFile(subtree, []byte("+"+c)); err != nil {
			ev.Refused = append(ev.Refused, c)
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
			continue
		}
		ev.Enabled = append(ev.Enabled, c)
	}
	if len(ev.Enabled) == 0 {
		return ev, fmt.Errorf("cgroup v2: no controller could be enabled in %s: %w", ev.Group, errors.Join(errs...))
	}
	return ev, nil
}

// enableList is the subtree_control line enabling every controller.
func enableList(controllers []string) string {
	parts := make([]string, len(controllers))
	for i, c := range controllers {
		parts[i] = "+" + c
	}
	return strings.Join(parts, " ")
}
