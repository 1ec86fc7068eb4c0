package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// Spec describes a single-layer image.
type Spec struct {
	// Name is the reference the image is tagged with on load, e.g.
	// mini.local/pause:3.10.
	Name string
	// Arch is the GOARCH-style architecture recorded in the config.
	Arch       string
	Entrypoint []string
	// Env entries are KEY=VALUE; PATH gets a default when absent.
	Env        []string
	User       string
	WorkingDir string
	// Labels become the image's config labels; the build scripts record
	// their input hash in one, so the engine's copy is its own stamp.
	Labels   map[string]string
	Files    []File
	Symlinks []Symlink
}

// File is a host file copied into the layer.
type File struct {
	Src, Dest string
	// Mode is the permission bits in the layer; 0 means "as on the host".
	Mode int64
}

// Symlink is a symbolic link created in the layer.
type Symlink struct {
	Dest, Target string
}

// defaultPath is the PATH Docker gives containers whose image sets none;
// stating it keeps containerd and Docker (which differ here) in agreement.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// epoch is every entry's mtime: a fixed time is what makes builds of the
// same inputs produce identical bytes.
var epoch = time.Unix(0, 0).UTC()

// manifestEntry is one element of a docker-archive manifest.json.
type manifestEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// imageConfig is the subset of the OCI/Docker image config mini needs.
type imageConfig struct {
	Architecture string          `json:"architecture"`
	OS           string          `json:"os"`
	Created      string          `json:"created"`
	Config       containerConfig `json:"config"`
	RootFS       rootFS          `json:"rootfs"`
	History      []history       `json:"history"`
}

type containerConfig struct {
	User       string   `json:"User,omitempty"`
	Env        []string `json:"Env,omitempty"`
	Entrypoint []string `json:"Entrypoint,omitempty"`
	WorkingDir string   `json:"WorkingDir,omitempty"`
	// encoding/json sorts map keys, so the config stays reproducible.
	Labels map[string]string `json:"Labels,omitempty"`
}

type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

type history struct {
	Created   string `json:"created"`
	CreatedBy string `json:"created_by"`
}

