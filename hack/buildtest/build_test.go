package buildtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// build is one hack/build.sh run over a steps file of fake scripts.
type build struct {
	t    *testing.T
	dir  string // scripts and the steps file
	out  string // OUT: stamps, logs
	root string // the repository
	env  []string
}

func newBuild(t *testing.T) *build {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash is needed to test the build scripts: %v", err)
	}
	return &build{t: t, dir: t.TempDir(), out: t.TempDir(), root: root}
}

// step writes a fake step script; body runs after lib.sh is sourced.
func (b *build) step(name, body string) string {
	b.t.Helper()
	path := filepath.Join(b.dir, name+".sh")
	script := "set -euo pipefail\n. " + filepath.Join(b.root, "hack/lib.sh") + "\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// steps writes the steps file: lines of "NAME NEEDS SECONDS SCRIPT".
func (b *build) steps(lines ...string) {
	b.t.Helper()
	if err := os.WriteFile(filepath.Join(b.dir, "steps"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *build) cmd(targets ...string) *exec.Cmd {
	cmd := exec.Command("bash", append([]string{filepath.Join(b.root, "hack/build.sh")}, targets...)...)
	cmd.Env = append(os.Environ(), "OUT="+b.out, "MINI_BUILD_STEPS="+filepath.Join(b.dir, "steps"), "FORCE=")
	cmd.Env = append(cmd.Env, b.env...)
	return cmd
}

// run runs build.sh and returns its terminal output (stdout and stderr).
func (b *build) run(targets ...string) (string, error) {
	var term bytes.Buffer
	cmd := b.cmd(targets...)
	cmd.Stdout, cmd.Stderr = &term, &term
	err := cmd.Run()
	return term.String(), err
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }

func TestOneLinePerStepAndVerboseOutputInLogs(t *testing.T) {
	b := newBuild(t)
	b.steps(
		"a - 5 "+b.step("a", `echo "verbose a"; built; echo "more of a"`),
		"b a 600 "+b.step("b", `echo "verbose b"; built`),
		"c - 1 "+b.step("c", `echo "verbose c"`),
	)
	term, err := b.run("b", "c")
	if err != nil {
		t.Fatalf("build.sh: %v\n%s", err, term)
	}
	if strings.Contains(term, "verbose") {
		t.Errorf("a step's own output reached the terminal:\n%s", term)
	}
	for _, want := range []string{"a               building", "a               built", "b               building  expect ~10m00s cold",
		"b               built", "c               cached", "done"} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal lacks %q:\n%s", want, term)
		}
	}
	if n := len(lines(term)); n != 6 {
		t.Errorf("%d lines for three steps, want 6 (a and b: building+built; c: cached; done):\n%s", n, term)
	}
	log, err := os.ReadFile(filepath.Join(b.out, "logs", "a.log"))
	if err != nil || !strings.Contains(string(log), "verbose a") || !strings.Contains(string(log), "more of a") {
		t.Errorf("a.log = %q, %v; want the step's output", log, err)
	}
	// The second build tells the user how long this step took here.
	term, err = b.run("b")
	if err != nil {
		t.Fatalf("second build.sh: %v\n%s", err, term)
	}
	if !strings.Contains(term, "last build here took") {
		t.Errorf("second build does not quote the last build time:\n%s", term)
	}
}

// A step that learns only at its end whether it changed anything (the CLI:
// go build either relinked or not) reports built without a building line.
func TestBuiltAfterHasNoBuildingLine(t *testing.T) {
	b := newBuild(t)
	b.steps("d - 60 " + b.step("d", "built --after"))
	term, err := b.run("d")
	if err != nil {
		t.Fatalf("build.sh: %v\n%s", err, term)
	}
	if strings.Contains(term, "building") || !strings.Contains(term, "d               built") {
		t.Errorf("want only a built line for d:\n%s", term)
	}
}

func TestDependenciesFinishFirst(t *testing.T) {
	b := newBuild(t)
	flag := filepath.Join(b.dir, "a-done")
	b.steps(
		"a - 1 "+b.step("a", "sleep 0.3; touch "+flag),
		"b a 1 "+b.step("b", "test -f "+flag+" || { echo 'b ran before a finished'; exit 1; }"),
		"c - 1 "+b.step("c", "true"),
	)
	if term, err := b.run("b"); err != nil {
		t.Fatalf("build.sh b: %v\n%s", err, term)
	} else if strings.Contains(term, " c ") {
		t.Errorf("c ran though nothing asked for it:\n%s", term)
	}
}

// Independent steps run side by side, never more than MINI_BUILD_JOBS.
func TestJobLimit(t *testing.T) {
	b := newBuild(t)
	lock := filepath.Join(b.dir, "lock")
	body := "mkdir " + lock + " || { echo 'two steps at once'; exit 1; }; sleep 0.5; rmdir " + lock
	b.steps("a - 1 "+b.step("a", body), "b - 1 "+b.step("b", body))
	b.env = []string{"MINI_BUILD_JOBS=1"}
	if term, err := b.run("a", "b"); err != nil {
		t.Errorf("MINI_BUILD_JOBS=1 ran two steps at once: %v\n%s", err, term)
	}
	b.env = []string{"MINI_BUILD_JOBS=2"}
	if term, err := b.run("a", "b"); err == nil || !strings.Contains(term, "two steps at once") {
		t.Errorf("MINI_BUILD_JOBS=2 did not run the independent steps side by side: %v\n%s", err, term)
	}
	b.env = []string{"MINI_BUILD_JOBS=0"}
	if term, err := b.run("a"); err == nil || !strings.Contains(term, "MINI_BUILD_JOBS=0") {
		t.Errorf("MINI_BUILD_JOBS=0: %v\n%s, want an error naming it", err, term)
	}
}

func TestFailedStepIsNamedWithItsLog(t *testing.T) {
	b := newBuild(t)
	pidFile := filepath.Join(b.dir, "slow.pid")
	b.steps(
		"slow - 1 "+b.step("slow", "echo $$ > "+pidFile+"; sleep 30"),
		"bad - 1 "+b.step("bad", "sleep 0.5; for i in $(seq 40); do echo line$i; done; echo 'compile error: boom'; exit 3"),
	)
	start := time.Now()
	term, err := b.run("slow", "bad")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("build.sh with a failing step: %v, want a non-zero exit\n%s", err, term)
	}
	for _, want := range []string{"bad", "FAILED", "exit 3", "logs/bad.log", "compile error: boom"} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal lacks %q:\n%s", want, term)
		}
	}
	if strings.Contains(term, "| line10\n") {
		t.Errorf("the whole log was printed, want only its tail:\n%s", term)
	}
	// The other running step was stopped, not waited for.
	if time.Since(start) > 20*time.Second {
		t.Errorf("build.sh waited %s for the slow step after a failure", time.Since(start))
	}
	assertStopped(t, pidFile)
}

