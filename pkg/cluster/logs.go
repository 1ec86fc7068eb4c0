package cluster

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/minictl/mini/pkg/loadbalancer"
	"github.com/minictl/mini/pkg/runtime"
)

// What a node keeps besides its container output, where mini-node, kubelet
// and the control plane log (they run in one process).
const (
	// containerdLog is where mini-node's agent writes containerd's output
	// (AgentDir/containerd.log in images/node/internal/agent).
	containerdLog = dataDir + "/agent/containerd.log"
	// podLogDir is where kubelet writes every pod container's output,
	// earlier instances of a crash-looping one included; readable even
	// when the API is not.
	podLogDir = "/var/log/pods"
	// lbMainConfig is the load balancer image's nginx.conf, which includes
	// the stream config mini renders.
	lbMainConfig = "/etc/nginx/nginx.conf"
)

// logItemTimeout bounds one item, so a kubectl against an API that does
// not answer costs that item, not the rest.
const logItemTimeout = 2 * time.Minute

// kubectlRequestTimeout bounds each API request of the kubectl items.
const kubectlRequestTimeout = "--request-timeout=30s"

// LogsOptions say where `mini cluster logs` writes.
type LogsOptions struct {
	// Output is a directory, or a FILE.tar.gz (or .tgz); it must not
	// exist yet, but for an empty directory. Empty: the directory
	// mini-logs-NAME-TIMESTAMP in the current directory.
	Output string
}

// LogsResult is what CollectLogs wrote.
type LogsResult struct {
	// Path is the directory or tarball written.
	Path string
	// Problems are the items that could not be collected, also listed in
	// errors.txt of the output.
	Problems []string
}

// DefaultLogsOutput is the output CollectLogs picks when none is given.
func DefaultLogsOutput(name string, now time.Time) string {
	return "mini-logs-" + name + "-" + now.UTC().Format("20060102T150405Z")
}

// CollectLogs gathers what a failing CI job needs to explain a cluster:
// each node's container output (stopped nodes too), its containerd log and
// pod logs, the load balancer's nginx config, the cluster as `cluster list
// -o json` shows it, and, through kubectl on a running server, nodes, pods,
// events and the logs of every kube-system pod. An item that cannot be
// collected is a warning and a line of errors.txt, never the end of the
// run: partial logs are what a broken cluster leaves. The error is set
// when the cluster or the output is unusable, or on Ctrl-C (what was
// collected so far is kept, and Path says where).
func (p *Provider) CollectLogs(ctx context.Context, name string, opts LogsOptions) (LogsResult, error) {
	cl, err := p.Get(ctx, name)
	if err != nil {
		return LogsResult{}, err
	}
	out := opts.Output
	if out == "" {
		out = DefaultLogsOutput(name, time.Now())
	}
	sink, err := newLogSink(out)
	if err != nil {
		return LogsResult{}, err
	}
	p.log.Infof("Collecting the logs of cluster %s into %s", name, out)
	c := &logCollector{p: p, sink: sink}
	c.item(ctx, "README.txt", func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, logsReadme)
		return err
	})
	c.item(ctx, "cluster.json", func(_ context.Context, w io.Writer) error {
		b, err := json.MarshalIndent([]Cluster{cl}, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	})
	for _, n := range cl.Nodes() {
		c.node(ctx, n)
	}
	c.kubernetes(ctx, cl)
	if ctx.Err() != nil {
		c.problems = append(c.problems, "interrupted before everything was collected: "+ctx.Err().Error())
	}
	if len(c.problems) > 0 {
		if err := sink.add("errors.txt", func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Join(c.problems, "\n")+"\n")
			return err
		}); err != nil {
			p.log.Warnf("could not write errors.txt: %v", err)
		}
		p.log.Warnf("%d item(s) could not be collected: see errors.txt in %s", len(c.problems), out)
	}
	res := LogsResult{Path: out, Problems: c.problems}
	if err := sink.close(); err != nil {
		return res, fmt.Errorf("writing %s: %w", out, err)
	}
	return res, ctx.Err()
}

// logsReadme explains the output to whoever opens a CI artifact.
const logsReadme = `Logs of a mini cluster, written by ` + "`mini cluster logs`" + `.

cluster.json          the cluster as ` + "`mini cluster list -o json`" + ` shows it
errors.txt            what could not be collected, and why (only when something failed)
NODE/docker.log       the container's output; for servers and agents that is mini-node's
                      one process: kubelet, the control plane components and kube-proxy log here
NODE/containerd.log   containerd's log
NODE/pods/            kubelet's pod logs (/var/log/pods), earlier container instances included
LB/nginx.conf, LB/stream.conf   the load balancer's nginx config
kubernetes/           kubectl on a running server: nodes, describe nodes, pods, events,
                      and pods/kube-system/POD.log for every kube-system pod
`

// logCollector writes items to the sink and keeps what failed.
type logCollector struct {
	p        *Provider
	sink     logSink
	problems []string
}

// item writes one file; a failure is noted, unless ctx ended (then the
// run stops, which CollectLogs reports once).
func (c *logCollector) item(ctx context.Context, name string, write func(context.Context, io.Writer) error) {
	if ctx.Err() != nil {
		return
	}
	ictx, cancel := context.WithTimeout(ctx, logItemTimeout)
	defer cancel()
	if err := c.sink.add(name, func(w io.Writer) error { return write(ictx, w) }); err != nil && ctx.Err() == nil {
		c.problem(name, err)
	}
}

func (c *logCollector) problem(name string, err error) {
	c.problems = append(c.problems, name+": "+err.Error())
	c.p.log.Warnf("could not collect %s: %v", name, err)
}

