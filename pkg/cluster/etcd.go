package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/minictl/mini/pkg/runtime"
)

// etcdWaitTimeout bounds a wait for an etcd membership change: the node
// side acts on it within seconds (a member starts as soon as its server
// has joined; one is removed as soon as its Node object is deleted).
const etcdWaitTimeout = 2 * time.Minute

// etcdMembersCmd prints the etcd membership as seen by a server, a JSON
// array of etcdMember; it exits non-zero while that server's etcd does
// not answer.
var etcdMembersCmd = []string{"mini-node", "etcd", "members", "-o", "json"}

// etcdMember is one entry of etcdMembersCmd's output. Members are named
// like their server's Kubernetes node (its container name).
type etcdMember struct {
	Name    string `json:"name"`
	PeerURL string `json:"peerURL"`
	Started bool   `json:"started"`
}

// quorum is how many of n etcd members must be up for etcd to work, and
// in particular to add or remove a member.
func quorum(n int) int { return n/2 + 1 }

// serverCountWarning explains what n servers tolerate when the answer is
// surprising; "" when it is not. Two servers are worse than one: etcd
// needs both, so losing either stops the API.
func serverCountWarning(n int) string {
	switch {
	case n == 2:
		return "2 servers give no fault tolerance: etcd needs a majority of its members (2 of 2), so losing either server stops the API; use 3 servers to survive the loss of one"
	case n > 2 && n%2 == 0:
		return fmt.Sprintf("%d servers tolerate no more failures than %d (etcd needs a majority, %d of %d); an odd number of servers is the better choice", n, n-1, quorum(n), n)
	}
	return ""
}

// etcdMembers asks server via for the etcd membership.
func (p *Provider) etcdMembers(ctx context.Context, via string) ([]etcdMember, error) {
	out, err := runtime.Run(ctx, p.rt, via, nil, etcdMembersCmd...)
	if err != nil {
		return nil, err
	}
	var ms []etcdMember
	if err := json.Unmarshal(out, &ms); err != nil {
		return nil, fmt.Errorf("parsing the output of %q in %s: %w", strings.Join(etcdMembersCmd, " "), via, err)
	}
	return ms, nil
}

// waitEtcd polls the membership through server via until done holds, for
// at most p.etcdTimeout. A failing command is retried: the server's
// etcd may be between leaders. what says what is awaited, for the error.
func (p *Provider) waitEtcd(ctx context.Context, via, what string, done func([]etcdMember) bool) error {
	ctx, cancel := context.WithTimeout(ctx, p.etcdTimeout)
	defer cancel()
	last := "no answer yet"
	for {
		ms, err := p.etcdMembers(ctx, via)
		if err == nil && done(ms) {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = describeMembers(ms)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s (asking %s; last answer: %s): %w", what, via, last, ctx.Err())
		case <-time.After(p.poll):
		}
	}
}

// waitMemberGone waits until etcd no longer lists node as a member.
func (p *Provider) waitMemberGone(ctx context.Context, via, node string) error {
	return p.waitEtcd(ctx, via, "etcd to remove member "+node, func(ms []etcdMember) bool {
		for _, m := range ms {
			if m.Name == node {
				return false
			}
		}
		return true
	})
}

// waitMemberStarted waits until node is a started etcd member: its server
// has joined, and a membership change after it cannot lose quorum on it.
func (p *Provider) waitMemberStarted(ctx context.Context, via, node string) error {
	return p.waitEtcd(ctx, via, node+" to join etcd", func(ms []etcdMember) bool {
		for _, m := range ms {
			if m.Name == node {
				return m.Started
			}
		}
		return false
	})
}

func describeMembers(ms []etcdMember) string {
	if len(ms) == 0 {
		return "no members"
	}
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		state := "started"
		if !m.Started {
			state = "not started"
		}
		parts = append(parts, m.Name+" ("+state+")")
	}
	return "members " + strings.Join(parts, ", ")
}
