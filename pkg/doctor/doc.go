// Package doctor checks that a machine can run mini clusters: a Docker
// engine answers with a recent enough API, containers get a node's
// privileges, the cgroup controllers kubelet needs are there, inotify
// limits and free disk suffice, containers on a user-defined network find
// each other by name, the default registry port is free and the node, load
// balancer and registry images are present.
//
// Each check is a small function over runtime.Runtime and the host readers
// of Host, so every one is unit-tested against the fake engine. What a
// check reads inside a container it reads from the node image, the one
// image that is there offline. Everything doctor makes in the engine is
// labelled (dev.mini.app=mini, dev.mini.role=doctor) and removed when Run
// returns, also after a failed check or Ctrl-C.
package doctor
