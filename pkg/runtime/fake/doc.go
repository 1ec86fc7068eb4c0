// Package fake is an in-memory runtime.Runtime for unit tests.
//
// Each Runtime value holds its own state (no package globals), so tests run
// in parallel. It behaves like an engine where it matters for mini's logic:
// names clash, networks with containers cannot be removed, volumes in use
// cannot be removed, missing objects give runtime.ErrNotFound. Tests change
// behaviour per call through the function fields (Hooks) and read the
// ordered call log in Calls.
package fake
