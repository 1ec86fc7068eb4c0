// Package cli defines mini-node's commands and flags. Flag names, defaults
// and environment variables mirror k3s, so a launcher can drive a mini node
// and a rancher/k3s node the same way.
package cli
