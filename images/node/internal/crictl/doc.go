// Package crictl is cri-tools' crictl, run inside mini-node's process.
//
// Upstream ships crictl only as a main package (sigs.k8s.io/cri-tools/cmd/crictl),
// which Go cannot import. The node image build (hack/build-mini-node.sh)
// therefore adds upstream's files to this package through a build overlay:
// each non-test Linux file of cmd/crictl at the version go.mod requires,
// read from the checksum-verified module cache, with "package main" made
// "package crictl" and "func main" renamed, and builds with the tag
// mini_crictl. Nothing of upstream's code is committed here.
//
// A plain "go build" of mini-node (no overlay, no tag) gets unavailable.go
// instead, whose Run says how to get a binary with crictl in it; unit tests
// and vet see that variant. The e2e tests run crictl in real nodes.
package crictl
