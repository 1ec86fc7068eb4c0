// Package v1alpha1 is version v1alpha1 of mini's cluster config file
// (apiVersion mini.dev/v1alpha1, kind Cluster): the public, versioned
// schema. Package config reads it into cluster.CreateOptions, the one
// internal type, and writes it back.
//
// The field comments are the descriptions of the JSON Schema generated
// from these types (docs/schema/cluster-v1alpha1.json) and of the field
// reference (docs/reference/config.md); the jsonschema struct tags add
// their defaults and bounds.
package v1alpha1
