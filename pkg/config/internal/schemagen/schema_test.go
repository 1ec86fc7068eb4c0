package main

import (
	"flag"
	"os"
	"reflect"
	"testing"

	"github.com/minictl/mini/pkg/config"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite docs/schema/cluster-v1alpha1.json")

const schemaFile = "../../../../docs/schema/cluster-v1alpha1.json"

// The schema in docs is what the generator makes of the types today; run
// go generate ./pkg/config (or this test with -update) after changing
// them.
func TestSchemaIsUpToDate(t *testing.T) {
	got, err := Generate(reflect.TypeOf(v1alpha1.Cluster{}), "../../v1alpha1", config.SchemaURL, title)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale: run go generate ./pkg/config", schemaFile)
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
