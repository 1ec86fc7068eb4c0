package cluster

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/minictl/mini/pkg/runtime"
)

// ImageImportOptions say what to import into which nodes.
type ImageImportOptions struct {
	Cluster string
	// Sources are images of the engine (NAME[:TAG]), image archives
	// (docker save or OCI, possibly gzipped) or "-" for an archive on Stdin.
	Sources []string
	Stdin   io.Reader
	// Nodes is a node filter ("server:0", "agents:*", "all"; several
	// joined with ';'); empty selects every server and agent.
	Nodes string
	// Platform (os/arch[/variant]) is imported from multi-platform
	// archives; empty: the nodes' own.
	Platform string
}

// ImageImportResult is what one node got.
type ImageImportResult struct {
	Node string `json:"node" yaml:"node"`
	// Imported and Skipped list source arguments; a source is skipped on
	// a node that holds all its images already, with the same IDs.
	Imported []string      `json:"imported,omitempty" yaml:"imported,omitempty"`
	Skipped  []string      `json:"skipped,omitempty" yaml:"skipped,omitempty"`
	Bytes    int64         `json:"bytes" yaml:"bytes"`
	Duration time.Duration `json:"-" yaml:"-"`
	// Seconds is Duration for JSON and YAML readers.
	Seconds float64 `json:"seconds" yaml:"seconds"`
}

