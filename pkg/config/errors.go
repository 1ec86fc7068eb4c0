package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a config file: where (the field path,
// as in ports[1].nodeFilters[0], and its line) and what.
type Problem struct {
	// Path is the field, "" for the file as a whole.
	Path string
	// Line is the line of the field, or of its closest parent in the
	// file; 0 when unknown (a field left out, say).
	Line int
	Err  error
}

// String writes the problem as FILE:LINE: PATH: MESSAGE, the form editors
// and compilers use, leaving out what is unknown.
func (p Problem) String(file string) string {
	var b strings.Builder
	b.WriteString(file)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Err.Error())
	return b.String()
}

// Error is every problem of one config file, in line order; validation
// reports them all at once.
type Error struct {
	File     string
	Problems []Problem
}

// Error writes a header line and one line per problem.
func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	n := "1 problem"
	if len(e.Problems) != 1 {
		n = fmt.Sprintf("%d problems", len(e.Problems))
	}
	lines = append(lines, fmt.Sprintf("config file %s is invalid (%s):", e.File, n))
	for _, p := range e.Problems {
		lines = append(lines, p.String(e.File))
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem's error to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Err
	}
	return out
}

// newError sorts problems by line (the file-wide ones first) and returns
// nil when there are none.
func newError(file string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return &Error{File: file, Problems: problems}
}
