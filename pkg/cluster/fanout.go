package cluster

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// fanoutChunk is the read size of a fan-out; fanoutDepth chunks may wait
// for each slow target, which bounds memory at about targets × 2 MiB.
const (
	fanoutChunk = 256 << 10
	fanoutDepth = 8
)

// fanoutResult is what one target of a fan-out did.
type fanoutResult struct {
	// Bytes is how much of the stream the target took before it ended.
	Bytes int64
	Err   error
	// Took is how long the target's run lasted: slow nodes show.
	Took time.Duration
}

// fanout copies one stream to several consumers at once, without a
// temporary file: each target's run reads its own copy of src. A target
// that fails stops receiving the stream, the others go on; the stream is
// read once, as fast as the slowest live target takes it. When every
// target has failed, src is no longer read.
func fanout(ctx context.Context, src io.Reader, targets []string, run func(ctx context.Context, target string, r io.Reader) error) map[string]fanoutResult {
	type sink struct {
		ch   chan []byte
		done chan struct{}
		res  fanoutResult
	}
	sinks := make([]*sink, len(targets))
	var srcErr error
	var wg sync.WaitGroup
	for i, t := range targets {
		s := &sink{ch: make(chan []byte, fanoutDepth), done: make(chan struct{})}
		sinks[i] = s
		pr, pw := io.Pipe()
		wg.Add(2)
		go func() {
			defer wg.Done()
			defer close(s.done)
			start := time.Now()
			err := run(ctx, t, pr)
			s.res.Took = time.Since(start)
			// A consumer that returned early has not read everything:
			// whatever is still written to it fails and is dropped.
			pr.CloseWithError(errTargetEnded)
			s.res.Err = err
		}()
		go func() {
			defer wg.Done()
			var n int64
			for b := range s.ch {
				if _, err := pw.Write(b); err != nil {
					for range s.ch {
					}
					break
				}
				n += int64(len(b))
			}
			// srcErr is set before the channel is closed: nil ends the
			// copy with EOF, anything else with the source's error.
			pw.CloseWithError(srcErr)
			<-s.done
			s.res.Bytes = n
		}()
	}
	srcErr = distribute(ctx, src, func(b []byte) bool {
		live := false
		for _, s := range sinks {
			// A finished target first: its channel keeps draining, so a
			// plain select could still pick the send at random.
			select {
			case <-s.done:
				continue
			default:
			}
			select {
			case s.ch <- b:
				live = true
			case <-s.done:
			case <-ctx.Done():
				return false
			}
		}
		return live
	})
	for _, s := range sinks {
		close(s.ch)
	}
	wg.Wait()
	out := make(map[string]fanoutResult, len(targets))
	for i, t := range targets {
		res := sinks[i].res
		if res.Err == nil && srcErr != nil {
			res.Err = srcErr
		}
		out[t] = res
	}
	return out
}

// errTargetEnded is what writes to a target that stopped reading return.
var errTargetEnded = errors.New("import ended before the end of the stream")

// errNoTargetLeft ends a distribution nobody listens to any more.
var errNoTargetLeft = errors.New("every target failed")

// distribute reads src in chunks and hands each (a fresh buffer, shared
// read-only by every target) to send, until EOF, an error, ctx's end or
// send reporting that no target is left.
func distribute(ctx context.Context, src io.Reader, send func([]byte) bool) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := make([]byte, fanoutChunk)
		n, err := io.ReadFull(src, b)
		if n > 0 && !send(b[:n]) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errNoTargetLeft
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return nil
		case err != nil:
			return err
		}
	}
}
