package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// The JSON Schema editors use agrees with the reader: every valid file,
// every file mini writes (view, migrate, init) validates against it, and
// the structural mistakes the reader refuses are refused by it too. The
// checker below covers the keywords the generator writes.
func TestSchemaAgreesWithTheReader(t *testing.T) {
	data, err := os.ReadFile("../../docs/schema/cluster-v1alpha1.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	check := func(name string, doc []byte) []string {
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return schemaErrors(schema, v, "")
	}
	valid, _ := filepath.Glob("testdata/valid-*.yaml")
	written, _ := filepath.Glob("testdata/*.golden")
	for _, p := range append(valid, written...) {
		if filepath.Ext(p) == ".golden" && filepath.Base(p)[:8] == "invalid-" {
			continue
		}
		doc, _ := os.ReadFile(p)
		if errs := check(p, doc); len(errs) > 0 {
			t.Errorf("%s does not validate against the schema: %v", p, errs)
		}
	}
	if errs := check("starter", Starter("dev")); len(errs) > 0 {
		t.Errorf("the starter file does not validate against the schema: %v", errs)
	}
	bad := []byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nsever: 3\nagents: three\nimage: [x]\n" +
		"ports: [{port: '80', nodeFilter: [all]}, '81', {port: '82', nodeFilters: all}]\noptions: {wait: maybe}\n")
	errs := check("bad", bad)
	if len(errs) != 7 {
		t.Errorf("the schema finds %d problems, want 7: %v", len(errs), errs)
	}
	if _, err := Load("bad", bad); err == nil || len(err.(*Error).Problems) != 7 {
		t.Errorf("the reader finds other problems than the schema: %v", err)
	}
}

func schemaErrors(s map[string]any, v any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	var types []any
	switch t := s["type"].(type) {
	case string:
		types = []any{t}
	case []any:
		types = t
	}
	kind := map[bool]string{}
	switch v.(type) {
	case string:
		kind[true] = "string"
	case int:
		kind[true] = "integer"
	case bool:
		kind[true] = "boolean"
	case map[string]any:
		kind[true] = "object"
	case []any:
		kind[true] = "array"
	case nil:
		return nil
	}
	if !slices.Contains(types, any(kind[true])) {
		fail("%v is a %s, want %v", v, kind[true], types)
		return errs
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%v is not one of %v", v, enum)
	}
	if n, ok := v.(int); ok {
		if m, ok := s["minimum"].(float64); ok && float64(n) < m {
			fail("%d < %v", n, m)
		}
		if m, ok := s["maximum"].(float64); ok && float64(n) > m {
			fail("%d > %v", n, m)
		}
	}
	if str, ok := v.(string); ok && s["pattern"] != nil && !regexp.MustCompile(s["pattern"].(string)).MatchString(str) {
		fail("%q does not match %s", str, s["pattern"])
	}
	switch val := v.(type) {
	case []any:
		for i, item := range val {
			errs = append(errs, schemaErrors(s["items"].(map[string]any), item, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			if _, ok := val[r.(string)]; !ok {
				fail("%s is required", r)
			}
		}
		for k, item := range val {
			p, ok := props[k].(map[string]any)
			if !ok {
				fail("%s is not allowed", k)
				continue
			}
			errs = append(errs, schemaErrors(p, item, path+"."+k)...)
		}
	}
	return errs
}
