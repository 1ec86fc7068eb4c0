package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFile(t *testing.T) {
	for in, want := range map[string]File{
		"a:/b":      {Src: "a", Dest: "/b"},
		"a:/b:0755": {Src: "a", Dest: "/b", Mode: 0o755},
		"a:/b:644":  {Src: "a", Dest: "/b", Mode: 0o644},
	} {
		got, err := parseFile(in)
		if err != nil || got != want {
			t.Errorf("parseFile(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"a", ":/b", "a:", "a:/b:9", "a:/b:0755:x", "a:/b:17777"} {
		if _, err := parseFile(in); err == nil {
			t.Errorf("parseFile(%q) succeeded, want an error", in)
		}
	}
}

func TestParseSymlink(t *testing.T) {
	got, err := parseSymlink("/bin/sh:busybox")
	if err != nil || got != (Symlink{Dest: "/bin/sh", Target: "busybox"}) {
		t.Errorf("parseSymlink = %+v, %v", got, err)
	}
	for _, in := range []string{"/bin/sh", ":busybox", "/bin/sh:"} {
		if _, err := parseSymlink(in); err == nil {
			t.Errorf("parseSymlink(%q) succeeded, want an error", in)
		}
	}
}

func TestRunWritesArchive(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "app")
	if err := os.WriteFile(src, []byte("app"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "app.tar")
	args := []string{"--name", "mini.local/app:1", "--entrypoint", "/app", "--file", src + ":/app", "-o", out}
	if err := run(args, io.Discard); err != nil {
		t.Fatalf("run: %v", err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("output missing or empty: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "out", ".imagetar-*"))
	if len(leftovers) != 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}
	if err := run([]string{"--name", "mini.local/app:1"}, io.Discard); err == nil {
		t.Error("run without -o succeeded, want an error")
	}
	if err := run([]string{"--name", "mini.local/app:1", "--label", "novalue", "-o", out}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--label") {
		t.Errorf("run with a label without =: %v, want an error naming --label", err)
	}
}
