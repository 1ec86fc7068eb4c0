package cluster

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/minictl/mini/pkg/runtime"
)

// fakeContainerd stands in for the nodes' containerd: ctr import records
// the stream it read and, for an archive of the fake engine (its image
// refs, one a line), adds those images with the engine's IDs; crictl lists
// them as the CRI would.
type fakeContainerd struct {
	h  *harness
	mu sync.Mutex
	// images holds each node's images: normalised name → ID.
	images map[string]map[string]string
	// streams holds what each node's imports read.
	streams map[string][]string
	// fail makes ctr import in that node exit 1 after reading a little.
	fail map[string]bool
}

func newFakeContainerd(h *harness) *fakeContainerd {
	fc := &fakeContainerd{h: h, images: map[string]map[string]string{}, streams: map[string][]string{}, fail: map[string]bool{}}
	next := h.rt.Hooks.Exec
	h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
		switch {
		case slices.Equal(spec.Cmd, criImagesCmd):
			return fc.list(name, spec.Stdout)
		case len(spec.Cmd) > 3 && spec.Cmd[1] == "ctr" && spec.Cmd[3] == "import":
			return fc.importStream(name, spec)
		}
		return next(name, spec)
	}
	return fc
}

func (fc *fakeContainerd) list(node string, w io.Writer) (int, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	type img struct {
		ID       string   `json:"id"`
		RepoTags []string `json:"repoTags"`
	}
	var out struct {
		Images []img `json:"images"`
	}
	for name, id := range fc.images[node] {
		out.Images = append(out.Images, img{ID: id, RepoTags: []string{name}})
	}
	return 0, json.NewEncoder(w).Encode(out)
}

func (fc *fakeContainerd) importStream(node string, spec runtime.ExecSpec) (int, error) {
	fc.mu.Lock()
	fail := fc.fail[node]
	fc.mu.Unlock()
	if fail {
		_, _ = io.CopyN(io.Discard, spec.Stdin, 10)
		_, _ = io.WriteString(spec.Stderr, "ctr: unexpected EOF\n")
		return 1, nil
	}
	data, err := io.ReadAll(spec.Stdin)
	if err != nil {
		return -1, err
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.streams[node] = append(fc.streams[node], string(data))
	if fc.images[node] == nil {
		fc.images[node] = map[string]string{}
	}
	for _, ref := range strings.Split(string(data), "\n") {
		if img, err := fc.h.rt.InspectImage(context.Background(), ref); err == nil {
			fc.images[node]["docker.io/library/"+ref] = img.ID
		}
	}
	return 0, nil
}

func (fc *fakeContainerd) streamsOf(node string) []string {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return slices.Clone(fc.streams[node])
}

func TestImportImagesToEveryNodeThenSkips(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 2)
	fc := newFakeContainerd(h)
	h.rt.SetImageID("app:1", "sha256:aaa")
	h.rt.SetImageID("tool:2", "sha256:bbb")
	ctx := context.Background()

	res, err := h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1", "tool:2"}})
	if err != nil {
		t.Fatal(err)
	}
	nodes := []string{"mini-imp-server-0", "mini-imp-agent-0", "mini-imp-agent-1"}
	if len(res) != 3 {
		t.Fatalf("results for %d nodes, want 3: %+v", len(res), res)
	}
	for i, r := range res {
		if r.Node != nodes[i] || !slices.Equal(r.Imported, []string{"app:1", "tool:2"}) || len(r.Skipped) != 0 || r.Bytes != int64(len("app:1\ntool:2")) {
			t.Errorf("result %d = %+v", i, r)
		}
		// One docker save of both images, streamed to every node.
		if got := fc.streamsOf(nodes[i]); !slices.Equal(got, []string{"app:1\ntool:2"}) {
			t.Errorf("node %s read %q, want one stream of both images", nodes[i], got)
		}
	}

	// Again: every node has both images with the same IDs.
	res, err = h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1", "tool:2"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if len(r.Imported) != 0 || !slices.Equal(r.Skipped, []string{"app:1", "tool:2"}) {
			t.Errorf("second import on %s: %+v, want both skipped", r.Node, r)
		}
	}

	// A rebuilt image (new ID) goes to every node again; the unchanged one
	// is still skipped.
	h.rt.SetImageID("app:1", "sha256:ccc")
	res, err = h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1", "tool:2"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !slices.Equal(r.Imported, []string{"app:1"}) || !slices.Equal(r.Skipped, []string{"tool:2"}) {
			t.Errorf("after rebuilding app:1, %s: %+v", r.Node, r)
		}
	}
}

func TestImportImagesOneNodeFailing(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 2)
	fc := newFakeContainerd(h)
	h.rt.SetImageID("app:1", "sha256:aaa")
	fc.fail["mini-imp-agent-0"] = true

	res, err := h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp", Sources: []string{"app:1"}})
	if err == nil || !strings.Contains(err.Error(), "mini-imp-agent-0") || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("err = %v, want the failing node and its output", err)
	}
	for _, r := range res {
		ok := slices.Equal(r.Imported, []string{"app:1"})
		if ok == (r.Node == "mini-imp-agent-0") {
			t.Errorf("%s: %+v", r.Node, r)
		}
	}
	for _, n := range []string{"mini-imp-server-0", "mini-imp-agent-1"} {
		if got := fc.streamsOf(n); !slices.Equal(got, []string{"app:1"}) {
			t.Errorf("node %s read %q: a failing node must not cut the others' stream", n, got)
		}
	}
}

