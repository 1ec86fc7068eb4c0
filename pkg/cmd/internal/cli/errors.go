package cli

import (
	"context"
	"errors"

	"github.com/minictl/mini/pkg/cluster"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// UsageError is a mistake in the command line (unknown command or flag,
// wrong number of arguments, a flag value of the wrong type); it exits
// with ExitUsage, as do option values the library refuses on their own
// (cluster.ErrInvalidOptions).
type UsageError struct{ Err error }

// Error returns the wrapped message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *UsageError) Unwrap() error { return e.Err }

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue), errors.Is(err, cluster.ErrInvalidOptions):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	return ExitError
}
