// Command mini starts real Kubernetes clusters inside Docker.
//
// main is the only place that exits: it wires the real dependencies (the
// Docker client, a logger on stderr, the OS environment), runs the command
// tree, prints the error once and maps it to an exit code.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/minictl/mini/pkg/cmd"
	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/runtime/docker"
)

func main() {
	os.Exit(run())
}

func run() int {
	// Ctrl-C cancels the context; create then rolls back what it made.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := logrus.New()
	logger.SetOutput(os.Stderr)
	app := &cmd.App{
		Streams: cmd.Streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr},
		Logger:  logger,
		NewRuntime: func() (runtime.Runtime, error) {
			return docker.New()
		},
		Getenv: os.Getenv,
	}
	err := cmd.Run(ctx, app, os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
	}
	return cmd.ExitCode(err)
}
