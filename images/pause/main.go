// Command pause is the sandbox ("infra") container of every pod in a mini
// node: it holds the pod's namespaces open by doing nothing, forever.
//
// It is PID 1 of the pod's PID namespace when the pod shares one, so it must
// reap orphaned children that get re-parented to it, or they stay zombies
// for the pod's lifetime. As PID 1 the kernel delivers no signal it has not
// installed a handler for, so SIGINT and SIGTERM are handled explicitly and
// end it with status 0: the runtime asked it to stop, which is success.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	serve(sigs, reap)
	os.Exit(0)
}

// serve reaps on every SIGCHLD and returns on any other signal.
func serve(sigs <-chan os.Signal, reap func() int) {
	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			return
		}
		reap()
	}
}

// reap collects every exited child and returns how many it collected.
// Signals coalesce, so one SIGCHLD may stand for several exits: keep waiting
// until no exited child is left.
func reap() int {
	n := 0
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return n
		}
		n++
	}
}
