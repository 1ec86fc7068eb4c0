package main

import (
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/minictl/mini/internal/markdown"
	"github.com/minictl/mini/pkg/config"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite docs/schema/cluster-v1alpha1.json and docs/reference/config.md")

const (
	schemaFile    = "../../../../docs/schema/cluster-v1alpha1.json"
	referenceFile = "../../../../docs/reference/config.md"
	srcDir        = "../../v1alpha1"
)

// upToDate checks that file holds what the generator makes of the types
// today, rewriting it first with -update.
func upToDate(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v: generate it with go generate ./pkg/config", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale: run go generate ./pkg/config", file)
	}
}

// The schema in docs is what the generator makes of the types today; run
// go generate ./pkg/config (or this test with -update) after changing
// them.
func TestSchemaIsUpToDate(t *testing.T) {
	got, err := Generate(reflect.TypeOf(v1alpha1.Cluster{}), srcDir, config.SchemaURL, title)
	if err != nil {
		t.Fatal(err)
	}
	upToDate(t, schemaFile, got)
}

// So is the Markdown reference of the fields, made from the same walk.
func TestReferenceIsUpToDate(t *testing.T) {
	got, err := Reference(reflect.TypeOf(v1alpha1.Cluster{}), srcDir, referenceTitle)
	if err != nil {
		t.Fatal(err)
	}
	upToDate(t, referenceFile, got)
}

// Every field of the schema has a described row in the reference, at its
// path, and every object a table.
func TestReferenceListsEveryField(t *testing.T) {
	root := reflect.TypeOf(v1alpha1.Cluster{})
	n, _, err := build(root, srcDir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Reference(root, srcDir, referenceTitle)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	rows := 0
	var walk func(path string, n *node)
	walk = func(path string, n *node) {
		if path != "" && !strings.Contains(doc, "\n## `"+path+"`\n") {
			t.Errorf("%s has no table", path)
		}
		for _, p := range n.Properties {
			sub := p.name
			if path != "" {
				sub = path + "." + p.name
			}
			rows++
			if !strings.Contains(doc, "\n| `"+sub+"` | ") {
				t.Errorf("%s has no row", sub)
			}
			if p.node.Description == "" {
				t.Errorf("%s has no doc comment", sub)
			}
			c := p.node
			for c.Items != nil {
				sub, c = sub+"[]", c.Items
			}
			if c.Properties != nil {
				walk(sub, c)
			}
		}
	}
	walk("", n)
	if got := strings.Count(doc, "\n| `"); got != rows {
		t.Errorf("the reference has %d rows, the schema %d fields", got, rows)
	}
	for _, want := range []string{
		"| `ports[].nodeFilters` | list of strings |",
		"| `servers` | integer, 1 to 89 | `1` |",
		"| `kind` | string, required, always `Cluster` |",
		"| `registries.create` | list of [objects](#registriescreate) |",
		"| `options.timeout` | string or integer | `3m0s` |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the reference has no %q", want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	tests := map[string]string{
		"servers:*, MINI_*, <kubernetes version>": `servers:\*, MINI_\*, \<kubernetes version\>`,
		"[HOST:]PORT[/tcp|udp], `a*b <c>`":        "\\[HOST:\\]PORT\\[/tcp|udp\\], `a*b <c>`",
	}
	for in, want := range tests {
		if got := markdown.Escape(in); got != want {
			t.Errorf("markdown.Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := markdown.Cell("`a|b` c|d"); got != "`a\\|b` c\\|d" {
		t.Errorf("cell = %q", got)
	}
	seen := map[string]int{}
	for _, c := range []struct{ heading, want string }{
		{"Top level", "top-level"}, {"ports[]", "ports"}, {"registries.create[]", "registriescreate"}, {"ports", "ports-1"},
	} {
		if got := anchor(seen, c.heading); got != c.want {
			t.Errorf("anchor(%q) = %q, want %q", c.heading, got, c.want)
		}
	}
	if got := orList([]string{"a", "b", "c"}); got != "a, b or c" {
		t.Errorf("orList = %q", got)
	}
}

func TestTags(t *testing.T) {
	var n node
	if _, err := n.applyTag("nonsense=1"); err == nil {
		t.Error("an unknown tag key is accepted")
	}
	n = node{Type: "integer"}
	req, err := n.applyTag("required,default=3,minimum=1,maximum=9,pattern=^a{1,2}$")
	if err != nil || !req || n.Default != 3 || *n.Minimum != 1 || *n.Maximum != 9 || n.Pattern != "^a{1,2}$" {
		t.Errorf("applyTag = %v %v %+v", req, err, n)
	}
}