// node collects one container's files under a directory of its name.
func (c *logCollector) node(ctx context.Context, n Node) {
	dir := n.Name + "/"
	c.item(ctx, dir+"docker.log", func(ctx context.Context, w io.Writer) error { return c.p.rt.Logs(ctx, n.Name, w) })
	if n.Role == RoleLoadBalancer {
		c.item(ctx, dir+"nginx.conf", c.copyFile(n.Name, lbMainConfig))
		c.item(ctx, dir+loadbalancer.ConfigFile, c.copyFile(n.Name, path.Join(loadbalancer.ConfigDir, loadbalancer.ConfigFile)))
		return
	}
	c.item(ctx, dir+"containerd.log", c.copyFile(n.Name, containerdLog))
	c.podLogs(ctx, n.Name, dir+"pods/")
}

// copyFile copies one file out of a container, running or not.
func (c *logCollector) copyFile(container, file string) func(context.Context, io.Writer) error {
	return func(ctx context.Context, w io.Writer) error {
		rc, err := c.p.rt.CopyFrom(ctx, container, file)
		if err != nil {
			return err
		}
		defer rc.Close()
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return fmt.Errorf("%s in container %s is not a regular file", file, container)
			}
			if err != nil {
				return fmt.Errorf("reading %s from container %s: %w", file, container, err)
			}
			if h.Typeflag == tar.TypeReg {
				_, err = io.Copy(w, tr)
				return err
			}
		}
	}
}

// podLogs copies kubelet's pod log directory of a node under prefix. A
// node without one has run no pod yet: nothing to note.
func (c *logCollector) podLogs(ctx context.Context, node, prefix string) {
	if ctx.Err() != nil {
		return
	}
	ictx, cancel := context.WithTimeout(ctx, logItemTimeout)
	defer cancel()
	rc, err := c.p.rt.CopyFrom(ictx, node, podLogDir)
	if runtime.IsNotFound(err) {
		c.p.log.Debugf("%s has no %s", node, podLogDir)
		return
	}
	if err != nil {
		c.problem(prefix, err)
		return
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			c.problem(prefix, fmt.Errorf("reading %s from container %s: %w", podLogDir, node, err))
			return
		}
		// Entries are "pods/NS_POD_UID/CONTAINER/0.log"; kubelet's
		// symlinks (/var/log/containers) are not in this directory.
		_, rest, ok := strings.Cut(h.Name, "/")
		if h.Typeflag != tar.TypeReg || !ok || rest == "" {
			continue
		}
		clean, err := cleanEntry(rest)
		if err != nil {
			c.problem(prefix+rest, err)
			continue
		}
		rest = clean
		if err := c.sink.add(prefix+rest, func(w io.Writer) error { _, err := io.Copy(w, tr); return err }); err != nil {
			c.problem(prefix+rest, err)
		}
	}
}

// kubectlItems are the cluster-wide views of the API, by file name.
var kubectlItems = []struct {
	file string
	args []string
}{
	{"nodes.txt", []string{"get", "nodes", "-o", "wide"}},
	{"describe-nodes.txt", []string{"describe", "nodes"}},
	{"pods.txt", []string{"get", "pods", "-A", "-o", "wide"}},
	{"events.txt", []string{"get", "events", "-A", "-o", "wide"}},
}

// kubernetes asks the API, through kubectl on the first running server,
// for the state of the cluster and the logs of the kube-system pods.
func (c *logCollector) kubernetes(ctx context.Context, cl Cluster) {
	if ctx.Err() != nil {
		return
	}
	const dir = "kubernetes/"
	server := firstRunning(cl.Servers, nil)
	if server == "" {
		c.problem(dir, fmt.Errorf("no server of cluster %s is running, so there is no API to ask (the nodes' logs are collected)", cl.Name))
		return
	}
	for _, it := range kubectlItems {
		c.item(ctx, dir+it.file, c.kubectl(server, it.args...))
	}
	var names bytes.Buffer
	ictx, cancel := context.WithTimeout(ctx, logItemTimeout)
	defer cancel()
	if err := c.kubectl(server, "get", "pods", "-n", "kube-system", "-o", `jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}`)(ictx, &names); err != nil {
		if ctx.Err() == nil {
			c.problem(dir+"pods/kube-system/", err)
		}
		return
	}
	pods := strings.Fields(names.String())
	sort.Strings(pods)
	for _, pod := range pods {
		c.item(ctx, dir+"pods/kube-system/"+pod+".log",
			c.kubectl(server, "logs", "-n", "kube-system", pod, "--all-containers", "--prefix", "--timestamps"))
	}
}

// kubectl runs the node's kubectl (admin kubeconfig on a server) and
// writes its stdout; a non-zero exit is an error with its stderr.
func (c *logCollector) kubectl(node string, args ...string) func(context.Context, io.Writer) error {
	cmd := append([]string{nodeCLI, "kubectl"}, args...)
	cmd = append(cmd, kubectlRequestTimeout)
	return func(ctx context.Context, w io.Writer) error {
		var stderr bytes.Buffer
		code, err := c.p.rt.Exec(ctx, node, runtime.ExecSpec{Cmd: cmd, Stdout: w, Stderr: &stderr})
		if err != nil {
			return err
		}
		if code != 0 {
			return &runtime.ExecError{Container: node, Cmd: cmd, ExitCode: code, Output: stderr.String()}
		}
		// Success can still say something only on stderr: "No resources
		// found", deprecation warnings.
		_, err = w.Write(stderr.Bytes())
		return err
	}
}