// ImportImages streams images into the containerd (namespace k8s.io) of
// every selected node: one `docker save` (or read of the archive) per
// source, copied to all nodes that need it at once, with no temporary file
// and no helper container. Imported images live on the node's data
// volume, so they survive restarts; pods use them with imagePullPolicy
// IfNotPresent or Never.
func (p *Provider) ImportImages(ctx context.Context, opts ImageImportOptions) ([]ImageImportResult, error) {
	var errs []error
	if len(opts.Sources) == 0 {
		errs = append(errs, errors.New("no image or archive to import"))
	}
	if opts.Platform != "" && !platformRE.MatchString(opts.Platform) {
		errs = append(errs, fmt.Errorf("--platform %q: want OS/ARCH[/VARIANT], e.g. linux/arm64", opts.Platform))
	}
	if slices.Contains(opts.Sources, "-") && opts.Stdin == nil {
		errs = append(errs, errors.New("\"-\" needs an archive on standard input"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cl, err := p.Get(ctx, opts.Cluster)
	if err != nil {
		return nil, err
	}
	nodes, err := selectImportNodes(cl, opts.Nodes)
	if err != nil {
		return nil, err
	}
	sources, err := resolveSources(ctx, p.rt, opts.Sources)
	if err != nil {
		return nil, err
	}

	have := make([]nodeImages, len(nodes))
	if err := parallelIndex(len(nodes), func(i int) (err error) {
		have[i], err = listNodeImages(ctx, p.rt, nodes[i])
		return err
	}); err != nil {
		return nil, err
	}
	results := make(map[string]*ImageImportResult, len(nodes))
	for _, n := range nodes {
		results[n] = &ImageImportResult{Node: n}
	}
	for _, batch := range planImports(p.log, sources, nodes, have, results) {
		if err := p.importBatch(ctx, batch, opts, results); err != nil {
			return collect(nodes, results), err
		}
	}
	return collect(nodes, results), nil
}

// importBatch is one stream and the nodes it goes to.
type importBatch struct {
	sources []imageSource
	nodes   []string
}

// planImports decides, per source, which nodes need it, and groups the
// engine images by the set of nodes needing them, so one `docker save`
// serves each group (usually: one save of everything, for every node).
func planImports(log logrus.FieldLogger, sources []imageSource, nodes []string, have []nodeImages, results map[string]*ImageImportResult) []importBatch {
	var batches []importBatch
	byNodes := map[string]int{}
	for _, src := range sources {
		var need []string
		for i, n := range nodes {
			if src.kind != sourceStdin && have[i].has(src.images) {
				results[n].Skipped = append(results[n].Skipped, src.Arg)
				continue
			}
			need = append(need, n)
		}
		if len(need) == 0 {
			log.Infof("Every node already has %s", src.Arg)
			continue
		}
		if skipped := len(nodes) - len(need); skipped > 0 {
			log.Infof("%d node(s) already have %s", skipped, src.Arg)
		}
		key := strings.Join(need, " ")
		if i, ok := byNodes[key]; ok && src.kind == sourceEngine {
			batches[i].sources = append(batches[i].sources, src)
			continue
		}
		if src.kind == sourceEngine {
			byNodes[key] = len(batches)
		}
		batches = append(batches, importBatch{sources: []imageSource{src}, nodes: need})
	}
	return batches
}

func (p *Provider) importBatch(ctx context.Context, b importBatch, opts ImageImportOptions, results map[string]*ImageImportResult) error {
	args := make([]string, len(b.sources))
	for i, s := range b.sources {
		args[i] = s.Arg
	}
	what := strings.Join(args, ", ")
	p.log.Infof("Importing %s into %d node(s)", what, len(b.nodes))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src, closeSrc, err := p.openBatch(ctx, b, opts.Stdin)
	if err != nil {
		return err
	}
	cmd := ctrImportCmd(opts.Platform)
	counted := &countingReader{r: src}
	stopProgress := p.reportProgress(counted, len(b.nodes))
	defer stopProgress()
	res := fanout(ctx, counted, b.nodes, func(ctx context.Context, node string, r io.Reader) error {
		var out bytes.Buffer
		code, err := p.rt.Exec(ctx, node, runtime.ExecSpec{Cmd: cmd, Stdin: r, Stdout: &out, Stderr: &out})
		switch {
		case err != nil:
			return fmt.Errorf("importing %s into node %s: %w", what, node, err)
		case code != 0:
			return fmt.Errorf("importing %s into node %s: %w", what, node,
				&runtime.ExecError{Container: node, Cmd: cmd, ExitCode: code, Output: lastLines(out.String(), 5)})
		}
		return nil
	})
	cancel()
	stopProgress()
	srcErr := closeSrc()
	var errs []error
	for _, n := range b.nodes {
		r := res[n]
		results[n].Bytes += r.Bytes
		results[n].Duration += r.Took
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		results[n].Imported = append(results[n].Imported, args...)
		p.log.Infof("  %s: %s (%.1f MB in %s)", n, what, float64(r.Bytes)/1e6, r.Took.Round(100*time.Millisecond))
	}
	if srcErr != nil && !errors.Is(srcErr, context.Canceled) {
		errs = append(errs, srcErr)
	}
	return errors.Join(errs...)
}

// openBatch opens the stream of a batch: one `docker save` of its engine
// images, the archive file, or stdin. closeSrc returns the error of the
// save, if it failed.
func (p *Provider) openBatch(ctx context.Context, b importBatch, stdin io.Reader) (io.Reader, func() error, error) {
	switch b.sources[0].kind {
	case sourceStdin:
		r, err := gunzipped(stdin)
		return r, func() error { return nil }, err
	case sourceArchive:
		f, err := os.Open(b.sources[0].Arg)
		if err != nil {
			return nil, nil, fmt.Errorf("opening archive: %w", err)
		}
		r, err := gunzipped(f)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("archive %s: %w", b.sources[0].Arg, err)
		}
		return r, f.Close, nil
	}
	refs := make([]string, len(b.sources))
	for i, s := range b.sources {
		refs[i] = s.Arg
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := p.rt.SaveImages(ctx, refs, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	return pr, func() error {
		// The reader is done with the stream: unblock a save still writing.
		pr.CloseWithError(errTargetEnded)
		err := <-done
		if errors.Is(err, errTargetEnded) {
			return nil
		}
		return err
	}, nil
}

// progressEvery is how often a long import says how far it got.
const progressEvery = 3 * time.Second

// reportProgress logs how much of the stream the nodes have taken, until
// stop is called (which may be called more than once).
func (p *Provider) reportProgress(c *countingReader, nodes int) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.log.Infof("  … %.1f MB streamed to %d node(s)", float64(c.n.Load())/1e6, nodes)
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

// countingReader counts what was read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// gunzipped decompresses a gzipped archive (`docker save | gzip`), which
// ctr import refuses, and passes anything else through. Decompressing here
// also spares every node doing it again.
func gunzipped(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, fanoutChunk)
	magic, err := br.Peek(2)
	if err != nil || magic[0] != 0x1f || magic[1] != 0x8b {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("reading gzip stream: %w", err)
	}
	return zr, nil
}

// ctrImportCmd imports an archive from stdin into the CRI's namespace, and
// unpacks it for the CRI's snapshotter so the first pod starts at once.
// --local writes the content from ctr itself instead of streaming it to
// containerd's transfer service: measured on 2 cores with a 111 MB image,
// 2.3 s against 4.0 s into one node and 7.9 s against 14.7 s into three at
// once (docs/benchmarks.md).
func ctrImportCmd(platform string) []string {
	cmd := []string{nodeCLI, "ctr", "images", "import", "--local", "--snapshotter", "overlayfs"}
	if platform != "" {
		cmd = append(cmd, "--platform", platform)
	}
	return append(cmd, "-")
}

// nodeCLI is the node image's multicall binary; its ctr and crictl talk to
// the node's containerd (the plain ctr of the image does not know the
// socket).
const nodeCLI = "mini-node"

// selectImportNodes returns the running servers and agents the filter
// selects; a selected node that is stopped is an error, as it would miss
// the image.
func selectImportNodes(cl Cluster, filter string) ([]string, error) {
	fs := NodeFilters{{Role: "all"}}
	if filter != "" {
		maxIdx := map[string]int{}
		for _, n := range append(slices.Clone(cl.Servers), cl.Agents...) {
			maxIdx[n.Role] = max(maxIdx[n.Role], n.Index+1)
		}
		var err error
		if fs, err = parseFilters(strings.Split(filter, ";"), maxIdx[RoleServer], maxIdx[RoleAgent]); err != nil {
			return nil, fmt.Errorf("--nodes: %w", err)
		}
	}
	var out []string
	var stopped []string
	for _, n := range append(slices.Clone(cl.Servers), cl.Agents...) {
		if !fs.Matches(n.Role, n.Index) {
			continue
		}
		if !n.Running {
			stopped = append(stopped, n.Name)
			continue
		}
		out = append(out, n.Name)
	}
	if len(stopped) > 0 {
		return nil, fmt.Errorf("node(s) %s of cluster %s are not running: start them first (`mini cluster start %s`)", strings.Join(stopped, ", "), cl.Name, cl.Name)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--nodes %q selects no server or agent of cluster %s", filter, cl.Name)
	}
	return out, nil
}

func collect(nodes []string, results map[string]*ImageImportResult) []ImageImportResult {
	out := make([]ImageImportResult, len(nodes))
	for i, n := range nodes {
		out[i] = *results[n]
		out[i].Seconds = out[i].Duration.Round(time.Millisecond).Seconds()
	}
	return out
}

// lastLines keeps the end of a command's output, where its error is.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// parallelIndex runs fn for 0..n-1 at once and joins the errors.
func parallelIndex(n int, fn func(i int) error) error {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return parallel(idx, fn)
}
