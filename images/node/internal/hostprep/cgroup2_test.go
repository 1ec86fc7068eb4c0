package hostprep

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// fakeCgroupFS is a cgroup v2 hierarchy with the kernel's rules where the
// evacuation depends on them:
//   - a process is in exactly one cgroup; writing its pid to another
//     cgroup's cgroup.procs moves it, an unknown pid is ESRCH;
//   - no internal processes: a cgroup below the namespace root cannot
//     enable controllers for its children while it holds processes, and
//     cannot take processes while it has controllers enabled (EBUSY);
//   - a child only has the controllers its parent enabled.
type fakeCgroupFS struct {
	procs   map[string][]int    // cgroup → pids
	enabled map[string][]string // cgroup → subtree_control
	avail   []string            // the namespace root's cgroup.controllers
	// hierarchyRoot is the real root, exempt from "no internal
	// processes"; a container's namespace root is not it.
	hierarchyRoot string
	// refuse makes enabling these controllers fail with EINVAL.
	refuse []string
	// onEnable runs before each subtree_control write (a docker exec
	// starting a process in the root at the worst moment).
	onEnable func(f *fakeCgroupFS)
}

func newFakeCgroupFS(pids ...int) *fakeCgroupFS {
	return &fakeCgroupFS{procs: map[string][]int{".": pids}, enabled: map[string][]string{},
		avail: strings.Fields("cpuset cpu io memory hugetlb pids rdma misc"), hierarchyRoot: "/real-root"}
}

func (f *fakeCgroupFS) split(name string) (group, file string) {
	dir, file := filepath.Split(name)
	group = filepath.Clean("./" + dir)
	return group, file
}

func (f *fakeCgroupFS) controllers(group string) []string {
	if group == "." {
		return f.avail
	}
	return f.enabled[filepath.Dir(group)]
}

func (f *fakeCgroupFS) ReadFile(name string) ([]byte, error) {
	group, file := f.split(name)
	if _, ok := f.procs[group]; !ok {
		return nil, os.ErrNotExist
	}
	switch file {
	case "cgroup.controllers":
		return []byte(strings.Join(f.controllers(group), " ") + "\n"), nil
	case "cgroup.procs":
		var b strings.Builder
		for _, p := range f.procs[group] {
			b.WriteString(strconv.Itoa(p) + "\n")
		}
		return []byte(b.String()), nil
	case "cgroup.subtree_control":
		return []byte(strings.Join(f.enabled[group], " ") + "\n"), nil
	}
	return nil, os.ErrNotExist
}

func (f *fakeCgroupFS) WriteFile(name string, data []byte) error {
	group, file := f.split(name)
	if _, ok := f.procs[group]; !ok {
		return os.ErrNotExist
	}
	switch file {
	case "cgroup.procs":
		pid, err := strconv.Atoi(string(data))
		if err != nil {
			return syscall.EINVAL
		}
		if len(f.enabled[group]) > 0 && group != f.hierarchyRoot {
			return syscall.EBUSY
		}
		for g, ps := range f.procs {
			if i := slices.Index(ps, pid); i >= 0 {
				f.procs[g] = slices.Delete(ps, i, i+1)
				f.procs[group] = append(f.procs[group], pid)
				return nil
			}
		}
		return syscall.ESRCH
	case "cgroup.subtree_control":
		if f.onEnable != nil {
			f.onEnable(f)
		}
		if len(f.procs[group]) > 0 && group != f.hierarchyRoot {
			return syscall.EBUSY
		}
		var add []string
		for _, w := range strings.Fields(string(data)) {
			c := strings.TrimPrefix(w, "+")
			if !slices.Contains(f.controllers(group), c) || slices.Contains(f.refuse, c) {
				return syscall.EINVAL // the kernel applies all or nothing
			}
			add = append(add, c)
		}
		for _, c := range add {
			if !slices.Contains(f.enabled[group], c) {
				f.enabled[group] = append(f.enabled[group], c)
			}
		}
		return nil
	}
	return syscall.EACCES
}

func (f *fakeCgroupFS) Mkdir(name string) error {
	group := filepath.Clean("./" + name)
	if _, ok := f.procs[group]; ok {
		return os.ErrExist
	}
	f.procs[group] = []int{}
	return nil
}

// kubepodsOK tells whether kubelet could now create kubepods with memory,
// cpu and pids limits: the controllers are enabled below the namespace
// root and no process is left in it.
func (f *fakeCgroupFS) kubepodsOK() bool {
	return len(f.procs["."]) == 0 && slices.Contains(f.enabled["."], "memory") &&
		slices.Contains(f.enabled["."], "cpu") && slices.Contains(f.enabled["."], "pids")
}

