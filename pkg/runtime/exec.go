package runtime

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// Run runs cmd in the container with stdin, and returns its stdout. A
// non-zero exit code becomes an *ExecError carrying stdout and stderr.
func Run(ctx context.Context, rt Runtime, container string, stdin io.Reader, cmd ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	code, err := rt.Exec(ctx, container, ExecSpec{Cmd: cmd, Stdin: stdin, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		return nil, fmt.Errorf("running %q in container %s: %w", cmd, container, err)
	}
	if code != 0 {
		return stdout.Bytes(), &ExecError{Container: container, Cmd: cmd, ExitCode: code, Output: stderr.String() + stdout.String()}
	}
	return stdout.Bytes(), nil
}
