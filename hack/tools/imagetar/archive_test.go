package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readTar returns a tar's members in order, with their contents.
func readTar(t *testing.T, b []byte) ([]*tar.Header, map[string][]byte) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var hdrs []*tar.Header
	data := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hdrs, data
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", h.Name, err)
		}
		hdrs = append(hdrs, h)
		data[h.Name] = body
	}
}

func testSpec(t *testing.T) Spec {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "busybox")
	if err := os.WriteFile(bin, []byte("#!fake busybox\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return Spec{
		Name:       "mini.local/helper:1",
		Arch:       "amd64",
		Entrypoint: []string{"/bin/sh", "-c"},
		Env:        []string{"FOO=bar"},
		User:       "0",
		WorkingDir: "/",
		Labels:     map[string]string{"dev.mini.inputs": "abc"},
		Files:      []File{{Src: bin, Dest: "/bin/busybox", Mode: 0o755}},
		Symlinks:   []Symlink{{Dest: "/bin/sh", Target: "busybox"}},
	}
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestWriteConsistency(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, testSpec(t)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	hdrs, files := readTar(t, buf.Bytes())
	for i := 1; i < len(hdrs); i++ {
		if hdrs[i-1].Name >= hdrs[i].Name {
			t.Errorf("archive entries not sorted: %q before %q", hdrs[i-1].Name, hdrs[i].Name)
		}
	}

	var manifest []manifestEntry
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("decode manifest.json: %v", err)
	}
	if len(manifest) != 1 || len(manifest[0].Layers) != 1 {
		t.Fatalf("want one image with one layer, got %+v", manifest)
	}
	m := manifest[0]
	if !reflect.DeepEqual(m.RepoTags, []string{"mini.local/helper:1"}) {
		t.Errorf("RepoTags = %v", m.RepoTags)
	}
	cfgJSON, ok := files[m.Config]
	if !ok {
		t.Fatalf("config %s missing from archive", m.Config)
	}
	// Docker names the config by its digest and uses it as the image ID.
	if want := digestOf(cfgJSON) + ".json"; m.Config != want {
		t.Errorf("config named %s, its digest says %s", m.Config, want)
	}
	layer, ok := files[m.Layers[0]]
	if !ok {
		t.Fatalf("layer %s missing from archive", m.Layers[0])
	}
	var cfg imageConfig
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		t.Fatalf("decode config: %v", err)
	}
	if !strings.HasPrefix(m.Layers[0], digestOf(layer)+"/") {
		t.Errorf("layer path %s does not carry its blob's digest", m.Layers[0])
	}
	zr, err := gzip.NewReader(bytes.NewReader(layer))
	if err != nil {
		t.Fatalf("layer is not gzip: %v", err)
	}
	layer, err = io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sha256:" + digestOf(layer)}; !reflect.DeepEqual(cfg.RootFS.DiffIDs, want) {
		t.Errorf("diff_ids = %v, layer digest is %v", cfg.RootFS.DiffIDs, want)
	}
	wantCfg := containerConfig{
		User:       "0",
		Env:        []string{defaultPath, "FOO=bar"},
		Entrypoint: []string{"/bin/sh", "-c"},
		WorkingDir: "/",
		Labels:     map[string]string{"dev.mini.inputs": "abc"},
	}
	if !reflect.DeepEqual(cfg.Config, wantCfg) {
		t.Errorf("config = %+v, want %+v", cfg.Config, wantCfg)
	}
	if cfg.OS != "linux" || cfg.Architecture != "amd64" {
		t.Errorf("platform = %s/%s", cfg.OS, cfg.Architecture)
	}

	layerHdrs, layerFiles := readTar(t, layer)
	var got []string
	for _, h := range layerHdrs {
		got = append(got, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s owned by %d:%d (%q:%q), want root", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s mtime %v, want the epoch", h.Name, h.ModTime)
		}
		switch h.Name {
		case "bin/":
			if h.Typeflag != tar.TypeDir || h.Mode != 0o755 {
				t.Errorf("bin/: type %c mode %o", h.Typeflag, h.Mode)
			}
		case "bin/busybox":
			if h.Typeflag != tar.TypeReg || h.Mode != 0o755 {
				t.Errorf("bin/busybox: type %c mode %o", h.Typeflag, h.Mode)
			}
		case "bin/sh":
			if h.Typeflag != tar.TypeSymlink || h.Linkname != "busybox" {
				t.Errorf("bin/sh: type %c -> %q", h.Typeflag, h.Linkname)
			}
		}
	}
	if want := []string{"bin/", "bin/busybox", "bin/sh"}; !reflect.DeepEqual(got, want) {
		t.Errorf("layer entries = %v, want %v", got, want)
	}
	if string(layerFiles["bin/busybox"]) != "#!fake busybox\n" {
		t.Errorf("bin/busybox content = %q", layerFiles["bin/busybox"])
	}
}

func TestWriteReproducible(t *testing.T) {
	spec := testSpec(t)
	var first, second bytes.Buffer
	if err := Write(&first, spec); err != nil {
		t.Fatalf("first Write: %v", err)
	}
	// A rebuilt input has a new mtime; the archive must not notice.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(spec.Files[0].Src, later, later); err != nil {
		t.Fatal(err)
	}
	if err := Write(&second, spec); err != nil {
		t.Fatalf("second Write: %v", err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("two writes of the same spec differ")
	}
}

func TestWriteRejects(t *testing.T) {
	for name, mutate := range map[string]func(*Spec){
		"no tag":           func(s *Spec) { s.Name = "mini.local:5000/helper" },
		"empty name":       func(s *Spec) { s.Name = "" },
		"bad env":          func(s *Spec) { s.Env = []string{"FOO"} },
		"relative dest":    func(s *Spec) { s.Files[0].Dest = "bin/busybox" },
		"duplicate":        func(s *Spec) { s.Symlinks[0].Dest = "/bin/busybox" },
		"file as parent":   func(s *Spec) { s.Symlinks[0].Dest = "/bin/busybox/sh" },
		"missing src file": func(s *Spec) { s.Files[0].Src += ".missing" },
	} {
		t.Run(name, func(t *testing.T) {
			spec := testSpec(t)
			mutate(&spec)
			if err := Write(io.Discard, spec); err == nil {
				t.Error("Write succeeded, want an error")
			}
		})
	}
}
