// Package await is how a node waits for something that has no event to
// tell it when it is ready (its API server's /readyz, its server's
// cluster-info, a socket): poll, say every so often what it is waiting on
// and why, and stop only when the thing is ready, when it can never be
// (Permanent), or when the node's context ends.
//
// There is deliberately no deadline here. A node that gives up after a
// fixed time exits, Docker restarts it, and it starts the same slow work
// from the beginning: on a busy laptop or under software emulation (the
// cgroup v2 test VM, where the API server alone takes minutes) a node
// with a three-minute deadline restarted for ever and never came up. The
// component that can fail (the API server, containerd) stops the node
// through the node's context when it really fails; how long a user waits
// is the launcher's --timeout, which reads the node's log to say why.
package await
