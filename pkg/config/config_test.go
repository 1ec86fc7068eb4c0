package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// golden compares got with testdata/NAME, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func fixtures(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures %s: %v", pattern, err)
	}
	return files
}

func load(t *testing.T, path string) (*File, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Load(path, data)
}

// Every valid file views as its golden output, and the view reads back to
// the same options: view prints the effective config, completely.
func TestValidFixtures(t *testing.T) {
	for _, path := range fixtures(t, "valid-*.yaml") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := load(t, path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := View(f)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(filepath.Base(path), ".yaml")+".view.golden", out)
			again, err := Load("view", out)
			if err != nil {
				t.Fatalf("the view does not read back: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(again.Options, f.Options) {
				t.Errorf("the view reads back to\n%+v\nnot\n%+v", again.Options, f.Options)
			}
		})
	}
}

// Every invalid file fails with all of its problems (golden), each with
// a field path and a line unless it concerns the file or the options as a
// whole.
func TestInvalidFixtures(t *testing.T) {
	for _, path := range fixtures(t, "invalid-*.yaml") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, err := load(t, path)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want an *Error", err)
			}
			for _, p := range ce.Problems {
				if p.Path != "" && p.Line == 0 {
					t.Errorf("problem %q has a path but no line", p.String(ce.File))
				}
			}
			golden(t, strings.TrimSuffix(filepath.Base(path), ".yaml")+".golden", []byte(err.Error()+"\n"))
		})
	}
}

// k3d files migrate to their golden output, which reads back to the same
// options as the k3d file.
func TestK3dFixtures(t *testing.T) {
	for _, path := range fixtures(t, "k3d-v1alpha5-*.yaml") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := load(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if !f.IsK3d() {
				t.Errorf("IsK3d = false for %s", f.APIVersion)
			}
			out, err := Migrate(f)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(filepath.Base(path), ".yaml")+".golden", out)
			again, err := Load("migrated", out)
			if err != nil {
				t.Fatalf("the migration does not read back: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(again.Options, f.Options) {
				t.Errorf("the migration reads back to\n%+v\nnot\n%+v", again.Options, f.Options)
			}
		})
	}
}

// The starter file of `mini config init` is valid and creates what
// `mini cluster create NAME` does.
func TestStarterIsValid(t *testing.T) {
	f, err := Load("starter", Starter("web"))
	if err != nil {
		t.Fatalf("%v\n%s", err, Starter("web"))
	}
	want := Defaults()
	want.Name = "web"
	if !reflect.DeepEqual(f.Options, want) {
		t.Errorf("starter options\n%+v\nwant the defaults\n%+v", f.Options, want)
	}
}

func TestNameSet(t *testing.T) {
	f, err := Decode("f", []byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\n"))
	if err != nil || f.NameSet || f.Options.Name != DefaultName {
		t.Errorf("Decode without a name = %+v, %v; want NameSet false and name %s", f, err, DefaultName)
	}
	f, err = Decode("f", []byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nmetadata: {name: x}\nservers: 0\n"))
	if err != nil || !f.NameSet || f.Options.Name != "x" {
		t.Errorf("Decode (which does not check values) = %+v, %v", f, err)
	}
}

func TestEmptyFile(t *testing.T) {
	if _, err := Load("empty.yaml", []byte("\n# nothing\n")); err == nil || !strings.Contains(err.Error(), "empty.yaml:") {
		t.Errorf("Load of an empty file = %v", err)
	}
}

// Nested aliases and merge keys must not make the strict check take
// exponential time; yaml itself then refuses the excessive aliasing.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nmetadata: &a0 {name: x}\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "metadata%d: &a%d {<<: [*a%d, *a%d, *a%d]}\n", i, i, i-1, i-1, i-1)
	}
	b.WriteString("<<: *a29\n")
	done := make(chan error, 1)
	go func() { _, err := Load("bomb.yaml", []byte(b.String())); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Load accepted an alias bomb")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load of nested aliases takes more than 10s")
	}
}
