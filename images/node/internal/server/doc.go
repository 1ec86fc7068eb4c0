// Package server runs a mini server node: PKI and token, the datastore, the
// control plane, the addons and servicelb, and (unless --disable-agent) the
// node's own agent, in one process.
//
// Start order is chosen for time to a Ready node: containerd starts and the
// preloaded images import while the datastore and apiserver come up; the
// controllers and kubelet start the moment /readyz answers; the admin
// kubeconfig is written only then, so its presence tells a launcher the API
// is serving.
package server
