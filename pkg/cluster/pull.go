package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	units "github.com/docker/go-units"
	"github.com/sirupsen/logrus"

	"github.com/minictl/mini/pkg/runtime"
)

// PullPolicy says when commands that run containers pull their images.
type PullPolicy string

// The pull policies, as --pull takes them.
const (
	// PullMissing pulls an image the engine does not have (the default).
	PullMissing PullPolicy = "missing"
	// PullAlways pulls every image, for a tag that moved.
	PullAlways PullPolicy = "always"
	// PullNever uses what the engine has, for air-gapped hosts.
	PullNever PullPolicy = "never"
)

// ParsePullPolicy reads --pull; empty is PullMissing.
func ParsePullPolicy(s string) (PullPolicy, error) {
	switch p := PullPolicy(s); p {
	case "":
		return PullMissing, nil
	case PullMissing, PullAlways, PullNever:
		return p, nil
	}
	return "", fmt.Errorf("--pull %q: want missing, always or never", s)
}

// waysOut is what a user without an image can do, said once after the
// errors that say an image is missing.
const waysOut = "Ways out: in a checkout of mini, `make images` builds the images; on a host that cannot reach the registry, " +
	"`mini image bundle load FILE` loads a bundle written by `mini image bundle save`; " +
	"--image-repository (or MINI_IMAGE_REPOSITORY) pulls them from a mirror."

// neededImage is an image a command runs, with what it is for the user
// (named in errors; may be empty).
type neededImage struct {
	ref, what string
}

// ensureImages makes the images present as policy says, each pulled once
// however often it is listed, all at once. Every problem is reported, each
// with its reference, the engine's reason and the ways out. It runs after
// every other check and before anything is created, so a failed pull
// leaves nothing behind.
func (p *Provider) ensureImages(ctx context.Context, policy PullPolicy, needed []neededImage) error {
	var todo []neededImage
	seen := map[string]bool{}
	var errs []error
	for _, n := range needed {
		if seen[n.ref] {
			continue
		}
		seen[n.ref] = true
		if policy != PullAlways {
			ok, err := p.rt.ImageExists(ctx, n.ref)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
			if policy == PullNever {
				errs = append(errs, fmt.Errorf("%s is not in the engine and --pull never forbids pulling it", strings.TrimSpace(n.what+" "+n.ref)))
				continue
			}
		}
		todo = append(todo, n)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w\n%s", errors.Join(errs...), waysOut)
	}
	if len(todo) == 0 {
		return nil
	}
	var mu sync.Mutex
	report := func(pr runtime.PullProgress) {
		mu.Lock()
		defer mu.Unlock()
		p.pullProgress(pr)
	}
	err := parallel(todo, func(n neededImage) error {
		p.log.Debugf("pulling %s %s", n.what, n.ref)
		err := p.rt.PullImage(ctx, n.ref, report)
		if err != nil && n.what != "" {
			err = fmt.Errorf("%s: %w", n.what, err)
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w\n%s", err, waysOut)
	}
	return err
}

// PullImages makes the images present as policy says, as the commands
// that run them do first (doctor, bundle save).
func (p *Provider) PullImages(ctx context.Context, policy PullPolicy, refs ...string) error {
	return p.ensureImages(ctx, policy, neededFor(refs))
}

// WithPullProgress replaces the progress lines of pulls (one every few
// seconds per image, in the log) with report: the CLI draws bars on a
// terminal. report is called from one goroutine at a time.
func WithPullProgress(report func(runtime.PullProgress)) Option {
	return func(p *Provider) { p.pullProgress = report }
}

// pullLines logs how far each pull got, at most every interval per image
// and once when it is done: what a CI log or a pipe gets.
type pullLines struct {
	log      logrus.FieldLogger
	interval time.Duration
	now      func() time.Time
	last     map[string]time.Time
	start    map[string]time.Time
}

func newPullLines(log logrus.FieldLogger, interval time.Duration, now func() time.Time) *pullLines {
	return &pullLines{log: log, interval: interval, now: now, last: map[string]time.Time{}, start: map[string]time.Time{}}
}

func (l *pullLines) report(pr runtime.PullProgress) {
	t := l.now()
	if _, ok := l.start[pr.Ref]; !ok {
		l.start[pr.Ref] = t
		l.last[pr.Ref] = t
		// A pull whose layers were all there may report only its end.
		if !pr.Finished {
			l.log.Infof("Pulling %s", pr.Ref)
			return
		}
	}
	if pr.Finished {
		l.log.Infof("✓ Pulled %s%s in %s", pr.Ref, pulledSize(pr), t.Sub(l.start[pr.Ref]).Round(100*time.Millisecond))
		return
	}
	if t.Sub(l.last[pr.Ref]) < l.interval {
		return
	}
	l.last[pr.Ref] = t
	l.log.Infof("Pulling %s: %s of %s, %d of %d layers", pr.Ref, units.HumanSize(float64(pr.Done)), units.HumanSize(float64(pr.Total)), pr.LayersDone, pr.Layers)
}

// pulledSize is " (SIZE)" of what a pull downloaded, or nothing when the
// engine had every layer.
func pulledSize(pr runtime.PullProgress) string {
	if pr.Total == 0 {
		return ""
	}
	return " (" + units.HumanSize(float64(pr.Total)) + ")"
}
