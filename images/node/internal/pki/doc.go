// Package pki creates and reuses the cluster's certificate authorities, keys
// and certificates. Everything is generated in Go on first start (no openssl
// in the image) and kept in the data directory; a later start reuses what is
// there and reissues only a certificate whose names no longer match (a new
// --tls-san, a changed node IP) or that is about to expire.
package pki
