package cluster

import (
	"errors"
	"fmt"
)

// ErrInvalidOptions is matched (errors.Is) by the error of Create,
// Validate and CreateNodes when an option value is wrong on its own, before
// any cluster or host state is looked at: a malformed --port, an invalid
// name, a negative count. The CLI exits with its usage code for it;
// problems found against the state of the host or engine (a host port
// taken, a missing image) are not matched.
var ErrInvalidOptions = errors.New("invalid options")

// optionsError carries every problem of one parse. Unwrap returns the
// joined problems themselves (package config splits them), so the
// sentinel is matched by Is instead of a second wrapped error.
type optionsError struct {
	kind, name string
	err        error
}

func invalidOptions(kind, name string, err error) error {
	return &optionsError{kind: kind, name: name, err: err}
}

func (e *optionsError) Error() string {
	return fmt.Sprintf("invalid options for %s %q:\n%s", e.kind, e.name, e.err)
}

func (e *optionsError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrInvalidOptions) true.
func (e *optionsError) Is(target error) bool { return target == ErrInvalidOptions }
