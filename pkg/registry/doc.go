// Package registry holds what mini knows about container registries
// without talking to an engine: the k3s registries.yaml format every node's
// containerd is configured from (parse, validate, merge), the mirrors that
// make one image name work on the host and in the cluster, and the
// KEP-1755 local-registry-hosting ConfigMap that tells tools (Tilt, Skaffold)
// where to push.
package registry
