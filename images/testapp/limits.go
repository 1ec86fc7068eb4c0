package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// runMode runs one of the modes that take arguments: they let e2e tests
// prove that a node enforces a pod's limits, on cgroup v1 and v2 alike.
func runMode(ctx context.Context, args []string, out io.Writer) error {
	switch {
	case len(args) == 1 && args[0] == "sleep":
		<-ctx.Done()
		return nil
	case len(args) == 2 && args[0] == "alloc":
		mib, err := strconv.Atoi(args[1])
		if err != nil || mib < 1 {
			return fmt.Errorf("alloc %q: want a whole number of MiB", args[1])
		}
		held := alloc(mib)
		fmt.Fprintf(out, "allocated %d MiB\n", len(held)/(1<<20))
		<-ctx.Done()
		return nil
	case len(args) == 2 && args[0] == "burn":
		secs, err := strconv.Atoi(args[1])
		if err != nil || secs < 1 {
			return fmt.Errorf("burn %q: want a whole number of seconds", args[1])
		}
		burn(ctx, time.Duration(secs)*time.Second)
		limit, throttled, err := cpuThrottling(os.ReadFile)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "cpu limit %s\nthrottled %d\n", limit, throttled)
		return nil
	}
	return fmt.Errorf("unknown arguments %q: want none, \"sleep\", \"alloc MIB\" or \"burn SECONDS\"", args)
}

// alloc returns mib MiB with every page written, so it is resident and
// counted against the memory limit.
func alloc(mib int) []byte {
	b := make([]byte, mib<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

// burn spins until d has passed or ctx ends.
func burn(ctx context.Context, d time.Duration) {
	end := time.Now().Add(d)
	for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
		_ = n * n
	}
}

// cpuThrottling reads the pod container's CPU limit and its throttled
// period count from its own cgroup, as a container sees it: cgroup v2's
// cpu.max and cpu.stat at /sys/fs/cgroup, or v1's cpu.cfs_quota_us and
// cpu.stat under /sys/fs/cgroup/cpu (or cpu,cpuacct).
func cpuThrottling(read func(string) ([]byte, error)) (limit string, throttled int, err error) {
	type layout struct{ limit, stat string }
	for _, l := range []layout{
		{"/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu.stat"},
		{"/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.stat"},
		{"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.stat"},
	} {
		lim, err := read(l.limit)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", 0, err
		}
		stat, err := read(l.stat)
		if err != nil {
			return "", 0, err
		}
		n, err := statField(stat, "nr_throttled")
		return strings.TrimSpace(string(lim)), n, err
	}
	return "", 0, errors.New("no CPU controller in /sys/fs/cgroup (neither cgroup v2 cpu.max nor v1 cpu.cfs_quota_us)")
}

// statField returns one "key value" field of a cgroup stat file.
func statField(stat []byte, key string) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(string(stat)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("cpu.stat has no %s", key)
}