func TestInterruptStopsEveryStep(t *testing.T) {
	b := newBuild(t)
	pidFile := filepath.Join(b.dir, "slow.pid")
	b.steps("slow - 1 " + b.step("slow", "echo $$ > "+pidFile+"; sleep 30 & wait"))
	cmd := b.cmd("slow")
	var term bytes.Buffer
	cmd.Stdout, cmd.Stderr = &term, &term
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, pidFile)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("interrupted build.sh: %v, want exit 130\n%s", err, term.String())
	}
	assertStopped(t, pidFile)
}

func TestUnknownTarget(t *testing.T) {
	b := newBuild(t)
	b.steps("a - 1 " + b.step("a", "true"))
	term, err := b.run("nosuch")
	if err == nil || !strings.Contains(term, "unknown target 'nosuch'") {
		t.Errorf("build.sh nosuch: %v\n%s, want an error naming the target", err, term)
	}
}

// artifact removes the stamp before building and writes it only after, so a
// failed or interrupted build is redone, and a finished one is not.
func TestArtifactStampsOnlyFinishedWork(t *testing.T) {
	b := newBuild(t)
	out := filepath.Join(b.dir, "thing")
	count := filepath.Join(b.dir, "count")
	script := b.step("art", `
make_thing() { echo run >> `+count+`; echo half > "$1.tmp"; [ "${FAIL:-}" != 1 ] || exit 1; mv "$1.tmp" "$1"; }
artifact thing "${HASH}" `+out+` -- make_thing `+out)
	run := func(env ...string) error {
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), append([]string{"OUT=" + b.out, "FORCE="}, env...)...)
		return cmd.Run()
	}
	if err := run("HASH=1", "FAIL=1"); err == nil {
		t.Fatal("a failing build succeeded")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed build left its output in place")
	}
	for _, env := range [][]string{{"HASH=1"}, {"HASH=1"}, {"HASH=2"}} {
		if err := run(env...); err != nil {
			t.Fatalf("build %v: %v", env, err)
		}
	}
	runs, _ := os.ReadFile(count)
	// failed, rebuilt after the failure, cached, rebuilt for new inputs.
	if got := strings.Count(string(runs), "run"); got != 3 {
		t.Errorf("the build ran %d times, want 3 (failure, retry, new inputs; the unchanged run cached)", got)
	}
	// A stamp without its output is not fresh.
	os.Remove(out)
	if err := run("HASH=2"); err != nil {
		t.Fatal(err)
	}
	if runs, _ := os.ReadFile(count); strings.Count(string(runs), "run") != 4 {
		t.Error("a missing output was not rebuilt")
	}
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(data)) > 0 {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}

// assertStopped fails unless the process whose pid is in pidFile is gone.
func assertStopped(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the step never started: %v", err)
	}
	var pid int
	for _, c := range strings.TrimSpace(string(data)) {
		pid = pid*10 + int(c-'0')
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
	}
	t.Errorf("step process %d still runs after build.sh ended", pid)
}
