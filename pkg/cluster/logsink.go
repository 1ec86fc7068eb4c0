package cluster

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// logSink receives the files of `mini cluster logs`: a directory, or a
// gzipped tarball whose entries sit under one top directory, so that
// unpacking it gives what the directory form would.
type logSink interface {
	// add writes the file name (slash-separated, relative) with what
	// write produces. What write produced before failing is kept (partial
	// logs explain failures too); a file it wrote nothing to is dropped.
	add(name string, write func(io.Writer) error) error
	close() error
}

// isTarball says whether an output path asks for a tarball.
func isTarball(p string) bool { return strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") }

// newLogSink makes the output at p, which must not exist yet (an empty
// directory is fine): logs of two runs must not mix.
func newLogSink(p string) (logSink, error) {
	if isTarball(p) {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("output %s already exists; remove it or give another with --output", p)
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, fmt.Errorf("creating output %s: %w", p, err)
		}
		gz := gzip.NewWriter(f)
		top := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(p), ".tgz"), ".tar.gz")
		return &tarSink{f: f, gz: gz, tw: tar.NewWriter(gz), top: top}, nil
	}
	if entries, err := os.ReadDir(p); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("output directory %s is not empty; remove it or give another with --output", p)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory %s: %w", p, err)
	}
	return &dirSink{root: p}, nil
}

// cleanEntry refuses names that would leave the output (they come from
// tar streams of the nodes too).
func cleanEntry(name string) (string, error) {
	c := path.Clean(name)
	if c == "." || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("refusing file name %q: outside the output", name)
	}
	return c, nil
}

// countWriter counts what passes through.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

type dirSink struct{ root string }

func (s *dirSink) add(name string, write func(io.Writer) error) error {
	name, err := cleanEntry(name)
	if err != nil {
		return err
	}
	p := filepath.Join(s.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	cw := &countWriter{w: f}
	werr := write(cw)
	cerr := f.Close()
	if werr != nil && cw.n == 0 {
		_ = os.Remove(p)
	}
	if werr != nil {
		return werr
	}
	return cerr
}

func (s *dirSink) close() error { return nil }

// tarSink spools each file to a temporary file first: a tar header needs
// the size, and a node's log can be larger than memory should hold.
type tarSink struct {
	f   *os.File
	gz  *gzip.Writer
	tw  *tar.Writer
	top string
}

func (s *tarSink) add(name string, write func(io.Writer) error) error {
	name, err := cleanEntry(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "mini-logs-*")
	if err != nil {
		return fmt.Errorf("creating a temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	cw := &countWriter{w: tmp}
	werr := write(cw)
	if cw.n == 0 && werr != nil {
		return werr
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	hdr := &tar.Header{Name: s.top + "/" + name, Mode: 0o644, Size: cw.n, ModTime: time.Now(), Typeflag: tar.TypeReg}
	if err := s.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing %s: %w", s.f.Name(), err)
	}
	if _, err := io.CopyN(s.tw, tmp, cw.n); err != nil {
		return fmt.Errorf("writing %s: %w", s.f.Name(), err)
	}
	return werr
}

func (s *tarSink) close() error {
	return errors.Join(s.tw.Close(), s.gz.Close(), s.f.Close())
}
