package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// node is one JSON Schema (draft-07) node, the subset the config types
// need. Properties keep the fields' order, so that editors list them as
// the types do and the file diffs cleanly.
type node struct {
	Schema               string   `json:"$schema,omitempty"`
	ID                   string   `json:"$id,omitempty"`
	Title                string   `json:"title,omitempty"`
	Description          string   `json:"description,omitempty"`
	Type                 any      `json:"type,omitempty"`
	Enum                 []string `json:"enum,omitempty"`
	Default              any      `json:"default,omitempty"`
	Minimum              *int     `json:"minimum,omitempty"`
	Maximum              *int     `json:"maximum,omitempty"`
	Pattern              string   `json:"pattern,omitempty"`
	Items                *node    `json:"items,omitempty"`
	Properties           props    `json:"properties,omitempty"`
	Required             []string `json:"required,omitempty"`
	AdditionalProperties *bool    `json:"additionalProperties,omitempty"`

	// goType names the Go struct an object comes from, whose doc comment
	// the Markdown reference shows; not part of the schema.
	goType string
}

type prop struct {
	name string
	node *node
}

// props are an object's properties in order.
type props []prop

// MarshalJSON writes the properties as an object in their order.
func (ps props) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.name)
		v, err := marshal(p.node)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(bytes.TrimSpace(v))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal writes JSON without escaping <, > and &, which descriptions use.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// docs are the doc comments of a package's types ("Cluster") and fields
// ("Cluster.Servers"): reflection cannot see comments, so the generator
// reads the source.
type docs map[string]string

func readDocs(dir string) (docs, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := docs{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := gd.Doc
				if ts.Doc != nil {
					doc = ts.Doc
				}
				out[ts.Name.Name] = text(doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fld := range st.Fields.List {
					for _, n := range fld.Names {
						out[ts.Name.Name+"."+n.Name] = text(fld.Doc)
					}
				}
			}
		}
	}
	return out, nil
}

func text(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

// reflectType builds the schema of a Go type: structs become objects of
// their json-tagged fields (no others allowed), slices arrays, and the
// jsonschema tag adds what a type cannot say (defaults, bounds).
func (d docs) reflectType(t reflect.Type) (*node, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return &node{Type: "string"}, nil
	case reflect.Bool:
		return &node{Type: "boolean"}, nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return &node{Type: "integer"}, nil
	case reflect.Slice:
		items, err := d.reflectType(t.Elem())
		if err != nil {
			return nil, err
		}
		return &node{Type: "array", Items: items}, nil
	case reflect.Struct:
		no := false
		n := &node{Type: "object", Description: d[t.Name()], AdditionalProperties: &no, goType: t.Name()}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			p, err := d.reflectType(f.Type)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
			if doc := d[t.Name()+"."+f.Name]; doc != "" {
				p.Description = doc
			}
			required, err := p.applyTag(f.Tag.Get("jsonschema"))
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
			if required {
				n.Required = append(n.Required, name)
			}
			n.Properties = append(n.Properties, prop{name, p})
		}
		return n, nil
	}
	return nil, fmt.Errorf("no JSON Schema for a %s", t.Kind())
}

// applyTag reads a jsonschema tag: comma-separated "required",
// "enum=A|B", "default=V", "minimum=N", "maximum=N", "type=A|B" and, last
// as it may hold commas, "pattern=RE".
func (n *node) applyTag(tag string) (required bool, err error) {
	for tag != "" {
		var item string
		if strings.HasPrefix(tag, "pattern=") {
			item, tag = tag, ""
		} else {
			item, tag, _ = strings.Cut(tag, ",")
		}
		key, val, _ := strings.Cut(item, "=")
		switch key {
		case "required":
			required = true
		case "enum":
			n.Enum = strings.Split(val, "|")
		case "type":
			n.Type = strings.Split(val, "|")
		case "pattern":
			n.Pattern = val
		case "default":
			n.Default, err = typed(n.Type, val)
		case "minimum", "maximum":
			var i int
			if i, err = strconv.Atoi(val); err == nil && key == "minimum" {
				n.Minimum = &i
			} else if err == nil {
				n.Maximum = &i
			}
		default:
			err = fmt.Errorf("unknown jsonschema tag %q", key)
		}
		if err != nil {
			return false, err
		}
	}
	return required, nil
}

// typed reads a default in the type of its field.
func typed(t any, v string) (any, error) {
	switch t {
	case "integer":
		return strconv.Atoi(v)
	case "boolean":
		return strconv.ParseBool(v)
	}
	return v, nil
}

// build reads the doc comments of root's package, whose source is in dir,
// and reflects root: the one walk the JSON Schema and the Markdown
// reference are both written from.
func build(root reflect.Type, dir string) (*node, docs, error) {
	d, err := readDocs(dir)
	if err != nil {
		return nil, nil, err
	}
	n, err := d.reflectType(root)
	if err != nil {
		return nil, nil, err
	}
	return n, d, nil
}

// Generate returns the JSON Schema of root, whose package's source is in
// dir, with the given $id and title.
func Generate(root reflect.Type, dir, id, title string) ([]byte, error) {
	n, _, err := build(root, dir)
	if err != nil {
		return nil, err
	}
	n.Schema, n.ID, n.Title = "http://json-schema.org/draft-07/schema#", id, title
	compact, err := marshal(n)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
