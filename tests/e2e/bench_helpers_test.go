//go:build e2e && bench

package e2e

import (
	"encoding/json"
	"os"
	"sort"
	"testing"
	"time"
)

// benchResult is one measured number; hack/bench.sh renders them into
// docs/benchmarks.md next to the machine description.
type benchResult struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Target float64 `json:"target,omitempty"`
	Note   string  `json:"note,omitempty"`
}

func record(t *testing.T, r benchResult) {
	t.Helper()
	t.Logf("BENCH %s = %.2f %s (target %.0f) %s", r.Name, r.Value, r.Unit, r.Target, r.Note)
	path := os.Getenv("MINI_BENCH_OUT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := json.NewEncoder(f).Encode(r); err != nil {
		t.Fatal(err)
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func secs(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}
