package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/minictl/mini/pkg/runtime"
)

// walkCommands calls fn for every command below root, root included.
func walkCommands(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, fn)
	}
}

func newTestApp() *App {
	return &App{
		Streams: Streams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}},
		Getenv:  func(string) string { return "" },
		NewRuntime: func() (runtime.Runtime, error) {
			panic("the command tree was only to be inspected")
		},
	}
}

// Every command that prints a table offers -o table|json|yaml and
// --no-headers, and every list command prints a table: scripts rely on
// both (docs/cli.md, "Output and exit codes").
func TestOutputFlagsOnEveryTable(t *testing.T) {
	walkCommands(NewRootCommand(newTestApp()), func(c *cobra.Command) {
		o, nh := c.Flags().Lookup("output"), c.Flags().Lookup("no-headers")
		table := o != nil && o.DefValue == "table"
		if c.Name() == "list" && !table {
			t.Errorf("%s: a list command without -o table|json|yaml", c.CommandPath())
		}
		if table && (o.Shorthand != "o" || !strings.Contains(o.Usage, "json") || !strings.Contains(o.Usage, "yaml")) {
			t.Errorf("%s: -o is %q (%s), want -o with table, json or yaml", c.CommandPath(), o.Shorthand, o.Usage)
		}
		if c.Name() != "version" && table != (nh != nil) {
			t.Errorf("%s: -o table and --no-headers go together (output %v, no-headers %v)", c.CommandPath(), table, nh != nil)
		}
	})
}

func TestListOutputFormats(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "cluster", "create", "dev", "-a", "1"); err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	for _, list := range [][]string{{"cluster", "list"}, {"node", "list"}, {"registry", "list"}} {
		if err := e.run(t, append(list, "-o", "yaml")...); err != nil {
			t.Fatalf("%v -o yaml: %v", list, err)
		}
		var y []map[string]any
		if err := yaml.Unmarshal(e.out.Bytes(), &y); err != nil {
			t.Errorf("%v -o yaml is not a YAML list: %v\n%s", list, err, e.out.String())
		}
		if err := e.run(t, append(list, "-o", "json")...); err != nil {
			t.Fatalf("%v -o json: %v", list, err)
		}
		var j []map[string]any
		if err := json.Unmarshal(e.out.Bytes(), &j); err != nil || len(j) != len(y) {
			t.Errorf("%v -o json is not the YAML's list (%d items, yaml %d): %v\n%s", list, len(j), len(y), err, e.out.String())
		}
		if err := e.run(t, list...); err != nil {
			t.Fatal(err)
		}
		withHeader := strings.Count(e.out.String(), "\n")
		if err := e.run(t, append(list, "--no-headers")...); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(e.out.String(), "\n"); got != withHeader-1 || strings.Contains(e.out.String(), "NAME") {
			t.Errorf("%v --no-headers printed %d lines (%d with the header):\n%s", list, got, withHeader, e.out.String())
		}
	}
}

