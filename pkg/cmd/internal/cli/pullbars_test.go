package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/minictl/mini/pkg/runtime"
)

func TestPullBarsRedrawInPlace(t *testing.T) {
	var out strings.Builder
	now := time.Unix(0, 0)
	b := NewPullBars(&out, func() time.Time { return now })
	b.width = 10
	b.Report(runtime.PullProgress{Ref: "n", Total: 1000, Layers: 2})
	// Within the interval of the last draw: shown with the next one.
	b.Report(runtime.PullProgress{Ref: "l", Total: 100, Layers: 1})
	now = now.Add(time.Second)
	b.Report(runtime.PullProgress{Ref: "n", Done: 500, Total: 1000, Layers: 2, LayersDone: 1})
	b.Report(runtime.PullProgress{Ref: "n", Done: 600, Total: 1000, Layers: 2, LayersDone: 1})
	b.Report(runtime.PullProgress{Ref: "l", Done: 100, Total: 100, Layers: 1, LayersDone: 1, Finished: true})
	frames := strings.Split(out.String(), "\x1b[")
	got := out.String()
	for _, want := range []string{
		"Pulling n [>         ] 0B/1kB 0/2 layers\n",
		"\x1b[1A\r\x1b[KPulling n [=====>    ] 500B/1kB 1/2 layers\n\r\x1b[KPulling l [>         ] 0B/100B 0/1 layers\n",
		"\x1b[2A\r\x1b[KPulling n [======>   ] 600B/1kB 1/2 layers\n\r\x1b[K✓ Pulled l (100B)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
	// Three draws: the first, a second later, the finish; reports within
	// the interval of a draw are not drawn on their own.
	if n := strings.Count(got, "Pulling n"); n != 3 {
		t.Errorf("drew n %d times, want 3 (%d escapes): %q", n, len(frames), got)
	}
}
