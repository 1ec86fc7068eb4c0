package cli

import (
	"io"

	"golang.org/x/term"
)

// fder is what *os.File has and a bytes.Buffer has not.
type fder interface{ Fd() uintptr }

// IsTerminal tells whether w is a terminal: an *os.File (or anything with
// a file descriptor) that a tty backs. Pipes, files and buffers are not.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(fder)
	return ok && term.IsTerminal(int(f.Fd()))
}

// UseColor tells whether log lines written to w get colours: only on a
// terminal, and never with NO_COLOR set (https://no-color.org) or
// TERM=dumb, so that logs piped to a file or a CI log stay plain text.
func UseColor(w io.Writer, getenv func(string) string) bool {
	if getenv != nil && (getenv("NO_COLOR") != "" || getenv("TERM") == "dumb") {
		return false
	}
	return IsTerminal(w)
}
