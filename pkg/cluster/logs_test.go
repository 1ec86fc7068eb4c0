package cluster

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/fake"
)

// podLogEngine is the fake engine with kubelet's pod log directory in
// server 0, as the tar stream Docker sends for a directory.
type podLogEngine struct{ *fake.Runtime }

func (e podLogEngine) CopyFrom(ctx context.Context, name, p string) (io.ReadCloser, error) {
	if p != podLogDir {
		return e.Runtime.CopyFrom(ctx, name, p)
	}
	if !strings.HasSuffix(name, "-server-0") {
		return nil, runtime.ErrNotFound
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name, body string
		typ        byte
	}{
		{"pods/", "", tar.TypeDir},
		{"pods/kube-system_coredns-abc_uid/coredns/0.log", "coredns started\n", tar.TypeReg},
		{"pods/kube-system_coredns-abc_uid/coredns/1.log", "coredns again\n", tar.TypeReg},
		{"pods/link.log", "", tar.TypeSymlink},
		{"pods/../../escape.log", "out of bounds\n", tar.TypeReg},
	} {
		_ = tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: f.typ, Size: int64(len(f.body)), Mode: 0o644, Linkname: "x"})
		_, _ = io.WriteString(tw, f.body)
	}
	_ = tw.Close()
	return io.NopCloser(&buf), nil
}

// logsHarness is a cluster dev (1 server, 1 stopped agent) whose server
// answers kubectl: one kube-system pod logs, the other fails.
func logsHarness(t *testing.T) (*harness, *Provider) {
	t.Helper()
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1)
	if err := h.rt.SetFile("mini-dev-server-0", containerdLog, []byte("containerd up\n")); err != nil {
		t.Fatal(err)
	}
	if err := h.rt.StopContainer(context.Background(), "mini-dev-agent-0", 0); err != nil {
		t.Fatal(err)
	}
	node := h.exec
	h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
		cmd := spec.Cmd
		if len(cmd) < 2 || cmd[0] != nodeCLI || cmd[1] != "kubectl" {
			return node(name, spec)
		}
		if !slices.Contains(cmd, kubectlRequestTimeout) {
			t.Errorf("kubectl without a request timeout: %v", cmd)
		}
		args := strings.Join(cmd[2:len(cmd)-1], " ")
		switch {
		case strings.HasPrefix(args, "get pods -n kube-system -o jsonpath"):
			_, _ = io.WriteString(spec.Stdout, "metrics-server-x\ncoredns-abc\n")
		case strings.HasPrefix(args, "logs -n kube-system metrics-server-x"):
			_, _ = io.WriteString(spec.Stderr, "container is waiting to start")
			return 1, nil
		default:
			_, _ = io.WriteString(spec.Stdout, "kubectl "+args+"\n")
		}
		return 0, nil
	}
	log := logrus.New()
	log.SetOutput(h.logs)
	return h, NewProvider(podLogEngine{h.rt}, log)
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkLogFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for name, want := range map[string]string{
		"mini-dev-server-0/docker.log":                                     "logs of mini-dev-server-0",
		"mini-dev-agent-0/docker.log":                                      "logs of mini-dev-agent-0", // stopped
		"mini-dev-lb/docker.log":                                           "logs of mini-dev-lb",
		"mini-dev-lb/stream.conf":                                          "upstream",
		"mini-dev-server-0/containerd.log":                                 "containerd up",
		"mini-dev-server-0/pods/kube-system_coredns-abc_uid/coredns/0.log": "coredns started",
		"mini-dev-server-0/pods/kube-system_coredns-abc_uid/coredns/1.log": "coredns again",
		"kubernetes/nodes.txt":                                             "kubectl get nodes -o wide",
		"kubernetes/describe-nodes.txt":                                    "kubectl describe nodes",
		"kubernetes/pods.txt":                                              "kubectl get pods -A -o wide",
		"kubernetes/events.txt":                                            "kubectl get events -A -o wide",
		"kubernetes/pods/kube-system/coredns-abc.log":                      "kubectl logs -n kube-system coredns-abc --all-containers --prefix --timestamps",
		"cluster.json":                                                     `"name": "dev"`,
	} {
		if got, ok := files[name]; !ok || !strings.Contains(got, want) {
			t.Errorf("%s = %q (present %v), want it to contain %q", name, got, ok, want)
		}
	}
	var cls []Cluster
	if err := json.Unmarshal([]byte(files["cluster.json"]), &cls); err != nil || len(cls) != 1 || len(cls[0].Agents) != 1 {
		t.Errorf("cluster.json: %v %+v", err, cls)
	}
	for _, absent := range []string{"mini-dev-lb/nginx.conf", "mini-dev-agent-0/containerd.log", "kubernetes/pods/kube-system/metrics-server-x.log", "escape.log"} {
		if _, ok := files[absent]; ok {
			t.Errorf("%s written, want it left out (nothing could be collected)", absent)
		}
	}
	errs := files["errors.txt"]
	for _, want := range []string{"mini-dev-lb/nginx.conf: ", "mini-dev-agent-0/containerd.log: ",
		"kubernetes/pods/kube-system/metrics-server-x.log: ", "container is waiting to start", "outside the output"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors.txt = %q, want it to mention %q", errs, want)
		}
	}
}

