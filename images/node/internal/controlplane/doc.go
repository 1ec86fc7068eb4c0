// Package controlplane runs kube-apiserver, kube-controller-manager and
// kube-scheduler inside the mini-node process, through each component's own
// options and Run functions.
//
// The components' cobra commands are not used for the apiserver, the
// controller-manager and the scheduler: each sets up a process-wide signal
// handler, and k8s.io/apiserver panics when a second one is installed. Driving
// Options → Complete → Validate → Run directly lets all three share the node's
// context (kubelet keeps the one signal handler), so one SIGTERM stops the
// whole node.
package controlplane
