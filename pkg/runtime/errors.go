package runtime

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is wrapped by every implementation when the object asked for
// does not exist, so callers can use errors.Is instead of matching text.
var ErrNotFound = errors.New("not found")

// ErrConflict is wrapped when an object with that name already exists.
var ErrConflict = errors.New("already exists")

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// ExecError is returned by helpers that run a command and need it to
// succeed; it carries the output so main can show why it failed.
type ExecError struct {
	Container string
	Cmd       []string
	ExitCode  int
	Output    string
}

// Error says which command failed where, with its output.
func (e *ExecError) Error() string {
	msg := fmt.Sprintf("command %q in container %s exited with code %d", strings.Join(e.Cmd, " "), e.Container, e.ExitCode)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += ": " + out
	}
	return msg
}