func TestCollectLogsIntoADirectory(t *testing.T) {
	h, p := logsHarness(t)
	out := filepath.Join(t.TempDir(), "logs")
	res, err := p.CollectLogs(context.Background(), "dev", LogsOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != out || len(res.Problems) != 4 {
		t.Errorf("result %+v, want 4 problems", res)
	}
	checkLogFiles(t, readTree(t, out))
	if !strings.Contains(h.logs.String(), "could not collect mini-dev-lb/nginx.conf") {
		t.Errorf("no warning logged:\n%s", h.logs)
	}
}

func TestCollectLogsIntoATarball(t *testing.T) {
	_, p := logsHarness(t)
	out := filepath.Join(t.TempDir(), "ci-logs.tar.gz")
	if _, err := p.CollectLogs(context.Background(), "dev", LogsOptions{Output: out}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name, ok := strings.CutPrefix(h.Name, "ci-logs/")
		if !ok {
			t.Errorf("entry %s outside the top directory ci-logs/", h.Name)
		}
		b, _ := io.ReadAll(tr)
		files[name] = string(b)
	}
	checkLogFiles(t, files)
}

func TestCollectLogsWithoutARunningServer(t *testing.T) {
	h, p := logsHarness(t)
	if err := h.rt.StopContainer(context.Background(), "mini-dev-server-0", 0); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "logs")
	res, err := p.CollectLogs(context.Background(), "dev", LogsOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	files := readTree(t, out)
	if !strings.Contains(files["mini-dev-server-0/docker.log"], "logs of") || !strings.Contains(files["errors.txt"], "no server of cluster dev is running") {
		t.Errorf("files %v, problems %v", files, res.Problems)
	}
}

func TestCollectLogsRefusesBadTargets(t *testing.T) {
	_, p := logsHarness(t)
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "old"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CollectLogs(context.Background(), "dev", LogsOptions{Output: full}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty directory: %v", err)
	}
	tarball := filepath.Join(full, "old.tgz")
	if err := os.WriteFile(tarball, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CollectLogs(context.Background(), "dev", LogsOptions{Output: tarball}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("existing tarball: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "none")
	if _, err := p.CollectLogs(context.Background(), "nosuch", LogsOptions{Output: missing}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing cluster: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("output made for a missing cluster: %v", err)
	}
	empty := t.TempDir()
	if _, err := p.CollectLogs(context.Background(), "dev", LogsOptions{Output: empty}); err != nil {
		t.Errorf("empty directory: %v", err)
	}
}

func TestCollectLogsInterruptedKeepsWhatItHas(t *testing.T) {
	h, p := logsHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kubectl := h.rt.Hooks.Exec
	h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
		cancel()
		return kubectl(name, spec)
	}
	out := filepath.Join(t.TempDir(), "logs")
	res, err := p.CollectLogs(ctx, "dev", LogsOptions{Output: out})
	if !errors.Is(err, context.Canceled) || res.Path != out {
		t.Fatalf("err %v, result %+v; want context.Canceled and the path", err, res)
	}
	files := readTree(t, out)
	if _, ok := files["mini-dev-server-0/docker.log"]; !ok || !strings.Contains(files["errors.txt"], "interrupted") {
		t.Errorf("files after an interrupt: %v", files)
	}
	if strings.Count(files["errors.txt"], "\n") != 4 {
		t.Errorf("errors.txt = %q: want the 3 earlier problems and the interrupt, not one line per skipped item", files["errors.txt"])
	}
}

func TestDefaultLogsOutput(t *testing.T) {
	now, err := time.Parse(time.RFC3339, "2026-01-02T03:04:05+01:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := DefaultLogsOutput("dev", now); got != "mini-logs-dev-20260102T020405Z" {
		t.Errorf("DefaultLogsOutput = %s", got)
	}
}
