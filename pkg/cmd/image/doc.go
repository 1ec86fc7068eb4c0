// Package image holds `mini image`: getting locally built images into the
// nodes of a cluster without a registry.
package image
