package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// logTailLines is how much of a failed node's output create shows.
const logTailLines = 20

// failingNodes is an error that knows which running nodes to blame: their
// logs are shown before a rollback removes them.
type failingNodes interface {
	FailingNodes() []string
}

// waitingOnNode is a wait for one node's signal (its kubeconfig) that
// ended first.
type waitingOnNode struct {
	node string
	err  error
}

func (e *waitingOnNode) Error() string          { return e.err.Error() }
func (e *waitingOnNode) Unwrap() error          { return e.err }
func (e *waitingOnNode) FailingNodes() []string { return []string{e.node} }

// reportFailingNodes logs, for every node of the cluster that is not
// running or that err names as not Ready, its last relevant output. A
// create that fails because a node died, or keeps restarting, would
// otherwise roll back and take the only explanation with it.
func (p *Provider) reportFailingNodes(ctx context.Context, name string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var suspects []string
	var fn failingNodes
	if errors.As(err, &fn) {
		suspects = fn.FailingNodes()
	}
	cs, lerr := p.rt.ListContainers(ctx, clusterSelector(name))
	if lerr != nil {
		return
	}
	for _, c := range cs {
		if c.Running && !slices.Contains(suspects, c.Name) {
			continue
		}
		state := c.State
		if full, err := p.rt.InspectContainer(ctx, c.Name); err == nil && full.Restarts > 0 {
			state += fmt.Sprintf(", restarted %d time(s)", full.Restarts)
		}
		var buf bytes.Buffer
		if err := p.rt.Logs(ctx, c.Name, &buf); err != nil {
			continue
		}
		what := "is " + state
		if c.Running {
			what = "is not Ready (" + state + ")"
		}
		p.log.Warnf("node %s %s; its last errors:\n%s", c.Name, what, relevantLines(buf.String(), logTailLines))
	}
}

// errorLine matches a log line that reports a failure: klog's error and
// fatal severities (E1204 …, F1204 …) and the words components use.
var errorLine = regexp.MustCompile(`^[EF]\d{4} |(?i)\b(error|failed|fatal|panic)\b`)

// relevantLines returns the last n lines of a node's log that report a
// failure (kubelet's "Failed to start ContainerManager", say, rather
// than the info lines that follow it), or its last n lines when none do.
func relevantLines(log string, n int) string {
	var errs []string
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	for _, l := range lines {
		if errorLine.MatchString(l) {
			errs = append(errs, l)
		}
	}
	if len(errs) == 0 {
		errs = lines
	}
	if len(errs) > n {
		errs = errs[len(errs)-n:]
	}
	return strings.Join(errs, "\n")
}
