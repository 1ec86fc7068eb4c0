// Package runtime defines the narrow, context-first interface mini uses to
// talk to a container engine, with mini's own types.
//
// Keeping engine types out of this package means the cluster logic can be
// unit-tested against an in-memory fake (package fake) and a second engine
// (Podman, for instance) only needs a new implementation, not a rewrite of
// the callers. The Docker implementation lives in package docker.
package runtime
