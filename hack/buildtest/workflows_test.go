package buildtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	Jobs map[string]struct {
		TimeoutMinutes int `yaml:"timeout-minutes"`
		Steps          []struct {
			Run string `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// CI runs what the README tells a contributor to run, and what .ci/run
// runs, within CI's 90 minutes: one test command, not a second list of
// checks that drifts from it.
func TestCIRunsTheREADMETestCommand(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\nmake test    # every check and test") {
		t.Fatal("README.md no longer names `make test` as the command that runs every test: update this test and ci.yml together")
	}
	if ci, err := os.ReadFile(filepath.Join(root, ".ci", "run")); err != nil || !strings.Contains(string(ci), "exec make test") {
		t.Errorf(".ci/run does not run make test (%v)", err)
	}
	b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	runs := 0
	for name, job := range w.Jobs {
		if job.TimeoutMinutes == 0 || job.TimeoutMinutes > 90 {
			t.Errorf("job %s: timeout-minutes %d, want at most CI's 90", name, job.TimeoutMinutes)
		}
		for _, s := range job.Steps {
			if strings.TrimSpace(s.Run) == "make test" {
				runs++
			}
		}
	}
	if runs != 1 {
		t.Errorf("ci.yml runs `make test` in %d steps, want exactly one", runs)
	}
}

// actionlint, which `make lint` runs on the workflows, catches a broken
// one: the check is real, not a command that always passes.
func TestActionlintRefusesABrokenWorkflow(t *testing.T) {
	broken := "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
	cmd := exec.Command("go", "tool", "actionlint", "-")
	cmd.Stdin = strings.NewReader(broken)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "matrix") {
		t.Errorf("actionlint took a workflow reading an undefined matrix: %v\n%s", err, out)
	}
	cmd = exec.Command("go", "tool", "actionlint")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint on the repository's workflows: %v\n%s", err, out)
	}
}
