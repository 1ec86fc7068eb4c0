package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestCPUThrottling(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"v2":        {"/sys/fs/cgroup/cpu.max": "10000 100000\n", "/sys/fs/cgroup/cpu.stat": "usage_usec 5\nnr_periods 20\nnr_throttled 17\nthrottled_usec 9\n"},
		"v1":        {"/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "10000\n", "/sys/fs/cgroup/cpu/cpu.stat": "nr_periods 20\nnr_throttled 17\nthrottled_time 9\n"},
		"v1 joined": {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "10000\n", "/sys/fs/cgroup/cpu,cpuacct/cpu.stat": "nr_throttled 17\n"},
	} {
		read := func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, os.ErrNotExist
		}
		limit, n, err := cpuThrottling(read)
		if err != nil || n != 17 || !strings.HasPrefix(limit, "10000") {
			t.Errorf("%s: limit %q, throttled %d, %v", name, limit, n, err)
		}
	}
	if _, _, err := cpuThrottling(func(string) ([]byte, error) { return nil, os.ErrNotExist }); err == nil {
		t.Error("no cgroup files, no error")
	}
}

func TestRunModes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := runMode(ctx, []string{"alloc", "2"}, &out); err != nil || out.String() != "allocated 2 MiB\n" {
		t.Errorf("alloc: %q, %v", out.String(), err)
	}
	for _, bad := range [][]string{{"alloc", "x"}, {"burn", "0"}, {"sleep", "1"}, {"dance"}} {
		if err := runMode(ctx, bad, &out); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if err := runMode(ctx, []string{"sleep"}, &out); err != nil {
		t.Errorf("sleep: %v", err)
	}
}
