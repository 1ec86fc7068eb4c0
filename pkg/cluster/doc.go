// Package cluster is mini's public facade: create, delete, list, start and
// stop clusters of node containers on a runtime.Runtime.
//
// Container labels are the only state (no state file): list, start and
// delete rebuild everything from them, so a cluster survives a Docker
// restart and a crash of mini. Every name comes from the namer in names.go
// and every label key from labels.go.
package cluster
