// Package image holds `mini image`: getting locally built images into the
// nodes of a cluster without a registry, and bundling mini's own images
// for hosts that cannot reach the registry they are published in.
package image
