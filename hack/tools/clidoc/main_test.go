package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/minictl/mini/internal/markdown"
)

var update = flag.Bool("update", false, "rewrite docs/reference/cli.md")

const referenceFile = "../../../docs/reference/cli.md"

// The committed reference is what the generator makes of the command tree
// today: after changing a command or flag, run
// go run ./hack/tools/clidoc > docs/reference/cli.md (or this test with
// -update).
func TestReferenceIsUpToDate(t *testing.T) {
	got := Generate(root())
	if *update {
		if err := os.WriteFile(referenceFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(referenceFile)
	if err != nil {
		t.Fatalf("%v: generate it with go run ./hack/tools/clidoc > docs/reference/cli.md", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale: the commands changed; run go run ./hack/tools/clidoc > docs/reference/cli.md", referenceFile)
	}
}

func TestEveryCommandAndFlagIsDocumented(t *testing.T) {
	r := root()
	doc := string(Generate(r))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c.HasParent() {
			return
		}
		if !strings.Contains(doc, "\n## "+c.CommandPath()+"\n") || !strings.Contains(doc, "](#"+anchor(c)+")") {
			t.Errorf("%s has no section or no index entry", c.CommandPath())
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if !strings.Contains(doc, "--"+f.Name+" ") && !strings.Contains(doc, "--"+f.Name+"\n") {
				t.Errorf("%s --%s is not documented", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(r)
}

func TestEscape(t *testing.T) {
	tests := map[string]string{
		"@servers:*, MINI_<FLAG>":      `@servers:\*, MINI_\<FLAG\>`,
		"[HOST:]PORT, `a*b <c>` and *": "\\[HOST:\\]PORT, `a*b <c>` and \\*",
	}
	for in, want := range tests {
		if got := markdown.Escape(in); got != want {
			t.Errorf("markdown.Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := dedent("  mini a\n  mini b\n"); got != "mini a\nmini b" {
		t.Errorf("dedent = %q", got)
	}
}
