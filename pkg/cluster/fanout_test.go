package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
	"testing"
	"time"
)

func TestFanoutCopiesTheWholeStreamToEveryLiveTarget(t *testing.T) {
	data := make([]byte, 5*fanoutChunk+123)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	var mu sync.Mutex
	got := map[string][32]byte{}
	res := fanout(context.Background(), bytes.NewReader(data), []string{"fast", "slow", "broken"}, func(_ context.Context, target string, r io.Reader) error {
		switch target {
		case "broken":
			_, _ = io.CopyN(io.Discard, r, 1000)
			return errors.New("broken pipe")
		case "slow":
			time.Sleep(20 * time.Millisecond)
		}
		h := sha256.New()
		_, err := io.Copy(h, r)
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		mu.Lock()
		got[target] = sum
		mu.Unlock()
		return err
	})
	for _, tg := range []string{"fast", "slow"} {
		if res[tg].Err != nil || got[tg] != want || res[tg].Bytes != int64(len(data)) {
			t.Errorf("%s: err %v, %d bytes, digest match %v", tg, res[tg].Err, res[tg].Bytes, got[tg] == want)
		}
	}
	if res["broken"].Err == nil {
		t.Error("broken target reported no error")
	}
	if res["slow"].Took < 20*time.Millisecond || res["broken"].Took >= res["slow"].Took {
		t.Errorf("took: slow %s, broken %s; want each target's own time", res["slow"].Took, res["broken"].Took)
	}
}

func TestFanoutSourceErrorReachesTargets(t *testing.T) {
	src := io.MultiReader(bytes.NewReader(make([]byte, 1000)), &failingReader{})
	res := fanout(context.Background(), src, []string{"a", "b"}, func(_ context.Context, _ string, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
	for _, tg := range []string{"a", "b"} {
		if res[tg].Err == nil || !errors.Is(res[tg].Err, errSource) {
			t.Errorf("%s: err = %v, want the source's error", tg, res[tg].Err)
		}
	}
}

func TestFanoutStopsReadingWhenEveryTargetFailed(t *testing.T) {
	src := &endlessReader{}
	res := fanout(context.Background(), src, []string{"a", "b"}, func(context.Context, string, io.Reader) error {
		return errors.New("no space left")
	})
	if res["a"].Err == nil || res["b"].Err == nil {
		t.Fatalf("results = %+v", res)
	}
	if src.n > (fanoutDepth+2)*fanoutChunk {
		t.Errorf("read %d bytes after every target failed", src.n)
	}
}

var errSource = errors.New("engine went away")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errSource }

// endlessReader is an endless stream counting what was read.
type endlessReader struct{ n int }

func (c *endlessReader) Read(p []byte) (int, error) { c.n += len(p); return len(p), nil }
