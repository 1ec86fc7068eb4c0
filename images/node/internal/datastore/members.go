package datastore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// Member is one etcd cluster member as users see it.
type Member struct {
	Name    string `json:"name"`
	PeerURL string `json:"peerURL"`
	// Started is false for a member that was added but has not yet run.
	Started bool `json:"started"`
	// Learner is true for a joining member not yet promoted to a voter.
	Learner bool `json:"learner"`
	// Healthy is set by Health: the member answered a status request.
	Healthy    bool     `json:"healthy"`
	ClientURLs []string `json:"clientURLs,omitempty"`
	ID         uint64   `json:"-"`
}

// Health asks every started member for its status, directly, and marks
// the ones that answer: a member cut off from its peers still answers,
// but only one that is part of a quorum has a leader.
func Health(ctx context.Context, c *clientv3.Client, list []Member) []Member {
	out := append([]Member(nil), list...)
	for i, m := range out {
		for _, u := range m.ClientURLs {
			sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			st, err := c.Status(sctx, u)
			cancel()
			if err == nil && st.Leader != 0 && len(st.Errors) == 0 {
				out[i].Healthy = true
				break
			}
		}
	}
	return out
}

// EtcdClient connects to etcd endpoints with the given client certificate.
func EtcdClient(endpoints []string, caFile, certFile, keyFile string) (*clientv3.Client, error) {
	tlsCfg, err := transport.TLSInfo{TrustedCAFile: caFile, CertFile: certFile, KeyFile: keyFile}.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("etcd client tls: %w", err)
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, TLS: tlsCfg, DialTimeout: 5 * time.Second,
		Logger: zap.NewNop()})
	if err != nil {
		return nil, fmt.Errorf("etcd client for %s: %w", strings.Join(endpoints, ","), err)
	}
	return c, nil
}

// Members lists the cluster's members.
func Members(ctx context.Context, c *clientv3.Client) ([]Member, error) {
	return members(ctx, c)
}

// members lists the members; a joiner asks serializably, because a member
// it has just added but not yet started may have cost the cluster its
// quorum, and a linearizable list would then never answer.
func members(ctx context.Context, c *clientv3.Client, opts ...clientv3.OpOption) ([]Member, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := c.MemberList(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("list etcd members: %w", err)
	}
	return toMembers(resp.Members), nil
}

func toMembers(list []*etcdserverpb.Member) []Member {
	out := make([]Member, 0, len(list))
	for _, m := range list {
		mem := Member{Name: m.Name, Started: m.Name != "", Learner: m.IsLearner, ID: m.ID, ClientURLs: m.ClientURLs}
		if len(m.PeerURLs) > 0 {
			mem.PeerURL = m.PeerURLs[0]
		}
		out = append(out, mem)
	}
	return out
}

