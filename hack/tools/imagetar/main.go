package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "imagetar: %v\n", err)
		os.Exit(1)
	}
}

// listFlag collects the values of a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// run parses args into a Spec and writes the archive atomically, so an
// interrupted build never leaves a truncated tarball that a later cached run
// would mistake for a good one.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("imagetar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		spec                                      Spec
		entrypoint, files, symlinks, envs, labels listFlag
		out                                       string
	)
	fs.StringVar(&spec.Name, "name", "", "image reference with tag, e.g. mini.local/pause:3.10")
	fs.Var(&entrypoint, "entrypoint", "entrypoint argument (repeat for more arguments)")
	fs.Var(&files, "file", "SRC:DEST[:MODE] file to add; MODE is octal, default: SRC's permissions (repeatable)")
	fs.Var(&symlinks, "symlink", "DEST:TARGET symlink to add (repeatable)")
	fs.Var(&envs, "env", "KEY=VALUE environment variable (repeatable); PATH has a default")
	fs.Var(&labels, "label", "KEY=VALUE image label (repeatable)")
	fs.StringVar(&spec.User, "user", "0", "user the entrypoint runs as")
	fs.StringVar(&spec.WorkingDir, "workdir", "/", "working directory")
	fs.StringVar(&spec.Arch, "arch", runtime.GOARCH, "image architecture (GOARCH naming)")
	fs.StringVar(&out, "o", "", "output tarball path")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if out == "" {
		return errors.New("-o is required")
	}
	spec.Entrypoint = entrypoint
	spec.Env = envs
	for _, l := range labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return fmt.Errorf("--label %q: want KEY=VALUE", l)
		}
		if spec.Labels == nil {
			spec.Labels = map[string]string{}
		}
		spec.Labels[k] = v
	}
	for _, f := range files {
		file, err := parseFile(f)
		if err != nil {
			return err
		}
		spec.Files = append(spec.Files, file)
	}
	for _, s := range symlinks {
		link, err := parseSymlink(s)
		if err != nil {
			return err
		}
		spec.Symlinks = append(spec.Symlinks, link)
	}
	return writeFileAtomic(out, spec)
}

// parseFile parses SRC:DEST[:MODE]. A missing MODE takes SRC's permission
// bits so executables stay executable without repeating 0755 everywhere.
func parseFile(v string) (File, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return File{}, fmt.Errorf("invalid --file %q: want SRC:DEST[:MODE]", v)
	}
	f := File{Src: parts[0], Dest: parts[1]}
	if len(parts) == 3 {
		mode, err := strconv.ParseUint(parts[2], 8, 32)
		if err != nil || mode > 0o7777 {
			return File{}, fmt.Errorf("invalid mode in --file %q: want octal like 0755", v)
		}
		f.Mode = int64(mode)
	}
	return f, nil
}

// parseSymlink parses DEST:TARGET.
func parseSymlink(v string) (Symlink, error) {
	dest, target, ok := strings.Cut(v, ":")
	if !ok || dest == "" || target == "" {
		return Symlink{}, fmt.Errorf("invalid --symlink %q: want DEST:TARGET", v)
	}
	return Symlink{Dest: dest, Target: target}, nil
}

func writeFileAtomic(out string, spec Spec) (err error) {
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".imagetar-*")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := Write(tmp, spec); err != nil {
		return fmt.Errorf("write %s: %w", spec.Name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod temp file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temp file: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return nil
}
