package doctor

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/fake"
)

const (
	nodeImage     = "mini/node:test"
	lbImage       = "mini/lb:test"
	registryImage = "mini/registry:test"
)

const dfOK = `Filesystem     1024-blocks     Used Available Capacity Mounted on
/dev/vda         264212084 47997072  47504192      51% /var/lib/mini
`

// machine scripts what doctor's containers answer and what the host
// reads, all healthy unless a test changes a field.
type machine struct {
	rt        *fake.Runtime
	cgroups   string
	df        string
	dns       func(peer string) (string, int)
	instances string
	watches   string
	portErr   error
	// onExec runs first for every exec (tests cancel from it).
	onExec func(cmd []string)

	mu    sync.Mutex
	specs []runtime.ContainerSpec
}

func newMachine(images ...string) *machine {
	if images == nil {
		images = []string{nodeImage, lbImage, registryImage}
	}
	m := &machine{rt: fake.New(images...), cgroups: "cgroup2fs\ncpuset cpu io memory hugetlb pids rdma misc\n", df: dfOK,
		dns: func(peer string) (string, int) { return "172.18.0.3      " + peer + "\n", 0 }, instances: "8192\n", watches: "524288\n"}
	m.rt.EngineInfo = runtime.Info{ID: "e", Name: "host", Local: true, ServerVersion: "28.5.2", APIVersion: "1.51",
		RootDir: "/var/lib/docker", CgroupDriver: "systemd"}
	m.rt.Hooks.CreateContainer = func(spec runtime.ContainerSpec) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.specs = append(m.specs, spec)
		return nil
	}
	m.rt.Hooks.Exec = m.exec
	return m
}

func (m *machine) exec(name string, spec runtime.ExecSpec) (int, error) {
	if m.onExec != nil {
		m.onExec(spec.Cmd)
	}
	out, code := "", 0
	switch {
	case slices.Equal(spec.Cmd, []string{"sh", "-c", privilegedScript}):
	case slices.Equal(spec.Cmd, []string{"sh", "-c", cgroupScript}):
		out = m.cgroups
	case slices.Equal(spec.Cmd, []string{"df", "-Pk", dataDir}):
		out = m.df
	case len(spec.Cmd) == 3 && spec.Cmd[0] == "getent":
		out, code = m.dns(spec.Cmd[2])
	case slices.Equal(spec.Cmd, []string{"cat", instancesPath, watchesPath}):
		out = m.instances + m.watches
	default:
		return 127, nil
	}
	if code != 0 {
		_, _ = io.WriteString(spec.Stderr, out)
	} else {
		_, _ = io.WriteString(spec.Stdout, out)
	}
	return code, nil
}

func (m *machine) options() Options {
	return Options{NodeImage: nodeImage, LBImage: lbImage, RegistryImage: registryImage, ID: "t",
		Privileges: func(context.Context, string) (bool, string, error) {
			return true, "the host's capability bounding set is complete", nil
		},
		Host: Host{
			ReadFile: func(p string) ([]byte, error) {
				switch p {
				case instancesPath:
					return []byte(m.instances), nil
				case watchesPath:
					return []byte(m.watches), nil
				}
				return nil, os.ErrNotExist
			},
			Listen: func(string, string) (io.Closer, error) {
				if m.portErr != nil {
					return nil, m.portErr
				}
				return io.NopCloser(nil), nil
			},
		}}
}

