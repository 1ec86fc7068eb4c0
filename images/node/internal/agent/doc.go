// Package agent runs what every node runs: containerd as a child process
// (with the preloaded images imported into it), kubelet and kube-proxy in the
// node process, the pod network's CNI configuration and the per-node routes
// that connect pod subnets across the cluster's Docker network.
package agent