func TestImportImagesSelectsNodes(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 2)
	fc := newFakeContainerd(h)
	h.rt.SetImageID("app:1", "sha256:aaa")
	ctx := context.Background()

	res, err := h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1"}, Nodes: "agent:1;server:0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.Node)
	}
	if !slices.Equal(got, []string{"mini-imp-server-0", "mini-imp-agent-1"}) || len(fc.streamsOf("mini-imp-agent-0")) != 0 {
		t.Errorf("imported into %v", got)
	}

	if err := h.rt.StopContainer(ctx, "mini-imp-agent-0", 0); err != nil {
		t.Fatal(err)
	}
	_, err = h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1"}})
	if err == nil || !strings.Contains(err.Error(), "mini-imp-agent-0") || !strings.Contains(err.Error(), "not running") {
		t.Errorf("import with a stopped node: err = %v", err)
	}
	// Stopped nodes the filter leaves out do not matter.
	if _, err := h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1"}, Nodes: "server:0"}); err != nil {
		t.Errorf("import into server 0 only: %v", err)
	}
	_, err = h.p.ImportImages(ctx, ImageImportOptions{Cluster: "imp", Sources: []string{"app:1"}, Nodes: "agent:7"})
	if err == nil || !strings.Contains(err.Error(), "--nodes") {
		t.Errorf("bad filter: err = %v", err)
	}
}

func TestImportImagesReportsEveryBadArgument(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 0)
	newFakeContainerd(h)
	h.rt.SetImageID("app:1", "sha256:aaa")
	_, err := h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp",
		Sources: []string{"missing:1", "app:1", "other:2", "sha256:aaa"}})
	for _, want := range []string{`"missing:1"`, `"other:2"`, `"sha256:aaa"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
	_, err = h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp", Sources: []string{"app:1"}, Platform: "amd64"})
	if err == nil || !strings.Contains(err.Error(), "--platform") {
		t.Errorf("bad platform: err = %v", err)
	}
	_, err = h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "nope", Sources: []string{"app:1"}})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown cluster: err = %v", err)
	}
}

// writeArchive writes a docker-archive with a manifest.json naming tag with
// the config digest hex, and a big layer before it (as docker save puts
// layers first), returning its path.
func writeArchive(t *testing.T, tag, hex string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	add := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	add("layer/layer.tar", bytes.Repeat([]byte{1}, 1<<20))
	add(hex+".json", []byte("{}"))
	add("manifest.json", []byte(`[{"Config":"`+hex+`.json","RepoTags":["`+tag+`"],"Layers":["layer/layer.tar"]}]`))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportArchiveSkipsNodesHoldingIt(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	path := writeArchive(t, "app:1", hex)
	if got := scanArchive(path); !slices.Equal(got, []knownImage{{Name: "docker.io/library/app:1", ID: "sha256:" + hex}}) {
		t.Fatalf("scanArchive = %+v", got)
	}
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 1)
	fc := newFakeContainerd(h)
	fc.images["mini-imp-agent-0"] = map[string]string{"docker.io/library/app:1": "sha256:" + hex}
	res, err := h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp", Sources: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res[0].Imported, []string{path}) || !slices.Equal(res[1].Skipped, []string{path}) {
		t.Errorf("results = %+v, want server imported and agent skipped", res)
	}
	if got := fc.streamsOf("mini-imp-server-0"); len(got) != 1 || len(got[0]) < 1<<20 {
		t.Errorf("server read %d streams, want the whole archive once", len(got))
	}
	// An archive without a readable manifest goes everywhere.
	junk := filepath.Join(t.TempDir(), "junk.tar")
	if err := os.WriteFile(junk, []byte("not a tar"), 0o644); err != nil {
		t.Fatal(err)
	}
	if scanArchive(junk) != nil {
		t.Error("scanArchive of a non-archive found images")
	}
}

func TestImportFromStdin(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 1)
	fc := newFakeContainerd(h)
	res, err := h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp", Sources: []string{"-"}, Stdin: strings.NewReader("streamed")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if got := fc.streamsOf(r.Node); !slices.Equal(got, []string{"streamed"}) {
			t.Errorf("%s read %q", r.Node, got)
		}
	}
	if _, err := h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp", Sources: []string{"-", "-"}, Stdin: strings.NewReader("")}); err == nil {
		t.Error("stdin twice accepted")
	}
}

func TestImportGzippedArchive(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte("archive bytes"))
	_ = zw.Close()
	path := filepath.Join(t.TempDir(), "app.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.createCluster(t, "imp", 1, 0)
	fc := newFakeContainerd(h)
	if _, err := h.p.ImportImages(context.Background(), ImageImportOptions{Cluster: "imp", Sources: []string{path}}); err != nil {
		t.Fatal(err)
	}
	if got := fc.streamsOf("mini-imp-server-0"); !slices.Equal(got, []string{"archive bytes"}) {
		t.Errorf("node read %q, want the decompressed archive", got)
	}
}
