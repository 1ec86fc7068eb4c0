// Package config reads and writes mini's cluster config files.
//
// A file is a versioned, public schema (today mini.dev/v1alpha1, package
// v1alpha1); reading one converts it to cluster.CreateOptions, the one
// internal type, with the defaults of `mini cluster create` filled in.
// k3d's own files (k3d.io/v1alpha5, kind Simple) are read the same way, so
// `mini cluster create -c` takes them as they are and `mini config
// migrate` rewrites them in the current schema: parse the old version,
// convert to the internal type, write the latest.
//
// Decoding is strict: an unknown field, a repeated key or a value of the
// wrong type is an error naming the field's path and line. Validation
// reports every problem of a file at once, each at the line of the value
// it comes from; it runs the cluster package's own checks, value by value,
// then cluster.CreateOptions.Validate for what only the options as a whole
// show. Nothing here knows about flags or the environment: the command
// line ranks them above the file.
//
// The JSON Schema in docs/schema and the field reference in
// docs/reference/config.md are generated from the v1alpha1 types.
package config

//go:generate go run ./internal/schemagen -src v1alpha1 -o ../../docs/schema/cluster-v1alpha1.json
//go:generate go run ./internal/schemagen -src v1alpha1 -format markdown -o ../../docs/reference/config.md
