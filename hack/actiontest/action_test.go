package actiontest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	actionFile = "../../action.yml"
	docsFile   = "../../docs/github-actions.md"
)

// action is the part of GitHub's action metadata syntax a composite
// action uses; decoding is strict, so a misspelt key fails.
type action struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description        string `yaml:"description"`
		Required           bool   `yaml:"required"`
		Default            string `yaml:"default"`
		DeprecationMessage string `yaml:"deprecationMessage"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type step struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

func load(t *testing.T) action {
	t.Helper()
	data, err := os.ReadFile(actionFile)
	if err != nil {
		t.Fatal(err)
	}
	var a action
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("%s: %v", actionFile, err)
	}
	return a
}

var (
	inputRef  = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	outputRef = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	expr      = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	written   = regexp.MustCompile(`echo "([a-z-]+)=`)
)

// strings of a step that GitHub evaluates expressions in.
func (s step) texts() []string {
	out := []string{s.If, s.Run, s.Uses, s.WorkingDirectory}
	for _, m := range []map[string]string{s.With, s.Env} {
		for _, v := range m {
			out = append(out, v)
		}
	}
	return out
}

func TestActionIsWellFormed(t *testing.T) {
	a := load(t)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("name %q, description %q, runs.using %q, %d steps: a composite action needs all", a.Name, a.Description, a.Runs.Using, len(a.Runs.Steps))
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	// Step outputs each run step writes, by step id; uses steps' outputs
	// are their action's.
	outputs := map[string][]string{}
	seen := map[string]bool{}
	var texts []string
	for i, s := range a.Runs.Steps {
		what := s.Name
		if what == "" {
			t.Errorf("step %d has no name", i)
		}
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("step %q: exactly one of run and uses", what)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q: a composite action's run step needs a shell", what)
		}
		if s.Run != "" && strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression inside run is a script injection; pass it through env", what)
		}
		if s.Uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w./-]+@v\d+$`).MatchString(s.Uses) {
			t.Errorf("step %q: uses %q, want OWNER/REPO@vN", what, s.Uses)
		}
		if s.ID != "" {
			if seen[s.ID] {
				t.Errorf("step id %s twice", s.ID)
			}
			seen[s.ID] = true
			for _, m := range written.FindAllStringSubmatch(s.Run, -1) {
				outputs[s.ID] = append(outputs[s.ID], m[1])
			}
			if strings.HasPrefix(s.Uses, "actions/cache/restore@") {
				outputs[s.ID] = append(outputs[s.ID], "cache-hit")
			}
		}
		// A step sees only the outputs of steps before it.
		for _, txt := range s.texts() {
			for _, m := range outputRef.FindAllStringSubmatch(txt, -1) {
				if !slices.Contains(outputs[m[1]], m[2]) {
					t.Errorf("step %q reads steps.%s.outputs.%s, which no earlier step writes", what, m[1], m[2])
				}
			}
		}
		texts = append(texts, s.texts()...)
	}
	for name, o := range a.Outputs {
		if o.Description == "" || o.Value == "" {
			t.Errorf("output %s needs a description and a value", name)
		}
		texts = append(texts, o.Value)
		for _, m := range outputRef.FindAllStringSubmatch(o.Value, -1) {
			if !slices.Contains(outputs[m[1]], m[2]) {
				t.Errorf("output %s reads steps.%s.outputs.%s, which no step writes", name, m[1], m[2])
			}
		}
	}
	used := map[string]bool{}
	for _, txt := range texts {
		for _, m := range inputRef.FindAllStringSubmatch(txt, -1) {
			used[m[1]] = true
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("inputs.%s is used but not declared", m[1])
			}
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}
}

func TestScriptsParse(t *testing.T) {
	bash := needBash(t)
	for _, s := range load(t).Runs.Steps {
		if s.Run == "" {
			continue
		}
		cmd := exec.Command(bash, "-n")
		cmd.Stdin = strings.NewReader(s.Run)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %q: bash -n: %v\n%s", s.Name, err, out)
		}
		// shellcheck when the machine has it (make lint does not need it).
		if sc, err := exec.LookPath("shellcheck"); err == nil {
			cmd := exec.Command(sc, "--shell=bash", "-S", "style", "-")
			cmd.Stdin = strings.NewReader("set -eo pipefail\n" + s.Run)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("step %q: shellcheck: %v\n%s", s.Name, err, out)
			}
		}
	}
}

func needBash(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	return bash
}

// The workflows in docs/github-actions.md pass only inputs the action has
// and read only outputs it has.
func TestDocsUseTheAction(t *testing.T) {
	a := load(t)
	data, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	uses := 0
	for _, b := range blocks {
		// A block is a whole workflow, or steps to add to one.
		var wf struct {
			Jobs map[string]struct {
				Steps []step `yaml:"steps"`
			} `yaml:"jobs"`
		}
		var steps []step
		err := yaml.Unmarshal([]byte(b[1]), &wf)
		if err != nil {
			if err2 := yaml.Unmarshal([]byte(b[1]), &steps); err2 == nil {
				err = nil
				wf.Jobs = map[string]struct {
					Steps []step `yaml:"steps"`
				}{"snippet": {Steps: steps}}
			}
		}
		if err != nil {
			t.Errorf("%s: a yaml block does not parse: %v\n%s", docsFile, err, b[1])
			continue
		}
		for _, job := range wf.Jobs {
			ours := map[string]bool{}
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "minictl/mini@") || s.Uses == "./" {
					uses++
					ours[s.ID] = true
					for k := range s.With {
						if _, ok := a.Inputs[k]; !ok {
							t.Errorf("%s: with.%s is no input of the action", docsFile, k)
						}
					}
				}
				for _, txt := range s.texts() {
					for _, m := range outputRef.FindAllStringSubmatch(txt, -1) {
						if _, ok := a.Outputs[m[2]]; ours[m[1]] && !ok {
							t.Errorf("%s: steps.%s.outputs.%s is no output of the action", docsFile, m[1], m[2])
						}
					}
				}
			}
		}
	}
	if uses == 0 {
		t.Errorf("%s has no workflow using the action", docsFile)
	}
}

// run runs the step with id as GitHub would (bash -eo pipefail), with
// expressions resolved from ctx, and returns what it wrote to
// GITHUB_OUTPUT and GITHUB_ENV.
func (h *harness) run(id string, inputs map[string]string) (outputs, env map[string]string, log string, err error) {
	h.t.Helper()
	var s *step
	for i := range h.a.Runs.Steps {
		if h.a.Runs.Steps[i].ID == id {
			s = &h.a.Runs.Steps[i]
		}
	}
	if s == nil {
		h.t.Fatalf("no step %s", id)
	}
	ctx := map[string]string{"github.action_path": h.actionPath, "runner.temp": h.temp}
	for k, in := range h.a.Inputs {
		ctx["inputs."+k] = in.Default
	}
	for k, v := range inputs {
		ctx["inputs."+k] = v
	}
	for k, v := range h.outputs {
		ctx[k] = v
	}
	environ := []string{"PATH=" + h.stubs + ":/usr/bin:/bin", "HOME=" + h.temp, "RUNNER_TEMP=" + h.temp,
		"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "GITHUB_WORKSPACE=" + h.workspace, "STUB_LOG=" + h.log,
		"STUB_IMAGES=" + h.images}
	for k, v := range s.Env {
		environ = append(environ, k+"="+expr.ReplaceAllStringFunc(v, func(e string) string {
			key := expr.FindStringSubmatch(e)[1]
			val, ok := ctx[key]
			if !ok {
				h.t.Fatalf("step %s: cannot evaluate %s", id, e)
			}
			return val
		}))
	}
	files := map[string]string{}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH"} {
		files[f] = filepath.Join(h.temp, f)
		os.WriteFile(files[f], nil, 0o644)
		environ = append(environ, f+"="+files[f])
	}
	os.WriteFile(h.log, nil, 0o644)
	cmd := exec.Command(h.bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Env = environ
	cmd.Dir = h.workspace
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Logf("step %s: %v\n%s", id, err, out)
	}
	read := func(name string) map[string]string {
		m := map[string]string{}
		data, _ := os.ReadFile(files[name])
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				m[k] = v
			}
		}
		return m
	}
	outputs = read("GITHUB_OUTPUT")
	for k, v := range outputs {
		h.outputs["steps."+id+".outputs."+k] = v
	}
	logData, _ := os.ReadFile(h.log)
	return outputs, read("GITHUB_ENV"), strings.TrimSpace(string(logData)), err
}

type harness struct {
	t                                  *testing.T
	a                                  action
	bash                               string
	actionPath, temp, workspace, stubs string
	log, images                        string
	outputs                            map[string]string
}

// stubMini answers the mini commands the action runs, logging each.
const stubMini = `#!/bin/bash
echo "mini $*" >> "$STUB_LOG"
case "$1 $2" in
"version -o") printf 'version: v0.0.0\nkubernetesVersion: v1.37.2\nnodeImage: mini/node:test\nloadBalancerImage: mini/lb:test\nregistryImage: mini/registry:test\n' ;;
"config view") printf 'apiVersion: mini.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: fromfile\nservers: 1\n' ;;
"kubeconfig get") printf 'apiVersion: v1\nkind: Config\ncurrent-context: mini-%s\n' "$3" ;;
"cluster create") ;;
*) echo "stub mini: unexpected $*" >&2; exit 3 ;;
esac
`

// stubDocker has the images named in $STUB_IMAGES.
const stubDocker = `#!/bin/bash
echo "docker $*" >> "$STUB_LOG"
[ "$1 $2" = "image inspect" ] || { echo "stub docker: unexpected $*" >&2; exit 3; }
for i in $STUB_IMAGES; do [ "$i" = "$3" ] && exit 0; done
exit 1
`

func newHarness(t *testing.T) *harness {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, a: load(t), bash: needBash(t), actionPath: root, temp: t.TempDir(), workspace: t.TempDir(),
		stubs: t.TempDir(), outputs: map[string]string{}}
	h.log = filepath.Join(h.temp, "calls.log")
	for name, body := range map[string]string{"mini": stubMini, "docker": stubDocker} {
		if err := os.WriteFile(filepath.Join(h.stubs, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h.outputs["steps.install.outputs.bin"] = filepath.Join(h.stubs, "mini")
	return h
}

func TestSourceAndImages(t *testing.T) {
	h := newHarness(t)
	out, _, _, err := h.run("source", nil)
	if err != nil || out["dir"] != h.actionPath {
		t.Fatalf("source: %v %v, want the action's own directory", out, err)
	}
	// The registry image comes from `mini version`, as the others do.
	reg := "mini/registry:test"

	h.images = "mini/node:test mini/lb:test " + reg
	out, _, _, err = h.run("images", nil)
	if err != nil || out["build"] != "false" || out["images"] != "mini/node:test mini/lb:test "+reg ||
		!regexp.MustCompile(`^mini-images-Linux-X64-[0-9a-f]{32}$`).MatchString(out["key"]) {
		t.Errorf("every image present: %v %v", out, err)
	}
	key := out["key"]
	out, _, _, _ = h.run("images", map[string]string{"node-image": "my/node:1"})
	if out["build"] != "true" || !strings.HasPrefix(out["images"], "my/node:1 ") || out["key"] != key {
		t.Errorf("a node image the engine lacks: %v", out)
	}
	h.images = "mini/node:test"
	if out, _, _, _ = h.run("images", map[string]string{"build-images": "never"}); out["build"] != "false" {
		t.Errorf("build-images never: %v", out)
	}
	if out, _, _, _ = h.run("images", map[string]string{"build-images": "always"}); out["build"] != "true" {
		t.Errorf("build-images always: %v", out)
	}
	if _, _, _, err = h.run("images", map[string]string{"build-images": "sometimes"}); err == nil {
		t.Error("build-images sometimes was accepted")
	}
}

func TestCreateAndKubeconfig(t *testing.T) {
	tests := []struct {
		name   string
		inputs map[string]string
		call   string
		cluster,
		kubeconfig string
	}{
		{"defaults", nil, "mini cluster create", "dev", ".mini/kubeconfig"},
		{"everything", map[string]string{"name": "ci", "config": "c.yaml", "servers": "3", "agents": "2",
			"node-image": "my/node:1", "args": " -p 8080:80@loadbalancer   --timeout 5m ", "kubeconfig": "ABS/kc"},
			"mini cluster create ci --config c.yaml --servers 3 --agents 2 --image my/node:1 -p 8080:80@loadbalancer --timeout 5m",
			"ci", "ABS/kc"},
		{"name from the config file", map[string]string{"config": "c.yaml"},
			"mini cluster create --config c.yaml\nmini config view c.yaml", "fromfile", ".mini/kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			abs := t.TempDir()
			if kc := tt.inputs["kubeconfig"]; kc != "" {
				tt.inputs["kubeconfig"] = strings.Replace(kc, "ABS", abs, 1)
			}
			out, _, log, err := h.run("create", tt.inputs)
			if err != nil || log != tt.call || out["name"] != tt.cluster {
				t.Fatalf("create: %v; calls\n%s\nwant\n%s; name %q, want %q", err, log, tt.call, out["name"], tt.cluster)
			}
			out, env, log, err := h.run("kubeconfig", tt.inputs)
			want := filepath.Join(h.workspace, tt.kubeconfig)
			if strings.HasPrefix(tt.kubeconfig, "ABS") {
				want = strings.Replace(tt.kubeconfig, "ABS", abs, 1)
			}
			if err != nil || log != "mini kubeconfig get "+tt.cluster || out["path"] != want || env["KUBECONFIG"] != want {
				t.Fatalf("kubeconfig: %v; calls %q; outputs %v, env %v; want %s", err, log, out, env, want)
			}
			fi, err := os.Stat(want)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("kubeconfig file mode %v, want 0600: it holds the cluster's admin credentials", fi.Mode())
			}
			if data, _ := os.ReadFile(want); !strings.Contains(string(data), "current-context: mini-"+tt.cluster) {
				t.Errorf("kubeconfig file holds %q", data)
			}
		})
	}
}
