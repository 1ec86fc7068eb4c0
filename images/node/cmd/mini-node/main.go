// Command mini-node is the mini node image's one binary. Run as
// "mini-node server" or "mini-node agent" it is a Kubernetes node; called
// through a link named kubectl, containerd, ctr or crictl (or with that as
// its first argument) it is that program, the clients preconfigured for
// this node. Only containerd's shim and runc are separate executables.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/cli"
	"github.com/minictl/mini/images/node/internal/tools"
)

// Stamped by the build (-ldflags -X).
var (
	kubernetesVersion = "v0.0.0-dev"
	revision          = "dev"
)

// shutdownGrace bounds how long the node waits for its components after a
// signal; docker stop gives 10 s before SIGKILL.
const shutdownGrace = 8 * time.Second

// defaultGCPercent trades a little CPU for memory: the whole control plane
// and kubelet share one heap, and Go's default (100) lets it grow to twice
// what is live. Measured on an idle server: 360 → 310 MiB for ~3% more CPU
// (docs/node-image.md). A GOGC in the environment still wins.
const defaultGCPercent = 50

func tuneGC(env string) {
	if env == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

func main() {
	os.Exit(run())
}

func run() int {
	args := os.Args[1:]
	name := filepath.Base(os.Args[0])
	if !tools.Is(name) && len(args) > 0 && tools.Is(args[0]) {
		name, args = args[0], args[1:]
	}
	if tools.Is(name) {
		// The tools handle their own signals (containerd) or have none.
		if err := tools.Run(context.Background(), name, args); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			return 1
		}
		return 0
	}

	tuneGC(os.Getenv("GOGC"))
	klog.InitFlags(nil)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	root := cli.NewRoot(cli.Version{Kubernetes: kubernetesVersion, Revision: revision}, cli.DefaultRunners(), os.Getenv, os.Stdout)
	root.SetArgs(args)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done:
		case <-time.After(shutdownGrace):
			klog.InfoS("Components did not stop in time; exiting")
		}
	}
	klog.Flush()
	if err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "mini-node: %v\n", err)
		return 1
	}
	return 0
}