func (m *machine) run(t *testing.T, ctx context.Context, opts Options) ([]Result, error) {
	t.Helper()
	rs, err := Run(ctx, m.rt, opts)
	if c, n := m.rt.ContainerNames(), m.rt.NetworkNames(); len(c)+len(n) > 0 {
		t.Errorf("doctor left behind containers %v, networks %v", c, n)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.specs {
		if s.Labels[cluster.LabelApp] != cluster.AppName || s.Labels[cluster.LabelRole] != cluster.RoleDoctor {
			t.Errorf("container %s labels %v, want app=mini role=doctor", s.Name, s.Labels)
		}
	}
	return rs, err
}

func byName(rs []Result) map[string]Result {
	out := map[string]Result{}
	for _, r := range rs {
		out[r.Name] = r
	}
	return out
}

var allChecks = []string{CheckEngine, CheckNodeImage, CheckLBImage, CheckRegistryImage, CheckPrivileged, CheckCgroups, CheckDisk, CheckDNS, CheckInotify, CheckPorts}

func names(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func TestHealthyMachinePassesEveryCheck(t *testing.T) {
	m := newMachine()
	var reported []string
	opts := m.options()
	opts.Report = func(r Result) { reported = append(reported, r.Name) }
	rs, err := m.run(t, context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(rs), allChecks) || !slices.Equal(reported, allChecks) {
		t.Errorf("results %v, reported %v; want %v", names(rs), reported, allChecks)
	}
	for _, r := range rs {
		if !r.OK || r.Warning || r.Detail == "" {
			t.Errorf("%+v, want a plain pass", r)
		}
	}
	got := byName(rs)
	for name, want := range map[string]string{
		CheckEngine:  "docker 28.5.2, API 1.51, local",
		CheckCgroups: "v2 (systemd driver): cpu cpuset hugetlb io memory misc pids rdma",
		CheckDisk:    "45.3GiB free of 252GiB in the engine's data root /var/lib/docker",
		CheckDNS:     "mini-doctor-t-peer → 172.18.0.3",
		CheckInotify: "max_user_instances 8192, max_user_watches 524288 (on the host)",
		CheckPorts:   "127.0.0.1:5001, the first registry port, is free",
	} {
		if !strings.Contains(got[name].Detail, want) {
			t.Errorf("%s: detail %q, want it to contain %q", name, got[name].Detail, want)
		}
	}
	if Failed(rs) != 0 {
		t.Errorf("Failed = %d", Failed(rs))
	}
}

func TestPrivilegedCheckUsesTheNodesSettings(t *testing.T) {
	for _, privileged := range []bool{true, false} {
		m := newMachine()
		opts := m.options()
		opts.Privileges = func(context.Context, string) (bool, string, error) { return privileged, "probe", nil }
		rs, _ := m.run(t, context.Background(), opts)
		if r := byName(rs)[CheckPrivileged]; !r.OK {
			t.Errorf("privileged=%v: %+v", privileged, r)
		}
		var spec runtime.ContainerSpec
		for _, s := range m.specs {
			if s.Name == "mini-doctor-t-privileged" {
				spec = s
			}
		}
		want := runtime.ContainerSpec{Image: nodeImage}
		cluster.ApplyNodePrivileges(&want, privileged)
		if spec.Privileged != want.Privileged || !slices.Equal(spec.CapAdd, want.CapAdd) || !slices.Equal(spec.SecurityOpt, want.SecurityOpt) ||
			!slices.Equal(spec.Devices, want.Devices) || spec.Image != nodeImage || !spec.CgroupnsPrivate {
			t.Errorf("privileged=%v: container spec %+v, want a node's privileges", privileged, spec)
		}
	}
}

// downEngine answers nothing.
type downEngine struct{ *fake.Runtime }

func (downEngine) Info(context.Context) (runtime.Info, error) {
	return runtime.Info{}, errors.New("asking the docker engine for its info: cannot connect")
}

func TestNoEngineFailsEveryCheck(t *testing.T) {
	m := newMachine()
	rs, err := Run(context.Background(), downEngine{m.rt}, m.options())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(rs), allChecks) || Failed(rs) != len(allChecks) {
		t.Fatalf("results %+v: want every check failed", rs)
	}
	if r := rs[0]; !strings.Contains(r.Detail, "cannot connect") || !strings.Contains(r.Hint, "hack/ensure-docker.sh") {
		t.Errorf("engine: %+v", r)
	}
	if len(m.rt.Calls()) != 0 {
		t.Errorf("calls on a dead engine: %v", m.rt.Calls())
	}
}

func TestMissingNodeImageSkipsContainerChecks(t *testing.T) {
	m := newMachine(lbImage)
	rs, err := m.run(t, context.Background(), m.options())
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rs)
	// Missing images are pulled by the commands that run them: a note
	// with the ways to get them, not a failure.
	for _, name := range []string{CheckNodeImage, CheckRegistryImage} {
		if r := got[name]; !r.OK || !r.Warning || !strings.Contains(r.Hint, "make images") || !strings.Contains(r.Hint, "bundle load") {
			t.Errorf("%s: %+v, want a warning with the ways to get it", name, r)
		}
	}
	for _, name := range []string{CheckPrivileged, CheckCgroups, CheckDisk, CheckDNS} {
		if r := got[name]; r.OK || !strings.Contains(r.Detail, "not run: needs the node image") {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := got[CheckInotify]; !r.OK {
		t.Errorf("inotify is read on the host: %+v", r)
	}
	if len(m.specs) != 0 {
		t.Errorf("created containers without the node image: %v", m.specs)
	}
}

func TestSoftIssuesWarn(t *testing.T) {
	m := newMachine(nodeImage, lbImage)
	m.cgroups = "tmpfs\nblkio\ncpu\ncpu,cpuacct\ncpuacct\ncpuset\ndevices\nfreezer\nmemory\npids\nsystemd\n"
	m.df = strings.Replace(dfOK, "47504192", "5242880", 1) // 5 GiB
	m.instances = "128\n"
	m.portErr = errors.New("listen tcp 127.0.0.1:5001: bind: address already in use")
	rs, err := m.run(t, context.Background(), m.options())
	if err != nil {
		t.Fatal(err)
	}
	if Failed(rs) != 0 {
		t.Errorf("soft issues failed: %+v", rs)
	}
	got := byName(rs)
	for name, hint := range map[string]string{
		CheckRegistryImage: "make images",
		CheckCgroups:       "failCgroupV1: false",
		CheckDisk:          "docker system prune",
		CheckInotify:       "fs.inotify.max_user_instances=512",
		CheckPorts:         "5002",
	} {
		if r := got[name]; !r.Warning || !strings.Contains(r.Hint, hint) {
			t.Errorf("%s: %+v, want a warning with a hint mentioning %q", name, r, hint)
		}
	}
	if d := got[CheckCgroups].Detail; !strings.HasPrefix(d, "v1") || !strings.Contains(d, "cpuacct") {
		t.Errorf("cgroups detail %q", d)
	}
	if d := got[CheckInotify].Detail; !strings.Contains(d, "max_user_instances below 512") || strings.Contains(d, "watches below") {
		t.Errorf("inotify detail %q", d)
	}
}

func TestHardProblemsFailAndStillCleanUp(t *testing.T) {
	m := newMachine()
	m.cgroups = "cgroup2fs\ncpu io memory\n"
	m.df = strings.Replace(dfOK, "47504192", "1048576", 1) // 1 GiB
	m.dns = func(peer string) (string, int) { return "", 2 }
	m.rt.Hooks.StartContainer = func(name string) error {
		if strings.HasSuffix(name, "-privileged") {
			return errors.New("runc create failed: unable to apply caps: operation not permitted")
		}
		return nil
	}
	rs, err := m.run(t, context.Background(), m.options())
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rs)
	for name, want := range map[string]string{
		CheckPrivileged: "unable to apply caps",
		CheckCgroups:    "missing: cpuset pids",
		CheckDisk:       "1GiB free",
		CheckDNS:        "cannot resolve",
	} {
		if r := got[name]; r.OK || !strings.Contains(r.Detail, want) || r.Hint == "" {
			t.Errorf("%s: %+v, want a failure with a hint and %q", name, r, want)
		}
	}
	if Failed(rs) != 4 {
		t.Errorf("Failed = %d, want 4", Failed(rs))
	}
}

func TestRegistryOnDefaultPortIsOurs(t *testing.T) {
	m := newMachine()
	m.portErr = errors.New("address already in use")
	if _, err := m.rt.CreateContainer(context.Background(), runtime.ContainerSpec{Name: "mini-registry-cache", Image: registryImage,
		Labels: map[string]string{cluster.LabelApp: cluster.AppName, cluster.LabelRole: cluster.RoleRegistry,
			cluster.LabelRegistryName: "cache", cluster.LabelRegistryHostPort: "5001"}}); err != nil {
		t.Fatal(err)
	}
	m.specs = nil
	rs, _ := Run(context.Background(), m.rt, m.options())
	if r := byName(rs)[CheckPorts]; !r.OK || r.Warning || !strings.Contains(r.Detail, "mini registry cache") {
		t.Errorf("ports: %+v", r)
	}
	if c := m.rt.ContainerNames(); !slices.Equal(c, []string{"mini-registry-cache"}) {
		t.Errorf("containers after doctor: %v", c)
	}
}

func TestRemoteEngineReadsLimitsInAContainer(t *testing.T) {
	m := newMachine()
	m.rt.EngineInfo.Local = false
	m.instances = "256\n"
	opts := m.options()
	opts.Host.ReadFile = func(string) ([]byte, error) { t.Fatal("read the host for a remote engine"); return nil, nil }
	opts.Host.Listen = func(string, string) (io.Closer, error) {
		t.Fatal("checked a host port for a remote engine")
		return nil, nil
	}
	rs, err := m.run(t, context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rs)
	if r := got[CheckInotify]; !r.Warning || !strings.Contains(r.Detail, "256") || !strings.Contains(r.Detail, "the engine is remote") {
		t.Errorf("inotify: %+v", r)
	}
	if r := got[CheckPorts]; !r.OK || !strings.Contains(r.Detail, "not checked") {
		t.Errorf("ports: %+v", r)
	}
}

func TestInterruptRemovesEverything(t *testing.T) {
	m := newMachine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.onExec = func(cmd []string) {
		if cmd[0] == "df" {
			cancel()
		}
	}
	rs, err := m.run(t, ctx, m.options())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(m.specs) != 3 {
		t.Errorf("created %d containers before the interrupt, want 3", len(m.specs))
	}
	if byName(rs)[CheckDNS].Name != "" {
		t.Errorf("ran checks after the interrupt: %v", names(rs))
	}
}

func TestOldEngineFails(t *testing.T) {
	m := newMachine()
	m.rt.EngineInfo.APIVersion = "1.40"
	rs, _ := m.run(t, context.Background(), m.options())
	if r := rs[0]; r.OK || !strings.Contains(r.Hint, "1.41") {
		t.Errorf("engine: %+v", r)
	}
}

func TestParsers(t *testing.T) {
	for v, older := range map[string]bool{"1.40": true, "1.41": false, "1.9": true, "2.0": false, "x": false} {
		if got := olderAPI(v, "1.41"); got != older {
			t.Errorf("olderAPI(%s) = %v", v, got)
		}
	}
	if v2, cs := parseCgroups("tmpfs\ncpu,cpuacct\nmemory\n"); v2 || !slices.Equal(cs, []string{"cpu", "cpuacct", "memory"}) {
		t.Errorf("parseCgroups v1 = %v %v", v2, cs)
	}
	if v2, cs := parseCgroups(""); v2 || cs != nil {
		t.Errorf("parseCgroups empty = %v %v", v2, cs)
	}
	if total, avail, err := parseDF(dfOK); err != nil || total != 264212084<<10 || avail != 47504192<<10 {
		t.Errorf("parseDF = %d %d %v", total, avail, err)
	}
	for _, bad := range []string{"", "Filesystem\n", "h\n/dev x y z"} {
		if _, _, err := parseDF(bad); err == nil {
			t.Errorf("parseDF(%q) accepted", bad)
		}
	}
}
