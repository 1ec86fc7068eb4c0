// Package cluster holds the `mini cluster` commands: create, delete, edit, list,
// start, stop and restart. Each turns flags into options and makes one
// call to the cluster package.
package cluster
