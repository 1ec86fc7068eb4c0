// Package registry holds `mini registry`: local registries that clusters
// pull from by the same name the host pushes to.
package registry
