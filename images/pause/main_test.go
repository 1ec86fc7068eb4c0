package main

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestReap starts children without waiting for them, as orphans re-parented
// to PID 1 would be, and checks reap collects them so no zombie remains.
func TestReap(t *testing.T) {
	var pids []int
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child: %v", err)
		}
		pids = append(pids, cmd.Process.Pid)
	}
	reaped := 0
	for deadline := time.Now().Add(10 * time.Second); reaped < len(pids); {
		if time.Now().After(deadline) {
			t.Fatalf("reaped %d of %d children", reaped, len(pids))
		}
		reaped += reap()
		time.Sleep(10 * time.Millisecond)
	}
	for _, pid := range pids {
		// A reaped child no longer exists, not even as a zombie.
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("child %d still exists (kill 0: %v)", pid, err)
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			t.Errorf("child %d still in /proc", pid)
		}
	}
	if n := reap(); n != 0 {
		t.Errorf("reap with no exited children returned %d", n)
	}
}

// TestExitOnSignal runs the real binary and checks SIGTERM ends it with 0.
func TestExitOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir() + "/pause"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(bin)
		if err := cmd.Start(); err != nil {
			t.Fatalf("start: %v", err)
		}
		// A signal sent before main installs its handlers would end the
		// process by the runtime's default action and test nothing of ours;
		// Go shows no sign of that moment, so allow ample time.
		time.Sleep(time.Second)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatalf("signal: %v", err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("after %v: %v, want exit status 0", sig, err)
			}
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("still running 5s after %v", sig)
		}
	}
}

func TestServe(t *testing.T) {
	sigs := make(chan os.Signal, 3)
	sigs <- syscall.SIGCHLD
	sigs <- syscall.SIGCHLD
	sigs <- syscall.SIGTERM
	calls := 0
	serve(sigs, func() int { calls++; return 0 })
	if calls != 2 {
		t.Errorf("reaped %d times for 2 SIGCHLDs", calls)
	}
	if len(sigs) != 0 {
		t.Errorf("serve returned with %d signals unread", len(sigs))
	}
}