// Write writes spec as a docker-archive to w.
func Write(w io.Writer, spec Spec) error {
	if err := validate(spec); err != nil {
		return err
	}
	layer, err := buildLayer(spec.Files, spec.Symlinks)
	if err != nil {
		return fmt.Errorf("build layer: %w", err)
	}
	diffID := sha256Hex(layer)
	// The layer is stored gzip-compressed: the archives ship inside the node
	// image, and compression cuts them to about a third. Both docker load and
	// containerd's importer detect the compression from the content. Go's
	// gzip with a zero header is deterministic, so digests stay stable.
	blob, err := gzipBytes(layer)
	if err != nil {
		return fmt.Errorf("compress layer: %w", err)
	}
	layerHex := sha256Hex(blob)
	created := epoch.Format(time.RFC3339)
	cfg := imageConfig{
		Architecture: spec.Arch,
		OS:           "linux",
		Created:      created,
		Config: containerConfig{
			User:       spec.User,
			Env:        withDefaultPath(spec.Env),
			Entrypoint: spec.Entrypoint,
			WorkingDir: spec.WorkingDir,
			Labels:     spec.Labels,
		},
		// diff_id is the digest of the uncompressed layer.
		RootFS:  rootFS{Type: "layers", DiffIDs: []string{"sha256:" + diffID}},
		History: []history{{Created: created, CreatedBy: "imagetar"}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	cfgName := sha256Hex(cfgJSON) + ".json"
	layerName := layerHex + "/layer.tar.gz"
	manifest, err := json.Marshal([]manifestEntry{{
		Config:   cfgName,
		RepoTags: []string{spec.Name},
		Layers:   []string{layerName},
	}})
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	// Entries in sorted order, directory before its content.
	entries := []entry{
		{name: cfgName, typ: tar.TypeReg, mode: 0o644, data: cfgJSON},
		{name: layerHex + "/", typ: tar.TypeDir, mode: 0o755},
		{name: layerName, typ: tar.TypeReg, mode: 0o644, data: blob},
		{name: "manifest.json", typ: tar.TypeReg, mode: 0o644, data: manifest},
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return writeTar(w, entries)
}

func validate(spec Spec) error {
	var errs []error
	if spec.Name == "" {
		errs = append(errs, errors.New("image name is empty"))
	} else if last := spec.Name[strings.LastIndex(spec.Name, "/")+1:]; !strings.Contains(last, ":") {
		// Without a tag, docker and ctr would each invent their own.
		errs = append(errs, fmt.Errorf("image name %q has no tag", spec.Name))
	}
	if spec.Arch == "" {
		errs = append(errs, errors.New("architecture is empty"))
	}
	for _, e := range spec.Env {
		if !strings.Contains(e, "=") {
			errs = append(errs, fmt.Errorf("env %q is not KEY=VALUE", e))
		}
	}
	return errors.Join(errs...)
}

func withDefaultPath(env []string) []string {
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			return env
		}
	}
	return append([]string{defaultPath}, env...)
}

// entry is one tar member.
type entry struct {
	name   string
	typ    byte
	mode   int64
	data   []byte
	target string
}

// buildLayer returns the layer tar: the files and symlinks plus every parent
// directory they need, sorted by path.
func buildLayer(files []File, symlinks []Symlink) ([]byte, error) {
	byName := map[string]entry{}
	add := func(e entry) error {
		if _, dup := byName[e.name]; dup {
			return fmt.Errorf("%s is added twice", "/"+e.name)
		}
		byName[e.name] = e
		return nil
	}
	for _, f := range files {
		name, err := layerPath(f.Dest)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(f.Src)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Src, err)
		}
		mode := f.Mode
		if mode == 0 {
			st, err := os.Stat(f.Src)
			if err != nil {
				return nil, fmt.Errorf("stat %s: %w", f.Src, err)
			}
			mode = int64(st.Mode().Perm())
		}
		if err := add(entry{name: name, typ: tar.TypeReg, mode: mode, data: data}); err != nil {
			return nil, err
		}
	}
	for _, s := range symlinks {
		name, err := layerPath(s.Dest)
		if err != nil {
			return nil, err
		}
		if err := add(entry{name: name, typ: tar.TypeSymlink, mode: 0o777, target: s.Target}); err != nil {
			return nil, err
		}
	}
	// Parent directories: tools differ in whether they create missing
	// parents on extraction, so every one is stated explicitly.
	for name := range byName {
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if e, ok := byName[dir]; ok {
				if e.typ != tar.TypeDir {
					return nil, fmt.Errorf("/%s is needed as a directory for /%s", dir, name)
				}
				continue
			}
			byName[dir] = entry{name: dir, typ: tar.TypeDir, mode: 0o755}
		}
	}
	entries := make([]entry, 0, len(byName))
	for _, e := range byName {
		if e.typ == tar.TypeDir {
			e.name += "/"
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var buf bytes.Buffer
	if err := writeTar(&buf, entries); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layerPath turns an absolute image path into a tar member name.
func layerPath(dest string) (string, error) {
	if !strings.HasPrefix(dest, "/") {
		return "", fmt.Errorf("destination %q is not absolute", dest)
	}
	clean := path.Clean(dest)
	if clean == "/" {
		return "", fmt.Errorf("destination %q is the root directory", dest)
	}
	return strings.TrimPrefix(clean, "/"), nil
}

func writeTar(w io.Writer, entries []entry) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		hdr := &tar.Header{
			Typeflag: e.typ,
			Name:     e.name,
			Linkname: e.target,
			Mode:     e.mode,
			Size:     int64(len(e.data)),
			ModTime:  epoch,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("write header %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return fmt.Errorf("write %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finish tar: %w", err)
	}
	return nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