// RemoveMember removes the member called name, and a member added for ip
// but never started (a join that failed half-way has no name yet);
// removing one that is not there is not an error, so every server may
// react to the same event.
func RemoveMember(ctx context.Context, c *clientv3.Client, name, ip string) (bool, error) {
	list, err := Members(ctx, c)
	if err != nil {
		return false, err
	}
	removed := false
	for _, m := range list {
		if !(m.Name == name || (!m.Started && ip != "" && peerHost(m.PeerURL) == ip)) {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := c.MemberRemove(rctx, m.ID)
		cancel()
		if err != nil && !errors.Is(err, rpctypes.ErrMemberNotFound) {
			return removed, fmt.Errorf("remove etcd member %s (%s): %w", name, m.PeerURL, err)
		}
		removed = true
	}
	return removed, nil
}

func peerHost(peerURL string) string {
	u, err := url.Parse(peerURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// JoinTimeout bounds how long a new member keeps asking to be added and
// promoted: etcd takes one learner at a time, so servers joining together
// take turns.
const JoinTimeout = 3 * time.Minute

// AddMember makes this node (name, peerURL) a learner of the cluster behind
// c and returns the --initial-cluster value it must start with. A learner
// does not vote, so adding it never costs the cluster its quorum (a voting
// member added but not yet started does, stalling every write until it
// runs); Promote makes it a voter once it has caught up. A member left over
// under the same peer URL (a server whose data was lost) is replaced; one
// added but never started is reused.
func AddMember(ctx context.Context, c *clientv3.Client, name, peerURL string) (string, error) {
	var initial string
	err := retry(ctx, time.Second, "joining etcd as "+name, func() (err error) {
		initial, err = addMember(ctx, c, name, peerURL)
		return err
	})
	return initial, err
}

// retry calls try every interval until it succeeds or JoinTimeout passes,
// logging why it waits, and fails with the last reason.
func retry(ctx context.Context, interval time.Duration, what string, try func() error) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, interval, JoinTimeout, true, func(context.Context) (bool, error) {
		if last = try(); last != nil {
			klog.InfoS("Waiting", "for", what, "reason", last)
			return false, nil
		}
		return true, nil
	})
	if err != nil && last != nil {
		return fmt.Errorf("%s: %w", what, last)
	}
	return err
}

func addMember(ctx context.Context, c *clientv3.Client, name, peerURL string) (string, error) {
	list, err := members(ctx, c, clientv3.WithSerializable())
	if err != nil {
		return "", err
	}
	mine := false
	for _, m := range list {
		if m.PeerURL != peerURL && (m.Name != name || name == "") {
			continue
		}
		if !m.Started && m.PeerURL == peerURL {
			mine = true
			continue
		}
		// A started member under our address or name has data we no longer
		// have: it must go before we can come back with an empty store.
		klog.InfoS("Replacing stale etcd member", "name", m.Name, "peerURL", m.PeerURL)
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := c.MemberRemove(rctx, m.ID)
		cancel()
		if err != nil && !errors.Is(err, rpctypes.ErrMemberNotFound) {
			return "", fmt.Errorf("remove stale etcd member %s: %w", m.Name, err)
		}
	}
	if mine {
		return InitialCluster(list, name, peerURL), nil
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	resp, err := c.MemberAddAsLearner(actx, []string{peerURL})
	cancel()
	if err != nil {
		return "", fmt.Errorf("add etcd learner: %w", err)
	}
	return InitialCluster(toMembers(resp.Members), name, peerURL), nil
}

// InitialCluster renders --initial-cluster for a new member: every started
// member by name plus the new one (whose entry has no name yet).
func InitialCluster(members []Member, name, peerURL string) string {
	var parts []string
	for _, m := range members {
		switch {
		case m.PeerURL == peerURL:
			parts = append(parts, name+"="+peerURL)
		case m.Started:
			parts = append(parts, m.Name+"="+m.PeerURL)
		}
	}
	return strings.Join(parts, ",")
}

// IsLearner asks the local member (Status is one of the few calls a
// learner answers) whether it still is a learner.
func IsLearner(ctx context.Context, local *clientv3.Client, endpoint string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := local.Status(ctx, endpoint)
	if err != nil {
		return false, fmt.Errorf("etcd status of %s: %w", endpoint, err)
	}
	return st.IsLearner, nil
}

// Promote makes the learner at peerURL a voting member, asking the voters
// behind c; etcd refuses until the learner has caught up with the leader,
// so it retries until JoinTimeout.
func Promote(ctx context.Context, c *clientv3.Client, peerURL string) error {
	return retry(ctx, 250*time.Millisecond, "promoting etcd learner "+peerURL, func() error {
		return promote(ctx, c, peerURL)
	})
}

func promote(ctx context.Context, c *clientv3.Client, peerURL string) error {
	list, err := members(ctx, c, clientv3.WithSerializable())
	if err != nil {
		return err
	}
	for _, m := range list {
		if m.PeerURL != peerURL {
			continue
		}
		if !m.Learner {
			return nil
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := c.MemberPromote(pctx, m.ID); err != nil {
			return fmt.Errorf("promote: %w", err)
		}
		return nil
	}
	return fmt.Errorf("no member with peer URL %s", peerURL)
}
