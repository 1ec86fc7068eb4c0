package cluster

import (
	"bytes"
	"context"
	"strings"
	"time"
)

// logTailLines is how much of a failed node's output create shows.
const logTailLines = 20

// reportStoppedNodes logs the last lines of every node of the cluster that
// is not running. A create that fails because a node died would otherwise
// roll back and take the only explanation with it.
func (p *Provider) reportStoppedNodes(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cs, err := p.rt.ListContainers(ctx, clusterSelector(name))
	if err != nil {
		return
	}
	for _, c := range cs {
		if c.Running {
			continue
		}
		var buf bytes.Buffer
		if err := p.rt.Logs(ctx, c.Name, &buf); err != nil {
			continue
		}
		p.log.Warnf("container %s is %s; its last output:\n%s", c.Name, c.State, tail(buf.String(), logTailLines))
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
