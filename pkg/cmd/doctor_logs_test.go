package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/doctor"
)

// The fake engine's containers print nothing, so doctor's in-container
// checks fail there: enough to see the command's output and exit code.
func TestDoctorPrintsEveryCheckAndFails(t *testing.T) {
	e := newEnv(t)
	err := e.run(t, "doctor", "-o", "json")
	if err == nil || !strings.Contains(err.Error(), "checks failed: cgroups, disk") || ExitCode(err) != 1 {
		t.Errorf("err = %v (exit %d), want the failed checks named and exit 1", err, ExitCode(err))
	}
	var rs []doctor.Result
	if err := json.Unmarshal(e.out.Bytes(), &rs); err != nil || len(rs) != 10 || rs[0].Name != doctor.CheckEngine || !rs[0].OK {
		t.Errorf("json %v: %s", err, e.out.String())
	}
	if c := e.rt.ContainerNames(); len(c) != 0 {
		t.Errorf("doctor left containers %v", c)
	}

	_ = e.run(t, "doctor")
	if out := e.out.String(); !strings.HasPrefix(out, "✓ engine: ") || !strings.Contains(out, "\n✗ cgroups: ") || !strings.Contains(out, "\n✓ node-image: ") {
		t.Errorf("text output:\n%s", out)
	}
	if err := e.run(t, "doctor", "-o", "wide"); ExitCode(err) != 2 {
		t.Errorf("-o wide: %v, want a usage error", err)
	}
}

func TestClusterLogsPrintsThePath(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "cluster", "create", "dev", "--kubeconfig", filepath.Join(t.TempDir(), "kc"), "--api-port", "127.0.0.1:0"); err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	out := filepath.Join(t.TempDir(), "logs")
	if err := e.run(t, "cluster", "logs", "dev", "-o", out); err != nil {
		t.Fatalf("logs: %v\n%s", err, e.err.String())
	}
	if got := strings.TrimSpace(e.out.String()); got != out {
		t.Errorf("stdout %q, want the path %s", got, out)
	}
	if _, err := os.Stat(filepath.Join(out, "mini-dev-server-0", "docker.log")); err != nil {
		t.Error(err)
	}
	if err := e.run(t, "cluster", "logs"); ExitCode(err) != 2 {
		t.Errorf("no name: %v, want a usage error", err)
	}
}
