// Package config holds mini-node's configuration: the options a server or an
// agent runs with, their defaults, the k3s-compatible environment variables
// that may set them, validation that reports every problem at once, and the
// layout of the data directory. Everything else in the node reads paths from
// here, so the on-disk layout is defined in exactly one place.
package config