// Exit code 2 means the command line is wrong: nothing was done, and
// running it again will not help. Problems met while working exit 1.
func TestUsageExitCodes(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "cluster", "create", "dev"); err != nil {
		t.Fatalf("create: %v", err)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"unknown command", []string{"nosuch"}, 2},
		{"unknown subcommand", []string{"cluster", "nosuch"}, 2},
		{"unknown subcommand of a subcommand group", []string{"kubeconfig", "show", "dev"}, 2},
		{"group alone prints its help", []string{"cluster"}, 0},
		{"root alone prints its help", nil, 0},
		{"unknown flag", []string{"cluster", "list", "--bogus"}, 2},
		{"unknown shorthand", []string{"node", "list", "-Z"}, 2},
		{"unknown global flag", []string{"--bogus", "version"}, 2},
		{"flag without its value", []string{"cluster", "create", "--servers"}, 2},
		{"too many arguments", []string{"cluster", "create", "a", "b"}, 2},
		{"argument to a command without", []string{"version", "extra"}, 2},
		{"missing argument", []string{"kubeconfig", "get"}, 2},
		{"missing arguments", []string{"image", "import"}, 2},
		{"names and --all", []string{"cluster", "stop", "dev", "--all"}, 2},
		{"neither names nor --all", []string{"registry", "delete"}, 2},
		{"integer flag not an integer", []string{"cluster", "create", "x", "--servers", "abc"}, 2},
		{"duration without a unit", []string{"cluster", "start", "dev", "--timeout", "5"}, 2},
		{"bool flag not a bool", []string{"cluster", "create", "x", "--wait=maybe"}, 2},
		{"unknown output format", []string{"node", "list", "-o", "xml"}, 2},
		{"unknown output format of import", []string{"image", "import", "app:1", "-o", "wide"}, 2},
		{"malformed --port", []string{"cluster", "create", "x", "-p", "garbage"}, 2},
		{"invalid cluster name", []string{"cluster", "create", "Bad_Name"}, 2},
		{"invalid node role", []string{"node", "create", "w", "--role", "boss"}, 2},
		{"negative agents", []string{"cluster", "create", "x", "-a", "-1"}, 2},
		{"unknown shell", []string{"completion", "tcsh"}, 2},
		{"logs without a cluster", []string{"cluster", "logs"}, 2},
		{"unknown doctor output", []string{"doctor", "-o", "xml"}, 2},
		{"quiet and verbose", []string{"-q", "-V", "cluster", "list"}, 2},
		{"no such cluster", []string{"cluster", "start", "nope"}, 1},
		{"name taken", []string{"cluster", "create", "dev"}, 1},
		{"no such port, found against the cluster", []string{"cluster", "edit", "dev", "--port-delete", "9999:80"}, 1},
		{"ok", []string{"cluster", "list", "-q"}, 0},
	}
	for _, tt := range tests {
		err := e.run(t, tt.args...)
		if got := ExitCode(err); got != tt.code {
			t.Errorf("%s: mini %s: exit code %d (%v), want %d", tt.name, strings.Join(tt.args, " "), got, err, tt.code)
		}
	}
}

func TestGroupAlonePrintsHelp(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "node"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "mini node [command]") || len(e.rt.Calls()) != 0 {
		t.Errorf("mini node printed %q", e.out.String())
	}
	err := e.run(t, "cluster", "craete")
	if err == nil || !strings.Contains(err.Error(), "did you mean create?") {
		t.Errorf("a misspelt subcommand: %v", err)
	}
}

func TestQuiet(t *testing.T) {
	e := newEnv(t)
	if err := e.run(t, "-q", "cluster", "create", "dev", "-a", "1"); err != nil {
		t.Fatalf("create: %v", err)
	}
	if e.err.Len() != 0 {
		t.Errorf("create -q wrote to stderr: %q", e.err.String())
	}
	if err := e.run(t, "cluster", "list", "--quiet", "--no-headers"); err != nil || !strings.HasPrefix(e.out.String(), "dev ") {
		t.Errorf("--quiet must keep the data on stdout: %v %q", err, e.out.String())
	}
	err := e.run(t, "cluster", "create", "dev", "-q")
	if ExitCode(err) != 1 {
		t.Errorf("a failing create with -q: %v", err)
	}
	if err := e.run(t, "cluster", "create", "two"); err != nil || !strings.Contains(e.err.String(), "✓") {
		t.Errorf("without -q progress is on stderr: %v %q", err, e.err.String())
	}
	if strings.Contains(e.err.String(), "\x1b[") {
		t.Errorf("colours in a log that is no terminal: %q", e.err.String())
	}
}

// A script reading -o json gets a list, also when there is nothing.
func TestEmptyListsAreLists(t *testing.T) {
	e := newEnv(t)
	for _, list := range [][]string{{"cluster", "list"}, {"node", "list"}, {"registry", "list"}} {
		for _, o := range []string{"json", "yaml"} {
			if err := e.run(t, append(list, "-o", o)...); err != nil {
				t.Fatal(err)
			}
			if got := e.out.String(); got != "[]\n" {
				t.Errorf("%v -o %s with nothing to list printed %q, want []", list, o, got)
			}
		}
	}
}
