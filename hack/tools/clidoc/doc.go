// Command clidoc writes mini's CLI reference (docs/reference/cli.md) from
// the cobra command tree itself: every command's use line, aliases,
// description, examples and flags with their defaults, so that the
// reference cannot drift from `mini --help`. Its test fails when the
// committed file is stale.
//
// Usage:
//
//	go run ./hack/tools/clidoc > docs/reference/cli.md
//
// or `go test ./hack/tools/clidoc -update`. Regenerate whenever a command
// or flag changes.
//
// It is written here rather than with cobra's doc package, which would
// bring go-md2man and blackfriday into the module graph for a few dozen
// lines of Markdown.
package main
