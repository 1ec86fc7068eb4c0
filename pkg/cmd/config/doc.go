// Package config holds the `mini config` commands: init writes a
// commented starter file, validate checks files, view prints a file's
// effective config and migrate converts a k3d file to mini's schema. Each
// reads or writes a file through package config and prints data on stdout,
// notices on stderr.
package config
