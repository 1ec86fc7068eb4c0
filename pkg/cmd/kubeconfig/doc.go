// Package kubeconfig holds the `mini kubeconfig` commands.
package kubeconfig
