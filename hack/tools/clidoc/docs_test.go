package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// shellBlock is a fenced block of shell commands in Markdown.
var shellBlock = regexp.MustCompile("(?s)```(?:sh|bash|shell)\n(.*?)```")

// Every `mini …` command line in the shell examples of README.md and
// docs/*.md names a command that exists and flags it has: examples are
// what users copy.
func TestDocsUseRealCommands(t *testing.T) {
	files, err := filepath.Glob("../../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../../README.md")
	r := root()
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range shellBlock.FindAllStringSubmatch(string(data), -1) {
			for _, line := range strings.Split(b[1], "\n") {
				for _, args := range miniCalls(line) {
					checked++
					if problem := checkCall(r, args); problem != "" {
						t.Errorf("%s: %q: %s", filepath.Base(f), line, problem)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d mini commands found in the docs: is the parser broken?", checked)
	}
}

// miniCalls returns the arguments of every mini invocation on a shell
// line: `mini …` or `bin/mini …`, after &&, ||, |, ; or $( as well.
func miniCalls(line string) [][]string {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	var calls [][]string
	for _, seg := range regexp.MustCompile(`&&|\|\||\||;|\$\(`).Split(line, -1) {
		fields := strings.Fields(strings.TrimSpace(seg))
		if len(fields) > 0 && (fields[0] == "mini" || fields[0] == "bin/mini") {
			args := fields[1:]
			for i, a := range args {
				if strings.HasPrefix(a, ">") || strings.HasPrefix(a, "<") || a == ")" {
					args = args[:i]
					break
				}
			}
			calls = append(calls, args)
		}
	}
	return calls
}

// checkCall reports what is wrong with mini args: an unknown command or
// flag.
func checkCall(root *cobra.Command, args []string) string {
	c, rest, err := root.Find(args)
	if err != nil {
		return err.Error()
	}
	if c.HasSubCommands() {
		for _, a := range rest {
			if !strings.HasPrefix(a, "-") {
				return "no command " + c.CommandPath() + " " + a
			}
		}
		if len(args) > 0 && c == root && !strings.HasPrefix(args[0], "-") {
			return "no command " + args[0]
		}
	}
	lookup := func(name string, short bool) *pflag.Flag {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.InheritedFlags()} {
			if short {
				if f := fs.ShorthandLookup(name); f != nil {
					return f
				}
			} else if f := fs.Lookup(name); f != nil {
				return f
			}
		}
		return nil
	}
	for _, a := range rest {
		switch {
		case strings.HasPrefix(a, "--") && len(a) > 2:
			name, _, _ := strings.Cut(a[2:], "=")
			if lookup(name, false) == nil && name != "help" {
				return c.CommandPath() + " has no flag --" + name
			}
		case len(a) == 2 && a[0] == '-' && a[1] >= 'A' && a[1] <= 'z':
			if lookup(a[1:], true) == nil && a != "-h" {
				return c.CommandPath() + " has no flag " + a
			}
		}
	}
	return ""
}

func TestCheckCall(t *testing.T) {
	r := root()
	good := []string{"cluster create dev -p 8080:80@loadbalancer --agents=2 -q", "node list", "-V cluster list -o json",
		"image import app:1 -c dev", "kubeconfig get dev", "version"}
	bad := []string{"nosuch", "cluster crate dev", "cluster create --nope", "node list -Z", "registry create x --proxy"}
	for _, l := range good {
		if p := checkCall(r, strings.Fields(l)); p != "" {
			t.Errorf("mini %s: %s", l, p)
		}
	}
	for _, l := range bad {
		if checkCall(r, strings.Fields(l)) == "" {
			t.Errorf("mini %s passed", l)
		}
	}
	if got := miniCalls(`make build && bin/mini cluster create a -q | tee x; mini version # mini nope`); len(got) != 2 ||
		strings.Join(got[0], " ") != "cluster create a -q" || strings.Join(got[1], " ") != "version" {
		t.Errorf("miniCalls = %q", got)
	}
}
