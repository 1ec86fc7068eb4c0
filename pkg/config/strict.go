package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// strictWalk checks a YAML tree against a Go type before decoding it, the
// way yaml.v3's KnownFields does, but naming each problem's field path and
// line, and going on after the first: an unknown field, a repeated key or
// a value of the wrong kind is reported and cut from the tree, so that
// decoding what is left cannot fail and the values that are there can be
// checked too. It also records the line of every path, for the problems
// found later in the values.
type strictWalk struct {
	lines    map[string]int
	problems []Problem
	// cut are the paths of removed values; problems found later under
	// them would only repeat the first.
	cut []string
	// seen are the mappings and lists already checked against a type:
	// aliases and merge keys reach a node again, and nested ones would
	// otherwise cost exponential time (a "billion laughs" file).
	seen map[seenKey]bool
}

type seenKey struct {
	n *yaml.Node
	t reflect.Type
}

func newStrictWalk() *strictWalk {
	return &strictWalk{lines: map[string]int{}, seen: map[seenKey]bool{}}
}

// once reports whether n is checked against t for the first time.
func (w *strictWalk) once(n *yaml.Node, t reflect.Type) bool {
	k := seenKey{n, t}
	if w.seen[k] {
		return false
	}
	w.seen[k] = true
	return true
}

func (w *strictWalk) fail(path string, line int, format string, args ...any) {
	w.problems = append(w.problems, Problem{Path: path, Line: line, Err: fmt.Errorf(format, args...)})
	w.cut = append(w.cut, path)
}

// isCut reports whether path is at or under a removed value.
func (w *strictWalk) isCut(path string) bool {
	for _, c := range w.cut {
		if path == c || strings.HasPrefix(path, c+".") || strings.HasPrefix(path, c+"[") {
			return true
		}
	}
	return false
}

// line returns the line of path, or of its closest recorded parent.
func (w *strictWalk) line(path string) int {
	for path != "" {
		if l, ok := w.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

var nullNode = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}

// walk checks n against t and reports whether n may stay in the tree.
func (w *strictWalk) walk(n *yaml.Node, t reflect.Type, path string) bool {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return true // decodes to the zero value: left out
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind != yaml.ScalarNode && !w.once(n, t) {
		return true
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.fail(path, n.Line, "want a mapping of fields, got %s", describe(n))
			return false
		}
		w.mapping(n, t, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.fail(path, n.Line, "want a list, got %s", describe(n))
			return false
		}
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			w.lines[p] = item.Line
			if !w.walk(item, t.Elem(), p) {
				// Keep the index of the items that follow: the item
				// stays, empty, and its problems are already reported.
				n.Content[i] = &yaml.Node{Kind: nullNode.Kind, Tag: nullNode.Tag, Value: nullNode.Value, Line: item.Line}
			}
		}
	default:
		return w.scalar(n, t, path)
	}
	return true
}

// mapping checks the fields of a mapping against struct t, removing the
// unknown, repeated and bad ones.
func (w *strictWalk) mapping(n *yaml.Node, t reflect.Type, path string) {
	fields := yamlFields(t)
	seen := map[string]int{}
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		switch f, ok := fields[k.Value]; {
		case k.Value == "<<" && k.ShortTag() == "!!merge":
			// A merge key brings in the fields of other mappings.
			if !w.merge(v, t, path) {
				continue
			}
		case k.Kind != yaml.ScalarNode:
			w.fail(path, k.Line, "a field name must be a plain string, got %s", describe(k))
			continue
		case !ok:
			w.fail(p, k.Line, "unknown field %q%s", k.Value, suggest(k.Value, fields))
			continue
		case seen[k.Value] != 0:
			w.problems = append(w.problems, Problem{Path: p, Line: k.Line,
				Err: fmt.Errorf("repeated; it is already set at line %d", seen[k.Value])})
			continue
		default:
			seen[k.Value] = k.Line
			w.lines[p] = k.Line
			if !w.walk(v, f.Type, p) {
				continue
			}
		}
		kept = append(kept, k, v)
	}
	n.Content = kept
}

// merge checks the value of a merge key ("<<: *base"): a mapping or a
// list of mappings whose fields the mapping takes.
func (w *strictWalk) merge(v *yaml.Node, t reflect.Type, path string) bool {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for _, m := range items {
		for m.Kind == yaml.AliasNode && m.Alias != nil {
			m = m.Alias
		}
		if m.Kind != yaml.MappingNode {
			w.fail(path, v.Line, "a merge (<<) takes mappings, got %s", describe(m))
			return false
		}
		if w.once(m, t) {
			w.mapping(m, t, path)
		}
	}
	return true
}

// scalar checks a value for a string, integer or boolean field.
func (w *strictWalk) scalar(n *yaml.Node, t reflect.Type, path string) bool {
	if n.Kind != yaml.ScalarNode {
		w.fail(path, n.Line, "want %s, got %s", kindName(t), describe(n))
		return false
	}
	tag := n.ShortTag()
	switch t.Kind() {
	case reflect.String:
		// Any scalar reads as its text, as in yaml.v3: port: 8080 is "8080".
		if tag == "!!binary" {
			w.fail(path, n.Line, "want a string, got binary data")
			return false
		}
	case reflect.Bool:
		if tag != "!!bool" {
			w.fail(path, n.Line, "want true or false, got %q", n.Value)
			return false
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if tag != "!!int" || n.Decode(&i) != nil || reflect.New(t).Elem().OverflowInt(i) {
			w.fail(path, n.Line, "want a whole number, got %q", n.Value)
			return false
		}
	default:
		w.fail(path, n.Line, "mini cannot read a %s here", t.Kind())
		return false
	}
	return true
}

// yamlFields maps the YAML names of a struct's fields to the fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "an alias"
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a whole number"
}

// suggest names the known field closest to a misspelt one.
func suggest(name string, fields map[string]reflect.StructField) string {
	best, bestD := "", 3
	for f := range fields {
		d := distance(strings.ToLower(name), strings.ToLower(f))
		if d < bestD || (d == bestD && f < best) {
			best, bestD = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance of two short strings.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