func TestEvacuateCgroup2(t *testing.T) {
	f := newFakeCgroupFS(1, 7, 8)
	ev, err := EvacuateCgroup2(f, "/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.procs["init"], []int{1, 7, 8}) || !f.kubepodsOK() {
		t.Errorf("procs %v, enabled %v: kubelet could not create pod cgroups", f.procs, f.enabled)
	}
	if ev.Moved != 3 || len(ev.Enabled) != len(f.avail) || ev.Group != "/" {
		t.Errorf("evacuation = %+v", ev)
	}
	// A process docker exec starts now lands in init (runc's fallback),
	// and kubelet's pod cgroup gets every controller.
	if err := f.WriteFile("cgroup.procs", []byte("9")); err == nil {
		t.Error("the fake let a process into a cgroup with controllers enabled")
	}
	if err := f.Mkdir("kubepods"); err != nil {
		t.Fatal(err)
	}
	if got := f.controllers("kubepods"); !slices.Contains(got, "memory") {
		t.Errorf("kubepods controllers = %v", got)
	}
}

// Without the evacuation, the kernel refuses what kubelet needs: the
// fake keeps that rule, so the test above proves something.
func TestFakeCgroupFSRefusesInternalProcesses(t *testing.T) {
	f := newFakeCgroupFS(1)
	if err := f.WriteFile("cgroup.subtree_control", []byte("+memory")); err != syscall.EBUSY {
		t.Errorf("enabling controllers with a process in the group: %v, want EBUSY", err)
	}
}

// A process that appears between the move and the enable (a docker exec)
// is moved too, on the next round.
func TestEvacuateCgroup2ProcessAppears(t *testing.T) {
	f := newFakeCgroupFS(1)
	spawned := 0
	f.onEnable = func(f *fakeCgroupFS) {
		if spawned < 2 {
			spawned++
			f.procs["."] = append(f.procs["."], 100+spawned)
		}
	}
	ev, err := EvacuateCgroup2(f, "/")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Moved != 3 || !f.kubepodsOK() {
		t.Errorf("evacuation %+v, procs %v, enabled %v", ev, f.procs, f.enabled)
	}
}

// A container that never stops spawning ends in an error, not a loop.
func TestEvacuateCgroup2GivesUp(t *testing.T) {
	f := newFakeCgroupFS(1)
	pid := 100
	f.onEnable = func(f *fakeCgroupFS) { pid++; f.procs["."] = append(f.procs["."], pid) }
	if _, err := EvacuateCgroup2(f, "/"); err == nil || !strings.Contains(err.Error(), "kept appearing") {
		t.Errorf("err = %v", err)
	}
}

// A process that exits before it is moved is no error.
func TestEvacuateCgroup2ProcessGone(t *testing.T) {
	f := newFakeCgroupFS(1, 42)
	if _, err := EvacuateCgroup2(&goneFS{fakeCgroupFS: f, gone: 42}, "/"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.procs["init"], []int{1}) || !f.kubepodsOK() {
		t.Errorf("procs %v, enabled %v", f.procs, f.enabled)
	}
}

// goneFS lists a pid that no longer exists once written.
type goneFS struct {
	*fakeCgroupFS
	gone int
}

func (g *goneFS) WriteFile(name string, data []byte) error {
	if strings.HasSuffix(name, "cgroup.procs") && string(data) == strconv.Itoa(g.gone) {
		g.procs["."] = slices.DeleteFunc(g.procs["."], func(p int) bool { return p == g.gone })
		return syscall.ESRCH
	}
	return g.fakeCgroupFS.WriteFile(name, data)
}

// A controller the kernel refuses costs only itself.
func TestEvacuateCgroup2RefusedController(t *testing.T) {
	f := newFakeCgroupFS(1)
	f.refuse = []string{"misc"}
	ev, err := EvacuateCgroup2(f, "/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ev.Refused, []string{"misc"}) || !f.kubepodsOK() || slices.Contains(f.enabled["."], "misc") {
		t.Errorf("evacuation %+v, enabled %v", ev, f.enabled)
	}
	f = newFakeCgroupFS(1)
	f.refuse = f.avail
	if _, err := EvacuateCgroup2(f, "/"); err == nil {
		t.Error("no controller enabled, yet no error")
	}
}

// A node process restarted inside the same container (already in init)
// finishes the job on init's parent.
func TestEvacuateCgroup2Again(t *testing.T) {
	f := newFakeCgroupFS(1)
	if _, err := EvacuateCgroup2(f, "/"); err != nil {
		t.Fatal(err)
	}
	ev, err := EvacuateCgroup2(f, "/init")
	if err != nil || ev.Group != "/" || ev.Moved != 0 || !f.kubepodsOK() {
		t.Errorf("second run: %+v, %v", ev, err)
	}
}

func TestOwnCgroup(t *testing.T) {
	for in, want := range map[string]string{
		"0::/\n":                          "/",
		"12:pids:/x\n0::/init\n":          "/init",
		"0::/system.slice/docker-1.scope": "/system.slice/docker-1.scope",
	} {
		if got, err := OwnCgroup([]byte(in)); err != nil || got != want {
			t.Errorf("OwnCgroup(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := OwnCgroup([]byte("4:memory:/\n")); err == nil {
		t.Error("a cgroup v1 file gave no error")
	}
}
