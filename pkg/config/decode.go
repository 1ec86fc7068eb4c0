package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/config/internal/k3d"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

// File is a config file read into the options it describes.
type File struct {
	// Name names the file in messages: its path, or Stdin.
	Name string
	// APIVersion and Kind are the file's own: v1alpha1.APIVersion and
	// v1alpha1.Kind, or K3dAPIVersion and K3dKind.
	APIVersion, Kind string
	// Options are the options the file describes, the defaults (Defaults)
	// filled in.
	Options cluster.CreateOptions
	// NameSet tells whether the file names its cluster (metadata.name);
	// Options.Name is DefaultName when it does not.
	NameSet bool
	// Warnings list what a k3d file sets that mini has no equivalent for,
	// left out of Options.
	Warnings []string

	// registryConfig is the registries.yaml path as written, relative to
	// the file, for migrate; Options holds it resolved.
	registryConfig string
}

// K3dAPIVersion and K3dKind identify the k3d files mini reads (k3d v5).
const (
	K3dAPIVersion = k3d.APIVersion
	K3dKind       = k3d.Kind
)

// Stdin is the name of a file read from standard input: paths in it are
// relative to the working directory.
const Stdin = "<stdin>"

// IsK3d tells whether the file is k3d's rather than mini's.
func (f *File) IsK3d() bool { return f.APIVersion == K3dAPIVersion }

// Load reads a config file and checks its values, reporting every problem
// (an *Error). name is the file's path (or Stdin): it names the file in
// messages, and paths in the file are relative to its directory.
func Load(name string, data []byte) (*File, error) {
	f, d, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	problems := d.walk.problems
	for _, fd := range append(d.findings, validate(f.Options, d.origin)...) {
		if !d.walk.isCut(fd.path) {
			problems = append(problems, Problem{Path: fd.path, Line: d.walk.line(fd.path), Err: fd.err})
		}
	}
	if err := newError(name, problems); err != nil {
		return nil, err
	}
	return f, nil
}

// Decode reads a config file strictly (unknown fields, repeated keys and
// values of the wrong type are errors) without checking its values: for
// commands that need only the cluster's name, such as delete.
func Decode(name string, data []byte) (*File, error) {
	f, d, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	problems := d.walk.problems
	for _, fd := range d.findings {
		problems = append(problems, Problem{Path: fd.path, Line: d.walk.line(fd.path), Err: fd.err})
	}
	if err := newError(name, problems); err != nil {
		return nil, err
	}
	return f, nil
}

// decoded is what decode learnt on the way: the line of each path, the
// problems of the structure and of the conversion, and where each option
// came from.
type decoded struct {
	walk     *strictWalk
	findings []finding
	origin   *origin
}

// finding is a problem at a field path whose line is looked up later.
type finding struct {
	path string
	err  error
}

func decode(name string, data []byte) (*File, *decoded, error) {
	fail := func(p Problem) (*File, *decoded, error) { return nil, nil, newError(name, []Problem{p}) }
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(Problem{Err: errors.New("the file is empty")})
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return fail(Problem{Err: err})
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return fail(Problem{Line: next.Line, Err: errors.New("more than one YAML document: a file describes one cluster")})
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fail(Problem{Line: root.Line, Err: fmt.Errorf("want a mapping of fields (apiVersion, kind, …), got %s", describe(root))})
	}
	f := &File{Name: name}
	var line int
	f.APIVersion, line = scalarField(root, "apiVersion")
	var kindLine int
	f.Kind, kindLine = scalarField(root, "kind")
	var target any
	wantKind := ""
	switch f.APIVersion {
	case v1alpha1.APIVersion:
		target, wantKind = &v1alpha1.Cluster{}, v1alpha1.Kind
	case k3d.APIVersion:
		target, wantKind = &k3d.Simple{}, k3d.Kind
	case "":
		return fail(Problem{Path: "apiVersion", Line: root.Line, Err: fmt.Errorf("missing: want %s", v1alpha1.APIVersion)})
	default:
		err := fmt.Errorf("unknown version %q: want %s (or a k3d %s file)", f.APIVersion, v1alpha1.APIVersion, k3d.APIVersion)
		if strings.HasPrefix(f.APIVersion, "k3d.io/") {
			err = fmt.Errorf("%q is an older k3d schema: convert it with `k3d config migrate` to %s first", f.APIVersion, k3d.APIVersion)
		}
		return fail(Problem{Path: "apiVersion", Line: line, Err: err})
	}
	switch {
	case f.Kind == "":
		return fail(Problem{Path: "kind", Line: root.Line, Err: fmt.Errorf("missing: want %s", wantKind)})
	case f.Kind != wantKind:
		return fail(Problem{Path: "kind", Line: kindLine, Err: fmt.Errorf("%q: a %s file is a %s", f.Kind, f.APIVersion, wantKind)})
	}
	d := &decoded{walk: newStrictWalk()}
	d.walk.walk(root, reflect.TypeOf(target).Elem(), "")
	if err := root.Decode(target); err != nil {
		// The walk removed what decoding could trip on; what is left is
		// yaml's own refusal, of excessive aliasing say.
		return nil, nil, newError(name, append(d.walk.problems, Problem{Err: err}))
	}
	var c converter
	switch t := target.(type) {
	case *v1alpha1.Cluster:
		c.v1alpha1(t)
	case *k3d.Simple:
		c.k3d(t)
	}
	f.Options, f.Warnings, f.NameSet = c.opts, c.warnings, c.opts.Name != ""
	// A path in a file is relative to the file, wherever mini runs.
	f.registryConfig = f.Options.RegistryConfig
	if p := f.Options.RegistryConfig; p != "" && !filepath.IsAbs(p) && name != Stdin {
		f.Options.RegistryConfig = filepath.Join(filepath.Dir(name), p)
	}
	if !f.NameSet {
		f.Options.Name = DefaultName
	}
	d.findings, d.origin = c.findings, &c.origin
	return f, d, nil
}

// scalarField returns a top-level scalar's value and line, for reading
// apiVersion and kind before the file's type is known.
func scalarField(root *yaml.Node, key string) (string, int) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, v := root.Content[i], root.Content[i+1]; k.Value == key && v.Kind == yaml.ScalarNode {
			return v.Value, v.Line
		}
	}
	return "", 0
}
