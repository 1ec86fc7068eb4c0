package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/minictl/mini/pkg/runtime"
)

// Check names, as results carry them.
const (
	CheckEngine        = "engine"
	CheckNodeImage     = "node-image"
	CheckLBImage       = "lb-image"
	CheckRegistryImage = "registry-image"
	CheckPrivileged    = "privileged"
	CheckCgroups       = "cgroups"
	CheckDisk          = "disk"
	CheckDNS           = "dns"
	CheckInotify       = "inotify"
	CheckPorts         = "ports"
	// CheckCleanup appears only when doctor could not remove what it made.
	CheckCleanup = "cleanup"
)

// Result is one check's outcome: a line of `mini doctor`.
type Result struct {
	Name   string `json:"name" yaml:"name"`
	OK     bool   `json:"ok" yaml:"ok"`
	Detail string `json:"detail" yaml:"detail"`
	// Hint says how to fix a failure, or why a warning matters.
	Hint string `json:"hint,omitempty" yaml:"hint,omitempty"`
	// Warning marks a passed check with a soft issue (low limits, cgroup
	// v1): clusters work, though not in every case.
	Warning bool `json:"warning,omitempty" yaml:"warning,omitempty"`
}

func pass(name, detail string) Result { return Result{Name: name, OK: true, Detail: detail} }

func warn(name, detail, hint string) Result {
	return Result{Name: name, OK: true, Detail: detail, Hint: hint, Warning: true}
}

func fail(name, detail, hint string) Result {
	return Result{Name: name, Detail: detail, Hint: hint}
}

// notRun is the failure of a check that needs something an earlier one
// found missing; the earlier one carries the fix.
func notRun(name, why string) Result { return fail(name, "not run: "+why, "") }

// Failed counts the failed results.
func Failed(rs []Result) int {
	n := 0
	for _, r := range rs {
		if !r.OK {
			n++
		}
	}
	return n
}

// Host reads the machine mini runs on; tests replace it.
type Host struct {
	// ReadFile reads a file of the host (/proc/sys for inotify limits).
	ReadFile func(path string) ([]byte, error)
	// Listen takes a host port as the engine would publish it.
	Listen func(network, addr string) (io.Closer, error)
}

// DefaultHost reads the real host.
func DefaultHost() Host {
	return Host{
		ReadFile: os.ReadFile,
		Listen:   func(network, addr string) (io.Closer, error) { return net.Listen(network, addr) },
	}
}

// Options say what to check with.
type Options struct {
	// NodeImage, LBImage and RegistryImage are the images to look for; the
	// in-container checks run NodeImage.
	NodeImage, LBImage, RegistryImage string
	// Privileges decides whether nodes run --privileged or emulated and
	// says why (the cluster provider's probe); nil: --privileged.
	Privileges func(ctx context.Context, image string) (privileged bool, why string, err error)
	// Host reads the host; zero fields: DefaultHost's.
	Host Host
	// ID makes the names of doctor's containers and network unique;
	// default: the process id and a random suffix.
	ID string
	// Report receives each result as soon as it is known (nil: none), so
	// text output need not wait for the slowest check.
	Report func(Result)
}

// execTimeout bounds one command in a doctor container, so a hung engine
// or a DNS lookup without an answer cannot hang doctor.
const execTimeout = 30 * time.Second

// cleanupTimeout bounds the removal of doctor's objects after Ctrl-C.
const cleanupTimeout = 30 * time.Second

// doctor is one run: its options, results and the objects to remove.
type doctor struct {
	rt      runtime.Runtime
	opts    Options
	results []Result
	// containers and networks made so far, removed at the end.
	containers []string
	networks   []string
}

// Run runs every check and returns the results in order. Its error is
// only ever ctx's (Ctrl-C): a failed check is a result, and what doctor
// made is removed before Run returns either way.
func Run(ctx context.Context, rt runtime.Runtime, opts Options) ([]Result, error) {
	def := DefaultHost()
	if opts.Host.ReadFile == nil {
		opts.Host.ReadFile = def.ReadFile
	}
	if opts.Host.Listen == nil {
		opts.Host.Listen = def.Listen
	}
	if opts.ID == "" {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		opts.ID = strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
	}
	d := &doctor{rt: rt, opts: opts}
	err := d.run(ctx)
	if cerr := d.cleanup(ctx); cerr != nil {
		d.add(fail(CheckCleanup, cerr.Error(), "remove them with `docker rm -f -v` and `docker network rm`; `docker ps -a --filter label=dev.mini.role=doctor` lists them"))
	}
	return d.results, err
}

func (d *doctor) add(r Result) {
	d.results = append(d.results, r)
	if d.opts.Report != nil {
		d.opts.Report(r)
	}
}

// run adds the results in order; checks that need the engine, or the
// node image, are reported as not run without them.
func (d *doctor) run(ctx context.Context) error {
	info, r := checkEngine(ctx, d.rt)
	d.add(r)
	if !r.OK {
		for _, name := range []string{CheckNodeImage, CheckLBImage, CheckRegistryImage, CheckPrivileged, CheckCgroups, CheckDisk, CheckDNS, CheckInotify, CheckPorts} {
			d.add(notRun(name, "no docker engine answers"))
		}
		return ctx.Err()
	}
	node := checkImage(ctx, d.rt, CheckNodeImage, d.opts.NodeImage, "clusters need it", pullHint)
	d.add(node)
	d.add(checkImage(ctx, d.rt, CheckLBImage, d.opts.LBImage, "clusters need it", pullHint))
	d.add(checkImage(ctx, d.rt, CheckRegistryImage, d.opts.RegistryImage, "clusters do not need it, `mini registry create` and --registry-create do", pullHint))
	if err := ctx.Err(); err != nil {
		return err
	}
	var l lab
	var labErr error
	if !node.OK || node.Warning {
		// A warning here is a missing image.
		labErr = errNoNodeImage
		d.add(notRun(CheckPrivileged, labErr.Error()))
	} else {
		d.add(d.checkPrivileged(ctx))
		l, labErr = d.startLab(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		run  func(context.Context, runtime.Info, lab) Result
	}{{CheckCgroups, d.checkCgroups}, {CheckDisk, d.checkDisk}, {CheckDNS, d.checkDNS}} {
		if labErr != nil {
			d.add(labFailure(c.name, labErr))
			continue
		}
		d.add(c.run(ctx, info, l))
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	d.add(d.checkInotify(ctx, info, l, labErr))
	d.add(d.checkPorts(ctx, info))
	return ctx.Err()
}
