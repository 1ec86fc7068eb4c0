package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/minictl/mini/pkg/runtime"
)

// PullBars draws a live bar per image being pulled on a terminal: one line
// each, redrawn in place (cursor up, clear line), at most every interval
// and whenever a pull finishes. Logs and pipes get the library's plain
// lines instead; -q gets neither.
type PullBars struct {
	w        io.Writer
	width    int
	interval time.Duration
	now      func() time.Time
	order    []string
	last     map[string]runtime.PullProgress
	drawn    int
	at       time.Time
}

// NewPullBars draws on w, a terminal.
func NewPullBars(w io.Writer, now func() time.Time) *PullBars {
	return &PullBars{w: w, width: 30, interval: 100 * time.Millisecond, now: now, last: map[string]runtime.PullProgress{}}
}

// Report takes one progress report; the provider calls it from one
// goroutine at a time.
func (b *PullBars) Report(pr runtime.PullProgress) {
	if _, ok := b.last[pr.Ref]; !ok {
		b.order = append(b.order, pr.Ref)
	}
	b.last[pr.Ref] = pr
	t := b.now()
	if !pr.Finished && b.drawn > 0 && t.Sub(b.at) < b.interval {
		return
	}
	b.at = t
	var sb strings.Builder
	if b.drawn > 0 {
		fmt.Fprintf(&sb, "\x1b[%dA", b.drawn)
	}
	for _, ref := range b.order {
		sb.WriteString("\r\x1b[K" + b.line(b.last[ref]) + "\n")
	}
	b.drawn = len(b.order)
	io.WriteString(b.w, sb.String())
}

// line is one image's bar: "Pulling REF [=====>    ] 120MB/388MB 3/7".
func (b *PullBars) line(pr runtime.PullProgress) string {
	if pr.Finished {
		if pr.Total == 0 {
			return "✓ Pulled " + pr.Ref
		}
		return fmt.Sprintf("✓ Pulled %s (%s)", pr.Ref, units.HumanSize(float64(pr.Total)))
	}
	filled := 0
	if pr.Total > 0 {
		filled = int(int64(b.width) * min(pr.Done, pr.Total) / pr.Total)
	}
	bar := strings.Repeat("=", filled)
	if filled < b.width {
		bar += ">" + strings.Repeat(" ", b.width-filled-1)
	}
	return fmt.Sprintf("Pulling %s [%s] %s/%s %d/%d layers", pr.Ref, bar,
		units.HumanSize(float64(pr.Done)), units.HumanSize(float64(pr.Total)), pr.LayersDone, pr.Layers)
}
