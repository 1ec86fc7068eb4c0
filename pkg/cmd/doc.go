// Package cmd builds mini's command tree. Commands are thin: flags become
// an options struct and one library call (package cluster). Run returns an
// error and never exits; cmd/mini maps the error to an exit code.
package cmd
